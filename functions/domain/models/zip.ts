/**
 * A minimal ZIP writer (PKWARE APPNOTE 6.3: local headers, data, central directory, end record),
 * enough for a Lambda layer archive without a new dependency. No ZIP64: an entry or the archive
 * past 4 GiB is refused (a layer is at most 250 MB unzipped anyway).
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, relative (e.g. `models/models/ease/000001.onnx`). */
  path: string;
  bytes: Uint8Array;
}

export interface ZipOptions {
  /** `deflate` keeps an entry stored when compressing would not make it smaller. */
  method?: 'deflate' | 'store';
  /** Written as every entry's modification time; fixed by default so equal inputs give equal bytes. */
  modifiedAt?: Date;
}

const STORE = 0;
const DEFLATE = 8;
/** Bit 11: file names are UTF-8. */
const UTF8_NAMES = 0x0800;
/** Version made by: Unix (3) in the high byte, so unzip honours the permission bits; spec 2.0. */
const MADE_BY_UNIX = (3 << 8) | 20;
const VERSION_NEEDED = 20;
/** Regular file, rw-r--r--, in the high 16 bits of the external attributes. */
const REGULAR_FILE_0644 = (0o100644 << 16) >>> 0;
const MAX_U32 = 0xffff_ffff;
const MAX_ENTRIES = 0xffff;
const DOS_EPOCH = new Date(Date.UTC(1980, 0, 1));

/** Builds a ZIP archive of `entries` in memory; returns its bytes. */
export function zipArchive(entries: readonly ZipEntry[], options: ZipOptions = {}): Uint8Array {
  if (entries.length > MAX_ENTRIES) throw new RangeError(`a zip holds at most ${MAX_ENTRIES} entries`);
  const seen = new Set<string>();
  for (const entry of entries) {
    assertSafePath(entry.path);
    if (seen.has(entry.path)) throw new RangeError(`duplicate zip entry '${entry.path}'`);
    seen.add(entry.path);
  }
  const { time, date } = dosDateTime(options.modifiedAt ?? DOS_EPOCH);
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.path, 'utf8');
    const crc = crc32(entry.bytes);
    const deflated = options.method === 'store' ? undefined : deflateRawSync(entry.bytes);
    const stored = !deflated || deflated.byteLength >= entry.bytes.byteLength;
    const data = stored ? entry.bytes : deflated;
    const method = stored ? STORE : DEFLATE;
    if (entry.bytes.byteLength > MAX_U32 || data.byteLength > MAX_U32 || offset > MAX_U32) {
      throw new RangeError(`zip entry '${entry.path}' needs ZIP64, which this writer does not support`);
    }

    // The local header and the central directory repeat the same 24 bytes of entry fields
    // (version needed .. name length), at offset 4 and 6 respectively.
    const writeEntryFields = (buffer: Buffer, at: number) => {
      buffer.writeUInt16LE(VERSION_NEEDED, at);
      buffer.writeUInt16LE(UTF8_NAMES, at + 2);
      buffer.writeUInt16LE(method, at + 4);
      buffer.writeUInt16LE(time, at + 6);
      buffer.writeUInt16LE(date, at + 8);
      buffer.writeUInt32LE(crc, at + 10);
      buffer.writeUInt32LE(data.byteLength, at + 14);
      buffer.writeUInt32LE(entry.bytes.byteLength, at + 18);
      buffer.writeUInt16LE(name.byteLength, at + 22);
    };

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeEntryFields(local, 4);
    // extra length: zero

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(MADE_BY_UNIX, 4);
    writeEntryFields(header, 6);
    // extra length, comment length, disk number, internal attributes: all zero
    header.writeUInt32LE(REGULAR_FILE_0644, 38);
    header.writeUInt32LE(offset, 42);

    chunks.push(local, name, data);
    central.push(header, name);
    offset += local.byteLength + name.byteLength + data.byteLength;
  }
  const centralSize = central.reduce((sum, c) => sum + c.byteLength, 0);
  if (offset > MAX_U32 || centralSize > MAX_U32) {
    throw new RangeError('the zip archive needs ZIP64, which this writer does not support');
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, ...central, end]);
}

/** Relative, `/`-separated, no `.`/`..` segments: what unpacks inside the target folder only. */
function assertSafePath(entryPath: string): void {
  const segments = entryPath.split('/');
  if (
    entryPath.length === 0 ||
    entryPath.includes('\\') ||
    entryPath.includes('\0') ||
    segments.some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw new RangeError(
      `zip entry path '${entryPath}' must be relative, '/'-separated, without '.' or '..'`,
    );
  }
}

/** MS-DOS date and time fields (local time is not meaningful in Lambda; UTC is written). */
function dosDateTime(at: Date): { time: number; date: number } {
  const clamped = at.getTime() < DOS_EPOCH.getTime() ? DOS_EPOCH : at;
  const time =
    (clamped.getUTCHours() << 11) | (clamped.getUTCMinutes() << 5) | Math.floor(clamped.getUTCSeconds() / 2);
  const date =
    ((clamped.getUTCFullYear() - 1980) << 9) | ((clamped.getUTCMonth() + 1) << 5) | clamped.getUTCDate();
  return { time, date };
}

/**
 * The models layer archive, written by yazl: entries deflated by Node's native zlib, ZIP64 when an
 * entry or the archive needs it. On ml-latest-small's 90.8 MB layer it takes as long as the
 * hand-written writer it replaced (5.7-6.3 s against 5.0-5.9 s, same 74.6 MB, on a machine at load
 * 10-12); fflate, pure JS, took 13.3 s (bench/zip-layer.ts, 2026-12-05). What this module adds is the layer's rules: safe relative paths, no
 * duplicates, rw-r--r-- files, a fixed time so equal inputs give equal bytes, and incompressible
 * entries (the float blocks of most models) stored rather than deflated for nothing.
 */
import { deflateRawSync } from 'node:zlib';
import { ZipFile } from 'yazl';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, relative (e.g. `models/models/ease/000001.onnx`). */
  path: string;
  bytes: Uint8Array;
}

export interface ZipOptions {
  /** `deflate` keeps an entry stored when compressing would not make it smaller. */
  method?: 'deflate' | 'store';
  /** Written as every entry's modification time (UTC); fixed by default so equal inputs give equal bytes. */
  modifiedAt?: Date;
}

/** Regular file, rw-r--r--. */
const REGULAR_FILE_0644 = 0o100644;
const DOS_EPOCH = new Date(Date.UTC(1980, 0, 1));
/** Bytes of an entry deflated on trial to judge whether deflating it pays. */
const TRIAL_BYTES = 64 * 1024;

/** Builds a ZIP archive of `entries` in memory; returns its bytes. */
export async function zipArchive(
  entries: readonly ZipEntry[],
  options: ZipOptions = {},
): Promise<Uint8Array> {
  const seen = new Set<string>();
  for (const entry of entries) {
    assertSafePath(entry.path);
    if (seen.has(entry.path)) throw new RangeError(`duplicate zip entry '${entry.path}'`);
    seen.add(entry.path);
  }
  const zip = new ZipFile();
  const mtime = asLocalFields(options.modifiedAt ?? DOS_EPOCH);
  for (const entry of entries) {
    const bytes = Buffer.from(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength);
    zip.addBuffer(bytes, entry.path, {
      mtime,
      mode: REGULAR_FILE_0644,
      compress: options.method !== 'store' && deflatePays(bytes),
      // Only the DOS field: the extended (Unix time) field would carry the shifted instant.
      forceDosTimestamp: true,
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Whether deflate shrinks the entry's first 64 KiB: random-looking floats never do. */
function deflatePays(bytes: Buffer): boolean {
  if (bytes.byteLength === 0) return false;
  const trial = bytes.subarray(0, TRIAL_BYTES);
  return deflateRawSync(trial).byteLength < trial.byteLength;
}

/**
 * yazl writes the DOS time from a Date's local fields; the archive records UTC (Lambda's clock),
 * so the instant is shifted to have local fields equal to `at`'s UTC ones.
 */
function asLocalFields(at: Date): Date {
  const clamped = at.getTime() < DOS_EPOCH.getTime() ? DOS_EPOCH : at;
  return new Date(
    clamped.getUTCFullYear(),
    clamped.getUTCMonth(),
    clamped.getUTCDate(),
    clamped.getUTCHours(),
    clamped.getUTCMinutes(),
    clamped.getUTCSeconds(),
  );
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

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipArchive } from '#domain/models/zip.ts';

const workDir = mkdtempSync(path.join(tmpdir(), 'marquee-zip-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface PythonEntry {
  name: string;
  sha256: string;
  size: number;
  compressed: number;
  method: number;
  mode: number;
  date: number[];
}

/** Reads archives with Python's zipfile (one process for all: the interpreter takes ~1 s to start here). */
function readWithPython(zipFiles: string[]): Record<string, { bad: string | null; entries: PythonEntry[] }> {
  const script = [
    'import hashlib, json, sys, zipfile',
    'result = {}',
    'for f in sys.argv[1:]:',
    '    with zipfile.ZipFile(f) as z:',
    '        bad = z.testzip()',
    '        out = [{"name": i.filename, "sha256": hashlib.sha256(z.read(i)).hexdigest(),',
    '                "size": i.file_size, "compressed": i.compress_size, "method": i.compress_type,',
    '                "mode": (i.external_attr >> 16) & 0o7777, "date": list(i.date_time)} for i in z.infolist()]',
    '        result[f] = {"bad": bad, "entries": out}',
    'print(json.dumps(result))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, ...zipFiles], { encoding: 'utf8' }));
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function sampleEntries() {
  return [
    // Compressible (repeated floats, like an embedding block) and incompressible (random) content.
    {
      path: 'models/models/ease/000001.onnx',
      bytes: new Uint8Array(new Float32Array(50_000).fill(0.25).buffer),
    },
    { path: 'models/models/als/000002.onnx', bytes: new Uint8Array(randomBytes(20_000)) },
    { path: 'models/models/popularity/000003.onnx', bytes: new Uint8Array(0) },
    { path: 'models/models/content/nämé.onnx', bytes: new TextEncoder().encode('utf-8 name') },
  ];
}

describe('zipArchive', () => {
  const entries = sampleEntries();
  const deflated = path.join(workDir, 'deflated.zip');
  const stored = path.join(workDir, 'stored.zip');
  let read: ReturnType<typeof readWithPython>;
  beforeAll(async () => {
    writeFileSync(deflated, await zipArchive(entries));
    writeFileSync(
      stored,
      await zipArchive(entries, { method: 'store', modifiedAt: new Date('2026-11-29T16:20:42Z') }),
    );
    read = readWithPython([deflated, stored]);
  });

  it('writes an archive Python reads back with every entry byte-for-byte and valid CRCs', () => {
    for (const file of [deflated, stored]) {
      expect(read[file].bad).toBeNull();
      expect(read[file].entries.map((e) => e.name)).toEqual(entries.map((e) => e.path));
      for (const [i, entry] of entries.entries()) {
        expect(read[file].entries[i].sha256).toBe(sha256(entry.bytes));
        expect(read[file].entries[i].size).toBe(entry.bytes.byteLength);
        expect(read[file].entries[i].mode).toBe(0o644);
      }
    }
  });

  it('deflates compressible entries and stores those deflate would not shrink', () => {
    const [ease, als] = read[deflated].entries;

    expect(ease.method).toBe(8);
    expect(ease.compressed).toBeLessThan(ease.size / 10);
    expect(als.method).toBe(0);
    expect(als.compressed).toBe(als.size);
  });

  it('stores every entry when asked to, and records the given modification time', () => {
    expect(read[stored].entries.every((e) => e.method === 0 && e.compressed === e.size)).toBe(true);
    expect(read[stored].entries[0].date).toEqual([2026, 11, 29, 16, 20, 42]);
  });

  it('passes unzip -t (Info-ZIP), the tool closest to what unpacks a layer', async () => {
    // A machine without unzip fails here rather than skipping (.ci/run installs it).
    expect(spawnSync('unzip', ['-v']).status, 'unzip is not installed (apt-get install unzip)').toBe(0);
    const file = path.join(workDir, 'unzip.zip');
    writeFileSync(file, await zipArchive(sampleEntries()));

    const result = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });

    expect(result.stdout).toContain('No errors detected');
    expect(result.status).toBe(0);
  });

  it('gives the same bytes for the same input (no clock in the archive unless asked)', async () => {
    expect(sha256(await zipArchive(sampleEntries().slice(0, 1)))).toBe(
      sha256(await zipArchive(sampleEntries().slice(0, 1))),
    );
  });

  it('refuses paths that would unpack outside the layer folder, and duplicates', async () => {
    const bytes = new Uint8Array(1);
    for (const bad of ['../etc/passwd', '/abs/path', 'models/../x', 'a\\b', '', 'models//x']) {
      await expect(zipArchive([{ path: bad, bytes }]), bad).rejects.toThrow(RangeError);
    }
    await expect(
      zipArchive([
        { path: 'models/a.onnx', bytes },
        { path: 'models/a.onnx', bytes },
      ]),
    ).rejects.toThrow(/duplicate/);
  });
});

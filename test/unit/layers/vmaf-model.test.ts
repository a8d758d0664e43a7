import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedVmafModel } from '../../integration/media/harness.ts';
import { buildVmafModel, VMAF_MODEL } from '../../../layers/build.ts';

const sharedDir = path.dirname(sharedVmafModel);
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmaf-layer-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const refuseDownload = (url: string): Buffer => {
  throw new Error(`no download expected: ${url}`);
};

describe('buildVmafModel', () => {
  it('copies the pinned model files and licence from a local folder, checked byte for byte', () => {
    const target = tempDir();
    buildVmafModel(target, [sharedDir], refuseDownload);
    for (const name of Object.keys(VMAF_MODEL.files))
      expect(readFileSync(path.join(target, name)).equals(readFileSync(path.join(sharedDir, name)))).toBe(
        true,
      );
  });

  it('downloads from the pinned commit when no local copy exists', () => {
    const target = tempDir();
    const asked: string[] = [];
    buildVmafModel(target, [tempDir()], (url) => {
      asked.push(url);
      return readFileSync(path.join(sharedDir, path.basename(url)));
    });
    expect(asked).toEqual(
      Object.values(VMAF_MODEL.files).map((pin) =>
        expect.stringContaining(`/Netflix/vmaf/${VMAF_MODEL.commit}/${pin.path}`),
      ),
    );
  });

  it('refuses a copy whose checksum is not the pinned one, naming the file', () => {
    const tampered = tempDir();
    for (const name of Object.keys(VMAF_MODEL.files))
      writeFileSync(path.join(tampered, name), 'not the model');
    expect(() => buildVmafModel(tempDir(), [tampered], refuseDownload)).toThrow(
      /vmaf_v0\.6\.1\.pkl: SHA-256 \w+ is not the pinned/,
    );
  });
});

/**
 * The artifact port over a local directory, so the scale benchmark's shard tasks, each in its own
 * process, read and write one run's files as they would the models bucket (one file per key).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError } from '#domain/errors.ts';
import type { ArtifactStore } from '#domain/models/registry.ts';

export class DirectoryArtifacts implements ArtifactStore {
  constructor(private readonly root: string) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const file = path.join(this.root, key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes);
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(path.join(this.root, key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('artifact', key);
      throw error;
    }
  }
}

/**
 * Artifacts from the models Lambda layer first (`/opt/models/<key>`), S3 otherwise. The layer holds
 * the versions live when it was published, so a cold start reads local files instead of S3; a
 * version promoted or rolled back since then is not in the layer and comes from S3.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactStore } from '#domain/models/registry.ts';

export class LayeredArtifacts implements ArtifactStore {
  constructor(
    private readonly layerDir: string,
    private readonly fallback: ArtifactStore,
  ) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.fallback.put(key, bytes);
  }

  async get(key: string): Promise<Uint8Array> {
    const file = path.join(this.layerDir, key);
    // Keys are registry-made (`models/<name>/<version>.onnx`); refuse anything escaping the layer.
    if (file.startsWith(this.layerDir + path.sep) && existsSync(file))
      return new Uint8Array(await readFile(file));
    return this.fallback.get(key);
  }
}

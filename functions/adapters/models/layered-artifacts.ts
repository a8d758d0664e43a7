/**
 * Opens artifacts for serving as files, so onnxruntime memory-maps their large weights:
 * - from the models Lambda layer first (`/opt/models/<key>` with its `.data` and `.meta` side files,
 *   written split by the layer publisher), which holds the versions live when it was published;
 * - otherwise from S3 (a version promoted or rolled back since), split once into a local cache
 *   folder (Lambda's /tmp) and opened from there.
 * When the cache cannot be written, the artifact is served from memory instead.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactStore } from '#domain/models/registry.ts';
import { externalDataFileOf, metadataFileOf, splitExternalData } from '#domain/onnx/external-data.ts';
import type { ServingArtifacts } from '#domain/recommendations/live-models.ts';
import type { OpenedArtifact } from '#domain/recommendations/serving/loading.ts';

export class LayeredArtifacts implements ServingArtifacts {
  constructor(
    private readonly layerDir: string,
    private readonly fallback: ArtifactStore,
    /** Where artifacts fetched from `fallback` are kept split; one folder per artifact store. */
    private readonly cacheDir: string,
    private readonly onCacheFailure: (key: string, error: unknown) => void = () => {},
  ) {}

  async open(key: string): Promise<OpenedArtifact> {
    const inLayer = within(this.layerDir, key);
    if (inLayer && existsSync(inLayer)) return { file: inLayer, metadata: await metadataOf(inLayer) };
    const cached = within(this.cacheDir, key);
    if (!cached) throw new Error(`artifact key '${key}' escapes the models folder`);
    // The graph file is renamed into place last, so its presence means the side files are complete.
    if (existsSync(cached)) return { file: cached, metadata: await metadataOf(cached) };
    const bytes = await this.fallback.get(key);
    const split = splitExternalData(bytes, externalDataFileOf(cached));
    try {
      await mkdir(path.dirname(cached), { recursive: true });
      // Each file is written under a private name and renamed: a concurrent writer never truncates
      // a side file another process has mapped (it would fault on the missing pages).
      const partial = `.${process.pid}.${Date.now()}.partial`;
      for (const [file, content] of [
        [`${cached}.data`, split.data],
        [metadataFileOf(cached), split.metadata],
        [cached, split.graph],
      ] as const) {
        await writeFile(`${file}${partial}`, content);
        await rename(`${file}${partial}`, file);
      }
      return { file: cached, metadata: split.metadata };
    } catch (error) {
      this.onCacheFailure(key, error);
      return bytes;
    }
  }

  /** Removes the cached copy of a replaced version (the layer's files are read-only and stay). */
  async forget(key: string): Promise<void> {
    const cached = within(this.cacheDir, key);
    if (!cached) return;
    // Sessions still mapping the side file keep their pages; unlinking only frees the name.
    await rm(cached, { force: true });
    await rm(`${cached}.data`, { force: true });
    await rm(metadataFileOf(cached), { force: true });
  }
}

/** The metadata of a split graph file: its `.meta` file (every layer and cache entry has one). */
async function metadataOf(graphFile: string): Promise<Uint8Array> {
  return readFile(metadataFileOf(graphFile));
}

/** `dir/key`, or undefined when the key would escape `dir` (keys are registry-made, but still). */
function within(dir: string, key: string): string | undefined {
  const file = path.resolve(dir, key);
  return file.startsWith(path.resolve(dir) + path.sep) ? file : undefined;
}

/**
 * Child-process side of the recommendation benchmarks (a fresh process each, so timings and peak
 * RSS are its own):
 *   train DIR            trains every recommendation model on a MovieLens directory
 *   synthetic N          trains every model on N synthetic events
 *   cold-phases          times, one by one, the loads of a personal first request against the live
 *                        registry named by the environment (pointers, artifact opens, metadata, sessions)
 * Prints one JSON line.
 */
import { readMovieLens } from '#adapters/datasets/movielens-files.ts';
import { trainAllModels } from '#domain/recommendations/training.ts';
import { syntheticEvents } from './synthetic-events.ts';

const [mode, arg] = process.argv.slice(2);

/**
 * The first personal request's loads, step by step (ms each), as serving makes them: pointers from
 * the registry, then each artifact opened through LayeredArtifacts (the models layer dir in
 * MODELS_DIR when set, else S3 split into a fresh cache), its metadata decoded and its session made.
 */
async function coldPhases(): Promise<Record<string, number>> {
  const t0 = performance.now();
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { DynamoModelRecords } = await import('#adapters/models/dynamo-model-records.ts');
  const { LayeredArtifacts } = await import('#adapters/models/layered-artifacts.ts');
  const { S3Artifacts } = await import('#adapters/models/s3-artifacts.ts');
  const { artifactKeyFor } = await import('#domain/models/registry.ts');
  const { decodeArtifactMetadata } = await import('#domain/recommendations/artifact.ts');
  const { loadSession } = await import('#domain/onnx/session.ts');
  const { bucketNameFromEnv, tableNameFromEnv } = await import('#platform/config.ts');
  const records = new DynamoModelRecords(tableNameFromEnv('models'));
  const cache = mkdtempSync(path.join(tmpdir(), 'marquee-phases-'));
  const layerDir = process.env.MODELS_DIR;
  const artifacts = new LayeredArtifacts(
    layerDir ?? path.join(cache, 'no-layer'),
    new S3Artifacts(bucketNameFromEnv('models')),
    cache,
  );
  const t1 = performance.now();
  const names = [
    ...new Set([(await records.getDefaultModel()) ?? 'ease', 'hybrid', 'popularity', 'trending']),
  ];
  const lives = await Promise.all(names.map((n) => records.getLive(n)));
  const t2 = performance.now();
  const source = layerDir ? 'from the layer dir' : 'from S3, split into the cache';
  const phases: Record<string, number> = {
    'imports (tsx)': t1 - t0,
    [`registry pointers (${names.join(', ')})`]: t2 - t1,
  };
  for (let i = 0; i < names.length; i++) {
    const started = performance.now();
    const opened = await artifacts.open(artifactKeyFor(names[i], lives[i]!.version, 'live'));
    const openedAt = performance.now();
    const metadata = opened instanceof Uint8Array ? opened : opened.metadata;
    decodeArtifactMetadata(metadata);
    const decodedAt = performance.now();
    await loadSession(opened instanceof Uint8Array ? opened : opened.file);
    const loadedAt = performance.now();
    phases[`${names[i]}: open ${source}`] = openedAt - started;
    phases[`${names[i]}: metadata decode (${(metadata.byteLength / 1e6).toFixed(1)} MB)`] =
      decodedAt - openedAt;
    phases[`${names[i]}: session (weights memory-mapped)`] = loadedAt - decodedAt;
  }
  rmSync(cache, { recursive: true, force: true });
  return phases;
}

async function main() {
  if (mode === 'cold-phases') {
    console.log(JSON.stringify(await coldPhases()));
    return;
  }
  const started = performance.now();
  if (mode === 'train' || mode === 'synthetic') {
    let input: Parameters<typeof trainAllModels>[0];
    if (mode === 'train') {
      const data = await readMovieLens(arg);
      const interactions = data.ratings.map((r) => ({
        userId: r.userId,
        itemId: r.itemId,
        weight: 1,
        timestamp: r.timestamp,
      }));
      input = { interactions, items: data.items, now: Math.max(...interactions.map((x) => x.timestamp)) };
    } else {
      const n = Number(arg);
      const data = syntheticEvents(n, 20_000, Math.max(1000, Math.round(n / 50)));
      input = { interactions: data.interactions, items: data.catalog, now: data.now };
    }
    const loaded = performance.now();
    const artifacts = await trainAllModels(input);
    const trainedMs = performance.now() - loaded;
    console.log(
      JSON.stringify({
        loadMs: loaded - started,
        trainMs: trainedMs,
        perModelMs: Object.fromEntries(artifacts.map((a) => [a.name, Math.round(a.trainMs)])),
        bytes: Object.fromEntries(artifacts.map((a) => [a.name, a.bytes.byteLength])),
        peakRssMb: process.resourceUsage().maxRSS / 1024,
      }),
    );
  }
}

await main();

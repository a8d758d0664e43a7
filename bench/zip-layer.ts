/**
 * One-off measurement (not part of `npm run bench`): zips a models layer the way retrain does
 * (every model trained on a MovieLens directory, each split into graph, side file and metadata)
 * and prints the archive's size and the median of 3 zipArchive runs as one JSON line.
 *   npx tsx bench/zip-layer.ts ../shared/data/movielens/ml-latest-small
 */
import { readMovieLens } from '#adapters/datasets/movielens-files.ts';
import { ratingsAsEvents } from '#domain/datasets/movielens.ts';
import { modelsLayerEntries, modelsLayerFiles } from '#domain/models/models-layer.ts';
import { zipArchive } from '#domain/models/zip.ts';
import { aggregateEvents, DEFAULT_EVENT_WEIGHTS } from '#domain/recommendations/interactions.ts';
import { trainAllModels } from '#domain/recommendations/training.ts';
import { median } from './stats.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx bench/zip-layer.ts DIR');
const data = await readMovieLens(dir);
const interactions = aggregateEvents(ratingsAsEvents(data.ratings), DEFAULT_EVENT_WEIGHTS);
const now = Math.max(...data.ratings.map((r) => r.timestamp));
const artifacts = await trainAllModels({ interactions, items: data.items, now });
const entries = artifacts.flatMap((artifact) => {
  const [file] = modelsLayerFiles([{ artifactKey: `models/${artifact.name}/000001.onnx` }]);
  return modelsLayerEntries(file, artifact.bytes);
});
const inputBytes = entries.reduce((sum, e) => sum + e.bytes.byteLength, 0);
const samples: number[] = [];
let zipBytes = 0;
for (let run = 0; run < 3; run++) {
  const started = performance.now();
  zipBytes = (await zipArchive(entries)).byteLength;
  samples.push(performance.now() - started);
}
console.log(
  JSON.stringify({
    entries: entries.length,
    inputMb: +(inputBytes / 1e6).toFixed(1),
    zipMb: +(zipBytes / 1e6).toFixed(1),
    medianMs: Math.round(median(samples)),
    samplesMs: samples.map(Math.round),
  }),
);

/**
 * Child-process side of the recommendation benchmarks (a fresh process each, so timings and peak
 * RSS are its own):
 *   train DIR            trains every recommendation model on a MovieLens directory
 *   synthetic N          trains every model on N synthetic events
 * Prints one JSON line.
 */
import { readMovieLens } from '#domain/datasets/movielens.ts';
import { trainAllModels } from '#domain/recommendations/training.ts';
import { syntheticEvents } from './synthetic-events.ts';

const [mode, arg] = process.argv.slice(2);

async function main() {
  const started = performance.now();
  if (mode === 'train' || mode === 'synthetic') {
    let input: Parameters<typeof trainAllModels>[0];
    if (mode === 'train') {
      const data = readMovieLens(arg);
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

/**
 * One-off measurement (not part of `npm run bench`): reads a MovieLens directory through the
 * streaming reader and prints rows read, wall time and the process's peak RSS as one JSON line.
 *   npx tsx bench/movielens-read.ts ../shared/data/movielens/ml-latest-small
 */
import { readMovieLens } from '#adapters/datasets/movielens-files.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx bench/movielens-read.ts DIR');
const started = performance.now();
const data = await readMovieLens(dir);
console.log(
  JSON.stringify({
    ratings: data.ratings.length,
    items: data.items.length,
    ms: Math.round(performance.now() - started),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);

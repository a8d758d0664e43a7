/**
 * `npm run simulate`: an A/B (or A/A) experiment replayed against a platform started for the run,
 * through the public API (local/simulation.ts says how). Prints each run and, over several seeds,
 * how often the verdict was not `not yet` (the false-positive rate of A/A runs).
 */
import { readMovieLens } from '#adapters/datasets/movielens-files.ts';
import { ratingsAsEvents } from '#domain/datasets/movielens.ts';
import { runCommand } from '#local/command-line.ts';
import { type SimulationRun, simulate } from '#local/simulation.ts';

const spec = {
  usage: 'npm run simulate --',
  summary:
    'Replay a MovieLens population against a platform started for the run: popularity vs the default model (or A/A), verdict and lift vs the offline ratio.',
  options: {
    dataset: {
      type: 'string',
      placeholder: 'DIR',
      description: 'MovieLens folder (ml-latest-small or ml-100k layout)',
    },
    days: { type: 'integer', default: 7, min: 1, max: 60, description: 'simulated days' },
    users: {
      type: 'integer',
      default: 100_000,
      min: 2,
      max: 100_000,
      description:
        'users per run (default: every user with both a past and a future; 610 in ml-latest-small)',
    },
    seed: { type: 'integer', default: 1, min: 0, max: 1_000_000, description: 'first seed' },
    seeds: { type: 'integer', default: 1, min: 1, max: 100, description: 'runs, seeds seed..seed+seeds-1' },
    aa: { type: 'boolean', description: 'the default model in both variants (false-positive check)' },
    json: { type: 'boolean', description: 'print the runs as JSON' },
  },
  examples: [
    'npm run simulate -- --dataset ../shared/data/movielens/ml-latest-small --days 7',
    'npm run simulate -- --dataset ../shared/data/movielens/ml-latest-small --aa --seeds 20 --days 3 --users 80',
  ],
} as const;

const percent = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);

function report(runs: SimulationRun[], aa: boolean): void {
  for (const run of runs)
    console.log(
      `seed ${run.seed}: ${run.control} vs ${run.treatment}: verdict ${run.verdict}, lift ${percent(run.lift)} ` +
        `[${percent(run.liftInterval?.low ?? null)}, ${percent(run.liftInterval?.high ?? null)}], offline ${percent(run.offlineLift)}; ` +
        `${run.users} users, ${run.impressions} impressions, ${run.plays} plays counted ` +
        `(${run.posted.impressions} and ${run.posted.plays} sent)${run.sampleRatioMismatch ? ', SAMPLE RATIO MISMATCH' : ''}`,
    );
  const decided = runs.filter((run) => run.verdict !== 'not yet').length;
  console.log(
    aa
      ? `A/A false-positive rate: ${decided}/${runs.length} = ${percent(decided / runs.length)} (goal <= 5%)`
      : `decided runs: ${decided}/${runs.length}`,
  );
}

await runCommand('simulate', spec, async (options) => {
  if (!options.dataset)
    throw new Error('--dataset DIR is required (e.g. ../shared/data/movielens/ml-latest-small)');
  const dataset = await readMovieLens(options.dataset);
  const runs = await simulate(
    { items: dataset.items, events: ratingsAsEvents(dataset.ratings) },
    {
      days: options.days,
      users: options.users,
      seed: options.seed,
      seeds: options.seeds,
      aa: options.aa ?? false,
      log: options.json ? undefined : (line) => console.error(line),
    },
  );
  if (options.json) console.log(JSON.stringify(runs, null, 2));
  else report(runs, options.aa ?? false);
});

/**
 * `npx tsx bench/tune-ease.ts --dataset DIR`: tries EASE's lambda, popularity exponent and session kernel
 * (share, time scale) on a validation split cut from the evaluation's training part (never its test
 * part); prints validation nDCG@k of `ease-session` and of `hybrid` over it per setting (a share of 0
 * is plain EASE). One-off tool (not part of `npm run bench`) for choosing a challenger before it is
 * measured once on the test split.
 */
import path from 'node:path';
import { readMovieLens } from '#adapters/datasets/movielens-files.ts';
import { runCommand, UsageError } from '#local/command-line.ts';
import { SESSION_EASE_OPTIONS } from '#domain/recommendations/ease.ts';
import { relevantByUser, stratifiedSplit } from '#domain/recommendations/evaluation.ts';
import type { WeightedInteraction } from '#domain/recommendations/interactions.ts';
import {
  DEFAULT_TRAINING_OPTIONS,
  evaluateArtifacts,
  trainAllModels,
} from '#domain/recommendations/training.ts';

const spec = {
  usage: 'npx tsx bench/tune-ease.ts',
  summary:
    "Grid-search EASE's lambda, popularity exponent and session kernel on a validation split of the evaluation's training part.",
  options: {
    dataset: { type: 'string', placeholder: 'DIR', description: 'MovieLens folder (required)' },
    seed: {
      type: 'integer',
      min: 0,
      default: 42,
      description: 'seed of the evaluation split (as npm run evaluate)',
    },
    k: { type: 'integer', min: 1, max: 100, default: 10, description: 'cut-off of nDCG' },
    lambdas: { type: 'string', default: '200,400,600,900', description: 'comma-separated lambdas' },
    betas: { type: 'string', default: '0.15', description: 'comma-separated popularity exponents (0..1)' },
    shares: {
      type: 'string',
      default: '0,0.85',
      description: 'comma-separated session shares (0..1; 0 = plain EASE)',
    },
    'session-seconds': {
      type: 'string',
      default: '120',
      description: 'comma-separated session time scales, seconds',
    },
  },
  examples: [
    'npx tsx bench/tune-ease.ts --dataset ../shared/data/movielens/ml-latest-small --lambdas 200,400,600,900',
    'npx tsx bench/tune-ease.ts --dataset ../shared/data/movielens/ml-latest-small --lambdas 300,500 --shares 0.7,0.85 --session-seconds 120,600',
  ],
} as const;

const numbers = (flag: string, text: string, max: number): number[] => {
  const values = text.split(',').map(Number);
  if (values.some((v) => !Number.isFinite(v) || v < 0 || v > max))
    throw new UsageError(`--${flag} must be comma-separated numbers in 0..${max}, got '${text}'`);
  return values;
};

await runCommand('tune', spec, async (options) => {
  if (!options.dataset) throw new UsageError('--dataset DIR is required');
  const lambdas = numbers('lambdas', options.lambdas, 1e6);
  const betas = numbers('betas', options.betas, 1);
  const shares = numbers('shares', options.shares, 1);
  const sessionSeconds = numbers('session-seconds', options['session-seconds'], 1e9);
  const data = await readMovieLens(path.resolve(options.dataset));
  const rows: WeightedInteraction[] = data.ratings.map((r) => ({ ...r, weight: 1 }));
  // The evaluation's own split (same ratio and seed), then a validation split inside its training part.
  const evaluationTrain = stratifiedSplit(rows, 0.75, options.seed).train;
  const split = stratifiedSplit(evaluationTrain, 0.75, options.seed + 1);
  const relevant = relevantByUser(split.test);
  const now = Math.max(...split.train.map((r) => r.timestamp));
  console.log(`validation: ${split.train.length} train rows, ${split.test.length} validation rows`);
  const settings = lambdas.flatMap((lambda) =>
    betas.flatMap((popularityExponent) =>
      shares.flatMap((sessionShare) =>
        sessionSeconds.map((seconds) => ({
          lambda,
          popularityExponent,
          sessionShare,
          sessionMs: seconds * 1000,
        })),
      ),
    ),
  );
  for (const setting of settings) {
    const artifacts = await trainAllModels(
      { interactions: split.train, items: data.items, now },
      {
        ...DEFAULT_TRAINING_OPTIONS,
        binary: true,
        models: ['ease-session', 'hybrid'],
        sessionEase: { ...SESSION_EASE_OPTIONS, ...setting },
      },
    );
    const [ease, hybrid] = await evaluateArtifacts(artifacts, split.train, relevant, options.k);
    console.log(
      `lambda ${setting.lambda}\tbeta ${setting.popularityExponent}\tshare ${setting.sessionShare}\t` +
        `session ${setting.sessionMs / 1000} s\tnDCG@${options.k} ease-session ${ease.metrics.ndcg.toFixed(4)}` +
        `\thybrid ${hybrid.metrics.ndcg.toFixed(4)}`,
    );
  }
});

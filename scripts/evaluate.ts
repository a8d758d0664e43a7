/**
 * Offline evaluation on MovieLens (`npm run evaluate -- --help`): one row per model (popularity
 * included) with Precision/Recall/nDCG/MAP@k, catalog coverage, training and scoring time, and the
 * default marked (best nDCG among personal models). `--profiles` runs the audience-profiles
 * evaluation instead.
 */
import path from 'node:path';
import { runCommand, UsageError } from '#local/command-line.ts';
import { readMovieLens } from '#adapters/datasets/movielens-files.ts';
import { relevantByUser, stratifiedSplit, temporalSplit } from '#domain/recommendations/evaluation.ts';
import type { WeightedInteraction } from '#domain/recommendations/interactions.ts';
import {
  chooseDefault,
  DEFAULT_TRAINING_OPTIONS,
  evaluateArtifacts,
  type ModelEvaluation,
  trainAllModels,
} from '#domain/recommendations/training.ts';

interface EvaluateArgs {
  dataset: string;
  protocol: 'stratified' | 'temporal';
  k: number;
  seed: number;
}

export interface EvaluationReport {
  dataset: string;
  layout: string;
  protocol: string;
  k: number;
  seed: number;
  ratings: number;
  trainRows: number;
  testRows: number;
  defaultModel: string;
  models: ModelEvaluation[];
}

/** Runs the evaluation end to end and returns the report. */
export async function runEvaluation(args: EvaluateArgs): Promise<EvaluationReport> {
  const data = await readMovieLens(args.dataset);
  // Every rating is a positive (the Microsoft Recommenders MovieLens protocol).
  const rows: WeightedInteraction[] = data.ratings.map((r) => ({
    userId: r.userId,
    itemId: r.itemId,
    weight: 1,
    timestamp: r.timestamp,
  }));
  const split =
    args.protocol === 'stratified' ? stratifiedSplit(rows, 0.75, args.seed) : temporalSplit(rows, 0.2);
  const now = Math.max(...split.train.map((r) => r.timestamp));
  const artifacts = await trainAllModels(
    { interactions: split.train, items: data.items, now },
    { ...DEFAULT_TRAINING_OPTIONS, binary: true },
  );
  const models = await evaluateArtifacts(artifacts, split.train, relevantByUser(split.test), args.k);
  return {
    dataset: args.dataset,
    layout: data.layout,
    protocol: args.protocol,
    k: args.k,
    seed: args.seed,
    ratings: rows.length,
    trainRows: split.train.length,
    testRows: split.test.length,
    defaultModel: chooseDefault(models),
    models,
  };
}

/** Renders the report as a fixed-width table. */
export function formatReport(report: EvaluationReport): string {
  const k = report.k;
  const header = [
    'model',
    `P@${k}`,
    `R@${k}`,
    `nDCG@${k}`,
    `MAP@${k}`,
    'coverage',
    'train s',
    'score ms/user',
    'artifact MB',
  ];
  const rows = report.models.map((m) => [
    m.name + (m.name === report.defaultModel ? ' (default)' : ''),
    m.metrics.precision.toFixed(4),
    m.metrics.recall.toFixed(4),
    m.metrics.ndcg.toFixed(4),
    m.metrics.map.toFixed(4),
    m.metrics.coverage.toFixed(4),
    (m.trainMs / 1000).toFixed(2),
    m.scoringMs.toFixed(3),
    (m.sizeBytes / 1e6).toFixed(1),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ');
  return [
    `${report.layout} ${report.dataset}: ${report.ratings} ratings, protocol ${report.protocol} (seed ${report.seed}), ` +
      `${report.trainRows} train / ${report.testRows} test, ${report.models[0]?.metrics.users ?? 0} users evaluated`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}

const spec = {
  usage: 'npm run evaluate --',
  summary: 'Offline evaluation: recommendation models on MovieLens, or (--profiles) the audience models.',
  options: {
    dataset: {
      type: 'string',
      placeholder: 'DIR',
      description: 'MovieLens folder, ml-100k or ml-latest-small layout',
    },
    protocol: {
      type: 'string',
      choices: ['stratified', 'temporal'],
      default: 'stratified',
      description: 'how the holdout is chosen',
    },
    k: { type: 'integer', min: 1, max: 100, default: 10, description: 'cut-off of the ranking metrics' },
    seed: { type: 'integer', min: 0, default: 42, description: 'seed of the split and of the models' },
    json: { type: 'boolean', description: 'print the report as JSON' },
    profiles: {
      type: 'boolean',
      description: 'evaluate the audience-profile models (churn, anomaly, shilling)',
    },
    horizon: {
      type: 'integer',
      min: 1,
      max: 90,
      default: 14,
      description: 'churn horizon in days (--profiles)',
    },
  },
  examples: [
    'npm run evaluate -- --dataset ../shared/data/movielens/ml-latest-small',
    'npm run evaluate -- --profiles',
  ],
} as const;

if (import.meta.url === `file://${process.argv[1]}`) {
  await runCommand('evaluate', spec, async (options) => {
    if (options.profiles) {
      const { runProfilesEvaluation } = await import('./evaluate-profiles.ts');
      await runProfilesEvaluation(options);
      return;
    }
    if (!options.dataset)
      throw new UsageError('--dataset DIR is required (ml-100k or ml-latest-small layout)');
    const report = await runEvaluation({
      dataset: path.resolve(options.dataset),
      protocol: options.protocol as EvaluateArgs['protocol'],
      k: options.k,
      seed: options.seed,
    });
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  });
}

/**
 * Offline evaluation on MovieLens:
 *   npm run evaluate -- --dataset DIR [--protocol stratified|temporal] [--k 10] [--seed 42] [--json]
 * Prints one row per model (popularity included): Precision/Recall/nDCG/MAP@k, catalog coverage,
 * training and scoring time, and marks the default (best nDCG among personal models).
 * `--profiles` dispatches to the audience-profiles evaluation.
 */
import path from 'node:path';
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
  json: boolean;
}

/** Parses argv; throws with the flag's name on bad input. */
export function parseEvaluateArgs(argv: readonly string[]): EvaluateArgs {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dataset = value('--dataset');
  if (!dataset) throw new Error('--dataset DIR is required (ml-100k or ml-latest-small layout)');
  const protocol = value('--protocol') ?? 'stratified';
  if (protocol !== 'stratified' && protocol !== 'temporal')
    throw new Error('--protocol must be stratified or temporal');
  const k = Number(value('--k') ?? 10);
  if (!Number.isInteger(k) || k < 1 || k > 100) throw new Error('--k must be an integer in 1..100');
  const seed = Number(value('--seed') ?? 42);
  return { dataset: path.resolve(dataset), protocol, k, seed, json: argv.includes('--json') };
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

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--profiles')) {
    const profilesModule = './evaluate-profiles.ts';
    const { runProfilesEvaluation } = (await import(profilesModule)) as {
      runProfilesEvaluation: (argv: string[]) => Promise<void>;
    };
    await runProfilesEvaluation(argv);
    return;
  }
  const report = await runEvaluation(parseEvaluateArgs(argv));
  process.stdout.write(
    report.protocol && argv.includes('--json')
      ? `${JSON.stringify(report, null, 2)}\n`
      : `${formatReport(report)}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}

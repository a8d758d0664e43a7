/**
 * `npm run evaluate -- --profiles [--json] [--seed N] [--horizon DAYS]`: quality of the audience-profile
 * models on the demo data (planted bots and churners) and on MovieLens ml-latest-small with injected bots.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readMovieLens } from '#adapters/datasets/movielens-files.ts';
import { ratingsAsEvents } from '#domain/datasets/movielens.ts';
import { DEMO_NOW, generateDemoData } from '#domain/demo/generate.ts';
import { DEFAULT_PROFILE_TRAINING_CONFIG } from '#domain/profiles/train.ts';
import {
  type AnomalyQuality,
  evaluateAnomalyWithInjectedBots,
  evaluateOnDemoData,
} from '#domain/profiles/evaluation.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Targets from the issue; a figure below its target is reported as a miss. */
const TARGETS = { churnRocAuc: 0.7, anomalyRocAuc: 0.95 };

function option(argv: string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
}

/** Runs the profile evaluation and prints a report (JSON with --json). */
export async function runProfilesEvaluation(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const seed = Number(option(argv, '--seed') ?? 42);
  const horizon = Number(option(argv, '--horizon') ?? 14);

  const data = generateDemoData({ seed, now: DEMO_NOW });
  const demo = evaluateOnDemoData(data, DEMO_NOW, { churnHorizonDays: horizon });

  const dataRoot = process.env.MARQUEE_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
  const mlDir = path.join(dataRoot, 'movielens', 'ml-latest-small');
  let movielens: AnomalyQuality | { skipped: string };
  if (existsSync(mlDir)) {
    const ml = await readMovieLens(mlDir);
    movielens = evaluateAnomalyWithInjectedBots(ratingsAsEvents(ml.ratings), ml.items, { seed });
  } else {
    movielens = { skipped: `MovieLens not found at ${mlDir}` };
  }

  const report = {
    demo: {
      seed,
      users: data.users.length,
      events: data.events.length,
      ...demo,
    },
    movielensInjectedBots: movielens,
    targets: TARGETS,
    pass: {
      churnRocAuc: demo.churn.rocAuc >= TARGETS.churnRocAuc,
      demoAnomalyRocAuc: demo.anomaly.rocAuc >= TARGETS.anomalyRocAuc,
      movielensAnomalyRocAuc: 'rocAuc' in movielens ? movielens.rocAuc >= TARGETS.anomalyRocAuc : null,
    },
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : String(v));
  const lines = [
    `Audience profiles — demo data (seed ${seed}, ${data.users.length} users, ${data.events.length} events; trained in ${Math.round(demo.trainMs)} ms)`,
    `  churn (${horizon}-day horizon) ROC-AUC on the held-out later window: ${f(demo.churn.rocAuc)}  (train ${demo.churn.trainRows} rows, test ${demo.churn.testRows}, churn rate ${f(demo.churn.testChurnRate)})`,
    `    served: ${demo.churn.algorithm}; candidates ${demo.churn.candidates.map((c) => `${c.algorithm} ${f(c.auc ?? Number.NaN)}`).join(', ')}`,
    `  anomaly ROC-AUC on ${demo.anomaly.bots} planted bots: ${f(demo.anomaly.rocAuc)}  (threshold ${f(demo.anomaly.threshold)}: recall ${f(demo.anomaly.recall)}, precision ${f(demo.anomaly.precision)})`,
    `  segments: k=${demo.segments.k}, silhouette ${f(demo.segments.silhouette)}, inertia ${f(demo.segments.inertia)}`,
    ...demo.segments.labels.map((l) => `    - ${l}`),
    'rocAuc' in movielens
      ? `MovieLens ml-latest-small + ${movielens.bots} injected bots (${movielens.users} users, ${((100 * movielens.bots) / movielens.users).toFixed(1)}% bots): anomaly ROC-AUC ${f(movielens.rocAuc)}\n    at the flag threshold ${f(movielens.threshold)} (calibrated for ${(100 * DEFAULT_PROFILE_TRAINING_CONFIG.anomalyContamination).toFixed(1)}% anomalous): recall ${f(movielens.recall)}, precision ${f(movielens.precision)}`
      : `MovieLens: skipped (${movielens.skipped})`,
    `Pass: ${JSON.stringify(report.pass)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runProfilesEvaluation(process.argv.slice(2));
}

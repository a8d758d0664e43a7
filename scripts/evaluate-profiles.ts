/**
 * `npm run evaluate -- --profiles [--json] [--seed N] [--horizon DAYS]`: quality of the audience-profile
 * models on the demo data (planted bots and churners) and on MovieLens ml-latest-small with injected
 * bots, and the shilling detector against attacks planted in ml-latest-small (shillingAttackTable).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMovieLens } from '#adapters/datasets/movielens-files.ts';
import { ratingsAsEvents } from '#domain/datasets/movielens.ts';
import { DEMO_NOW, generateDemoData } from '#domain/demo/generate.ts';
import { DEFAULT_PROFILE_TRAINING_CONFIG } from '#domain/profiles/train.ts';
import {
  type AnomalyQuality,
  evaluateAnomalyWithInjectedBots,
  evaluateOnDemoData,
} from '#domain/profiles/evaluation.ts';
import { ATTACK_TYPES } from '#domain/profiles/shilling/attacks.ts';
import { evaluateShillingAttacks, type ShillingEvaluation } from '#domain/profiles/shilling/evaluation.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Targets from the issues; a figure below its target is reported as a miss. */
const TARGETS = { churnRocAuc: 0.7, anomalyRocAuc: 0.95, shillingRocAuc: 0.95, shillingPrecision: 0.8 };

/** The attack grid of issue 17: every type at 1%, 3% and 5% of users, 1%, 3% and 5% filler; list movement at 3%/3%. */
export const SHILLING_GRID = {
  types: ATTACK_TYPES,
  sizes: [0.01, 0.03, 0.05],
  fillers: [0.01, 0.03, 0.05],
  seed: 1,
} as const;
export const SHILLING_MOVEMENT = {
  attackSize: 0.03,
  fillerSize: 0.03,
  // Beyond the classic models: a campaign spread over a year, and filler drawn like real users' tastes.
  variants: [{ campaignDays: 365 }, { fillerFrom: 'popular' }],
} as const;

/** The shilling evaluation on ml-latest-small: detector figures per planted attack and the lists' movement. */
export async function shillingAttackTable(mlDir: string): Promise<ShillingEvaluation> {
  const ml = await readMovieLens(mlDir);
  return evaluateShillingAttacks(ratingsAsEvents(ml.ratings), ml.items, SHILLING_GRID, SHILLING_MOVEMENT);
}

type Row = Record<string, string | number>;

/** The shilling evaluation as table rows: detection per planted attack, and the pushed item's place in the lists. */
export function shillingRows(result: ShillingEvaluation): { detection: Row[]; movement: Row[] } {
  const f = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(3)) : String(v));
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  const position = (p: { top10Share: number; medianRank: number }) =>
    `${(100 * p.top10Share).toFixed(2)}% / ${p.medianRank}`;
  return {
    detection: result.rows.map((r) => ({
      attack: r.type,
      size: pct(r.attackSize),
      filler: pct(r.fillerSize),
      'campaign days': r.campaignDays,
      'filler drawn': r.fillerFrom,
      attackers: r.attackers,
      'ROC-AUC': f(r.rocAuc),
      'precision at size': f(r.precisionAtSize),
      'flagged (attackers)': `${r.flagged} (${r.flaggedAttackers})`,
      'pushed item found': r.targetFound ? 'yes' : 'no',
    })),
    movement: result.movement.map((m) => ({
      attack: m.type,
      'pushed item': m.targetItemId,
      'before the attack': position(m.before),
      attacked: position(m.attacked),
      'attacked, flagged accounts discounted': position(m.attackedWithDiscount),
      'discounted (attackers)': `${m.discounted} (${m.discountedAttackers})`,
    })),
  };
}

/** Per attack type at 3% of users: does every filler size reach the targets? */
function shillingPass(result: ShillingEvaluation): Record<string, boolean> {
  return Object.fromEntries(
    ATTACK_TYPES.map((type) => {
      // The classic models (uniform filler, a 30-day campaign) the targets were set for.
      const rows = result.rows.filter(
        (r) =>
          r.type === type && r.attackSize === 0.03 && r.campaignDays === 30 && r.fillerFrom === 'uniform',
      );
      return [
        type,
        rows.length > 0 &&
          rows.every(
            (r) => r.rocAuc >= TARGETS.shillingRocAuc && r.precisionAtSize >= TARGETS.shillingPrecision,
          ),
      ];
    }),
  );
}

/** Runs the profile evaluation and prints a report (JSON with --json). */
export async function runProfilesEvaluation(options: {
  json: boolean;
  seed: number;
  horizon: number;
}): Promise<void> {
  const { json, seed, horizon } = options;

  const data = generateDemoData({ seed, now: DEMO_NOW });
  const demo = evaluateOnDemoData(data, DEMO_NOW, { churnHorizonDays: horizon });

  const dataRoot = process.env.MARQUEE_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
  const mlDir = path.join(dataRoot, 'movielens', 'ml-latest-small');
  let movielens: AnomalyQuality | { skipped: string };
  let shilling: ShillingEvaluation | { skipped: string };
  if (existsSync(mlDir)) {
    const ml = await readMovieLens(mlDir);
    movielens = evaluateAnomalyWithInjectedBots(ratingsAsEvents(ml.ratings), ml.items, { seed });
    shilling = await shillingAttackTable(mlDir);
  } else {
    movielens = { skipped: `MovieLens not found at ${mlDir}` };
    shilling = { skipped: `MovieLens not found at ${mlDir}` };
  }

  const report = {
    demo: {
      seed,
      users: data.users.length,
      events: data.events.length,
      ...demo,
    },
    movielensInjectedBots: movielens,
    movielensShillingAttacks: shilling,
    targets: TARGETS,
    pass: {
      churnRocAuc: demo.churn.rocAuc >= TARGETS.churnRocAuc,
      demoAnomalyRocAuc: demo.anomaly.rocAuc >= TARGETS.anomalyRocAuc,
      movielensAnomalyRocAuc: 'rocAuc' in movielens ? movielens.rocAuc >= TARGETS.anomalyRocAuc : null,
      shillingAt3PercentByType: 'rows' in shilling ? shillingPass(shilling) : null,
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
    ...('rows' in shilling ? shillingLines(shilling) : [`Shilling attacks: skipped (${shilling.skipped})`]),
    `Pass: ${JSON.stringify(report.pass)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function shillingLines(result: ShillingEvaluation): string[] {
  const { detection, movement } = shillingRows(result);
  const clean = result.clean;
  return [
    `Shilling attacks planted in MovieLens ml-latest-small (targets at 3%: ROC-AUC >= ${TARGETS.shillingRocAuc}, precision at the attack's size >= ${TARGETS.shillingPrecision})`,
    `  untouched log: ${clean.flagged} of ${clean.users} users flagged (false-positive rate ${(100 * clean.falsePositiveRate).toFixed(2)}%), ${clean.pushedItems} items called pushed`,
    ...markdownTable(detection).map((l) => `  ${l}`),
    "  the pushed item in EASE's lists of the real users (share of users with it in their top 10 / median rank):",
    ...markdownTable(movement).map((l) => `  ${l}`),
  ];
}

function markdownTable(rows: Row[]): string[] {
  const columns = Object.keys(rows[0] ?? {});
  return [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${columns.map((c) => String(row[c])).join(' | ')} |`),
  ];
}

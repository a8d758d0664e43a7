/**
 * Churn: rows labelled by whether a user active before a cut-off shows up in the horizon after it,
 * two algorithms fitted on an earlier window and measured on a later one, the better one served.
 */
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { featuresOfSorted, upperBound } from './features.ts';
import { type BoostedTreesModel, predictBoostedTrees, trainBoostedTrees } from './gradient-boosting.ts';
import { type LogisticModel, predictLogistic, trainLogisticRegression } from './logistic-regression.ts';
import { type ChurnAlgorithm, type ChurnModelMetadata, PROFILE_MODEL_NAMES } from './model-artifacts.ts';
import { rocAuc } from './roc-auc.ts';
import type { ProfileTrainingConfig } from './train.ts';
import { CHURN_COLUMNS, churnVector } from './vectors.ts';

const DAY_MS = 86_400_000;

/** The served churn model: whichever algorithm measured better on the held-out window. */
export type ChurnModel =
  | { algorithm: 'logistic-regression'; logistic: LogisticModel }
  | { algorithm: 'gradient-boosted-trees'; boosted: BoostedTreesModel };

/** P(churn) for one churn vector, by either algorithm. */
export function predictChurn(model: ChurnModel, row: readonly number[]): number {
  return model.algorithm === 'logistic-regression'
    ? predictLogistic(model.logistic, row)
    : predictBoostedTrees(model.boosted, row);
}

/**
 * Fits one churn algorithm. With too little data (fewer than 10 rows, or one class only) the answer is
 * a logistic model of the base rate for everyone, so a young deployment still serves a probability.
 */
function fitChurn(algorithm: ChurnAlgorithm, data: ChurnDataset): ChurnModel {
  const positives = data.labels.reduce((a, b) => a + b, 0);
  if (data.rows.length < 10 || positives === 0 || positives === data.rows.length) {
    const rate = (positives + 1) / (data.rows.length + 2);
    return {
      algorithm: 'logistic-regression',
      logistic: {
        coefficients: new Array<number>(CHURN_COLUMNS.length).fill(0),
        intercept: Math.log(rate / (1 - rate)),
      },
    };
  }
  return algorithm === 'logistic-regression'
    ? { algorithm, logistic: trainLogisticRegression(data.rows, data.labels) }
    : { algorithm, boosted: trainBoostedTrees(data.rows, data.labels) };
}

export interface ChurnDataset {
  userIds: string[];
  rows: number[][];
  /** 1 = no activity in the horizon after the cut-off. */
  labels: number[];
}

/**
 * Churn rows at a cut-off: users active in the window before it, features from events before it,
 * label 1 when they have no event in [cutoff, cutoff + horizon).
 */
export function churnDatasetAt(
  byUser: ReadonlyMap<string, InteractionEvent[]>,
  itemsById: ReadonlyMap<string, Item>,
  cutoff: number,
  horizonDays: number,
  activeWindowDays: number,
): ChurnDataset {
  const out: ChurnDataset = { userIds: [], rows: [], labels: [] };
  for (const [userId, events] of byUser) {
    const end = upperBound(events, cutoff);
    if (end === 0 || events[end - 1].timestamp < cutoff - activeWindowDays * DAY_MS) continue;
    const features = featuresOfSorted(userId, events.slice(0, end), itemsById, cutoff);
    const activeAfter = end < events.length && events[end].timestamp < cutoff + horizonDays * DAY_MS;
    out.userIds.push(userId);
    out.rows.push(churnVector(features));
    out.labels.push(activeAfter ? 0 : 1);
  }
  return out;
}

/** Churn model on a time split: fitted on the earlier window, measured on the later, refitted on the later. */
export function trainChurn(
  byUser: ReadonlyMap<string, InteractionEvent[]>,
  itemsById: ReadonlyMap<string, Item>,
  c: Pick<ProfileTrainingConfig, 'churnHorizonDays' | 'churnActiveWindowDays' | 'churnSwitchAuc'>,
  now: number,
  /** The live churn model's algorithm: kept unless the other measures clearly better. */
  liveAlgorithm?: ChurnAlgorithm,
) {
  const horizon = c.churnHorizonDays * DAY_MS;
  // Labels need an observed horizon, so the windows end where the data does: a retrain run weeks after
  // the last event (a stale or demo data set) would otherwise find no active users and no AUC at all.
  const latest = latestEventTime(byUser);
  const dataEnd = Number.isFinite(latest) ? Math.min(now, latest + 1) : now;
  // Time split: fit on the earlier window, measure on the later one nobody trained on.
  const train = churnDatasetAt(
    byUser,
    itemsById,
    dataEnd - 2 * horizon,
    c.churnHorizonDays,
    c.churnActiveWindowDays,
  );
  const test = churnDatasetAt(
    byUser,
    itemsById,
    dataEnd - horizon,
    c.churnHorizonDays,
    c.churnActiveWindowDays,
  );
  const { candidates, best } = measureCandidates(train, test, liveAlgorithm, c.churnSwitchAuc);
  const auc = best.auc;
  // The served model is refitted with the same settings on the latest labelled window.
  const model = fitChurn(best.algorithm, test);
  const metadata: ChurnModelMetadata = {
    name: PROFILE_MODEL_NAMES.churn,
    columns: [...CHURN_COLUMNS],
    algorithm: model.algorithm,
    candidates,
    horizonDays: c.churnHorizonDays,
    ...(model.algorithm === 'logistic-regression'
      ? { coefficients: model.logistic.coefficients, intercept: model.logistic.intercept }
      : {}),
    trainedCutoff: dataEnd - horizon,
    asOf: now,
  };
  return {
    model,
    metadata,
    metrics: {
      ...(auc === undefined ? {} : { auc }),
      trainRows: train.rows.length,
      testRows: test.rows.length,
      testChurnRate: test.labels.reduce((a, b) => a + b, 0) / Math.max(1, test.labels.length),
      algorithm: model.algorithm,
      candidates,
    },
  };
}

/** A churn algorithm and its AUC on the later window (absent when that window has one class). */
export interface MeasuredChurn {
  algorithm: ChurnAlgorithm;
  auc?: number;
}

/** Both algorithms fitted on the earlier window and measured on the later; `best` is the one to serve. */
function measureCandidates(
  train: ChurnDataset,
  test: ChurnDataset,
  liveAlgorithm?: ChurnAlgorithm,
  switchAuc = 0,
) {
  const candidates = (['logistic-regression', 'gradient-boosted-trees'] as const).map((algorithm) => {
    const fitted = fitChurn(algorithm, train);
    const auc = rocAuc(
      test.rows.map((r) => predictChurn(fitted, r)),
      test.labels,
    );
    // rocAuc is NaN with one class; absent says "not measurable" and stays storable.
    const measured: MeasuredChurn = Number.isFinite(auc) ? { algorithm, auc } : { algorithm };
    return measured;
  });
  const [logistic, boosted] = candidates;
  return { candidates, best: chooseChurnAlgorithm([logistic, boosted], liveAlgorithm, switchAuc) };
}

/**
 * The candidate to serve. Ties (and no AUC, when the window has one class) go to the simpler
 * logistic regression. The live version's algorithm stays unless the other's AUC is more than
 * `switchAuc` above it: the two often measure within a few thousandths of each other, and a nightly
 * flip moves many users' probabilities at once.
 */
export function chooseChurnAlgorithm(
  /** Logistic regression's, then gradient-boosted trees'. */
  candidates: readonly [MeasuredChurn, MeasuredChurn],
  liveAlgorithm?: ChurnAlgorithm,
  switchAuc = 0,
): MeasuredChurn {
  const aucOf = (candidate: MeasuredChurn) => candidate.auc ?? Number.NEGATIVE_INFINITY;
  const live = candidates.find((candidate) => candidate.algorithm === liveAlgorithm);
  const [first, second] = live ? [live, candidates.find((candidate) => candidate !== live)!] : candidates;
  const margin = live ? switchAuc : 1e-9;
  return aucOf(second) > aucOf(first) + margin ? second : first;
}

/** Epoch ms of the newest event (lists are sorted oldest first); -Infinity with no events. */
function latestEventTime(byUser: ReadonlyMap<string, InteractionEvent[]>): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const events of byUser.values()) {
    const last = events[events.length - 1];
    if (last && last.timestamp > latest) latest = last.timestamp;
  }
  return latest;
}

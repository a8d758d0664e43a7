/**
 * Offline evaluation: seeded splits and ranking metrics as defined by Microsoft Recommenders
 * (python_stratified_split with filter_by="item"; ranking_metrics precision/recall/nDCG/MAP@k with
 * binary relevance over the users present in the test set).
 */
import { createRandom, shuffleInPlace } from '#domain/random/seeded.ts';
import type { WeightedInteraction } from './interactions.ts';

/** A seeded PRNG (mulberry32, the demo generator's) returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  return createRandom(seed).next;
}

/** numpy's round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface Split<T> {
  train: T[];
  test: T[];
}

/** Per-item stratified random split: round(ratio x n) of each item's rows go to train. */
export function stratifiedSplit<T extends { itemId: string }>(
  rows: readonly T[],
  ratio: number,
  seed: number,
): Split<T> {
  const byItem = new Map<string, T[]>();
  for (const row of shuffleInPlace([...rows], createRandom(seed))) {
    const list = byItem.get(row.itemId) ?? [];
    list.push(row);
    byItem.set(row.itemId, list);
  }
  const train: T[] = [];
  const test: T[] = [];
  for (const list of byItem.values()) {
    const cut = roundHalfEven(ratio * list.length);
    train.push(...list.slice(0, cut));
    test.push(...list.slice(cut));
  }
  return { train, test };
}

/** Each user's latest `holdout` fraction (by timestamp) goes to test; users keep at least one train row. */
export function temporalSplit<T extends { userId: string; timestamp: number }>(
  rows: readonly T[],
  holdout: number,
): Split<T> {
  const byUser = new Map<string, T[]>();
  for (const row of rows) {
    const list = byUser.get(row.userId) ?? [];
    list.push(row);
    byUser.set(row.userId, list);
  }
  const train: T[] = [];
  const test: T[] = [];
  for (const list of byUser.values()) {
    list.sort((a, b) => a.timestamp - b.timestamp);
    const testCount = list.length < 2 ? 0 : Math.max(1, Math.floor(holdout * list.length));
    train.push(...list.slice(0, list.length - testCount));
    test.push(...list.slice(list.length - testCount));
  }
  return { train, test };
}

/** Holdout for the retrain quality gate: the latest `holdout` fraction of all events, by time. */
export function globalTimeSplit<T extends { timestamp: number }>(
  rows: readonly T[],
  holdout: number,
): Split<T> {
  const sorted = [...rows].sort((a, b) => a.timestamp - b.timestamp);
  const cut = Math.floor(sorted.length * (1 - holdout));
  return { train: sorted.slice(0, cut), test: sorted.slice(cut) };
}

export interface RankingMetrics {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  /** Share of the catalog appearing in at least one user's top-k. */
  coverage: number;
  users: number;
}

/** Metrics at k over every user with test items; `recommended` maps user to ranked item ids. */
export function rankingMetrics(
  recommended: Map<string, string[]>,
  relevant: Map<string, Set<string>>,
  k: number,
  catalogSize: number,
): RankingMetrics {
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  let map = 0;
  let users = 0;
  const shown = new Set<string>();
  for (const [userId, truth] of relevant) {
    const recs = (recommended.get(userId) ?? []).slice(0, k);
    for (const r of recs) shown.add(r);
    if (truth.size === 0) continue;
    users++;
    let hits = 0;
    let dcg = 0;
    let ap = 0;
    recs.forEach((itemId, rank) => {
      if (!truth.has(itemId)) return;
      hits++;
      dcg += 1 / Math.log2(rank + 2);
      ap += hits / (rank + 1);
    });
    let idcg = 0;
    for (let r = 0; r < Math.min(truth.size, k); r++) idcg += 1 / Math.log2(r + 2);
    precision += hits / k;
    recall += hits / truth.size;
    ndcg += dcg / idcg;
    map += ap / Math.min(truth.size, k);
  }
  const d = Math.max(users, 1);
  return {
    precision: precision / d,
    recall: recall / d,
    ndcg: ndcg / d,
    map: map / d,
    coverage: catalogSize > 0 ? shown.size / catalogSize : 0,
    users,
  };
}

/** Test rows grouped into per-user sets of positive items. */
export function relevantByUser(test: readonly WeightedInteraction[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const row of test) {
    if (row.weight <= 0) continue;
    const set = out.get(row.userId) ?? new Set<string>();
    set.add(row.itemId);
    out.set(row.userId, set);
  }
  return out;
}

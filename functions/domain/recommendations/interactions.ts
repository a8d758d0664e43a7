/**
 * From events to the user x item matrix every model trains on. Event types weigh differently
 * (complete > play > view; dislike and skip count against); the weights are configuration.
 */
import { type EventType, type InteractionEvent, isUserSignal } from '#domain/catalog/types.ts';

export type EventWeights = Record<EventType, number>;

/** Default weights; `rate` is scaled by how far the rating sits from the scale's middle. */
export const DEFAULT_EVENT_WEIGHTS: EventWeights = {
  view: 1,
  play: 2,
  complete: 4,
  like: 3,
  purchase: 4,
  rate: 1,
  dislike: -4,
  skip: -1.5,
  // Being shown an item says nothing about liking it; pressing it says a little.
  impression: 0,
  click: 0.5,
};

/** One aggregated (user, item) signal; `weight` may be negative (disliked, skipped). */
export interface WeightedInteraction {
  userId: string;
  itemId: string;
  weight: number;
  /** Epoch milliseconds of the latest event. */
  timestamp: number;
}

/** Weight of one event under `weights`; a rating of 3 out of 5 is neutral-positive. */
export function eventWeight(event: Pick<InteractionEvent, 'type' | 'value'>, weights: EventWeights): number {
  if (event.type === 'rate') {
    const rating = event.value ?? 3;
    return weights.rate * (rating >= 3 ? 1 : -1);
  }
  return weights[event.type];
}

/**
 * Sums event weights per (user, item); keeps the latest timestamp. Impressions are skipped: a list
 * shown after a play must not move the pair's time (session models read it) nor make a pair.
 */
export function aggregateEvents(
  events: readonly InteractionEvent[],
  weights: EventWeights,
): WeightedInteraction[] {
  const byPair = new Map<string, WeightedInteraction>();
  for (const e of events) {
    if (!isUserSignal(e)) continue;
    const key = `${e.userId}\u0000${e.itemId}`;
    const w = eventWeight(e, weights);
    const existing = byPair.get(key);
    if (existing) {
      existing.weight += w;
      existing.timestamp = Math.max(existing.timestamp, e.timestamp);
    } else byPair.set(key, { userId: e.userId, itemId: e.itemId, weight: w, timestamp: e.timestamp });
  }
  return [...byPair.values()];
}

/** Compressed sparse rows: users x items, positive signals only (capped). */
export interface InteractionMatrix {
  userIds: string[];
  itemIds: string[];
  userIndex: Map<string, number>;
  itemIndex: Map<string, number>;
  rowPtr: Int32Array;
  cols: Int32Array;
  values: Float32Array;
  /** Epoch ms of each entry's latest event (parallel to `values`): which items were taken close together. */
  times: Float64Array;
}

export interface MatrixOptions {
  /** Items in the catalog (columns) even if nobody interacted; order kept. */
  itemIds?: readonly string[];
  /** Signals above this are capped so one binge does not dominate (default 5). */
  maxWeight?: number;
  /** Binary (every positive = 1), as in the MovieLens benchmark protocol. */
  binary?: boolean;
}

/** Builds the CSR matrix; non-positive aggregated signals are dropped from training. */
export function buildMatrix(
  interactions: readonly WeightedInteraction[],
  options: MatrixOptions = {},
): InteractionMatrix {
  const maxWeight = options.maxWeight ?? 5;
  const itemIndex = new Map<string, number>();
  const itemIds: string[] = [];
  for (const id of options.itemIds ?? []) {
    if (!itemIndex.has(id)) {
      itemIndex.set(id, itemIds.length);
      itemIds.push(id);
    }
  }
  const userIndex = new Map<string, number>();
  const userIds: string[] = [];
  const rows: { col: number; value: number; time: number }[][] = [];
  for (const x of interactions) {
    if (x.weight <= 0) continue;
    let u = userIndex.get(x.userId);
    if (u === undefined) {
      u = userIds.length;
      userIndex.set(x.userId, u);
      userIds.push(x.userId);
      rows.push([]);
    }
    let i = itemIndex.get(x.itemId);
    if (i === undefined) {
      i = itemIds.length;
      itemIndex.set(x.itemId, i);
      itemIds.push(x.itemId);
    }
    rows[u].push({ col: i, value: options.binary ? 1 : Math.min(x.weight, maxWeight), time: x.timestamp });
  }
  const rowPtr = new Int32Array(userIds.length + 1);
  let nnz = 0;
  for (let u = 0; u < rows.length; u++) {
    nnz += rows[u].length;
    rowPtr[u + 1] = nnz;
  }
  const cols = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  const times = new Float64Array(nnz);
  let p = 0;
  for (const row of rows) {
    row.sort((a, b) => a.col - b.col);
    for (const { col, value, time } of row) {
      cols[p] = col;
      values[p] = value;
      times[p] = time;
      p++;
    }
  }
  return { userIds, itemIds, userIndex, itemIndex, rowPtr, cols, values, times };
}

/** Number of users with a positive signal per item. */
export function itemCounts(matrix: InteractionMatrix): Float64Array {
  const counts = new Float64Array(matrix.itemIds.length);
  for (let p = 0; p < matrix.cols.length; p++) counts[matrix.cols[p]] += 1;
  return counts;
}

/** A user's history as item indices and weights (row `u`). */
export function userRow(matrix: InteractionMatrix, u: number): { items: Int32Array; weights: Float32Array } {
  return {
    items: matrix.cols.subarray(matrix.rowPtr[u], matrix.rowPtr[u + 1]),
    weights: matrix.values.subarray(matrix.rowPtr[u], matrix.rowPtr[u + 1]),
  };
}

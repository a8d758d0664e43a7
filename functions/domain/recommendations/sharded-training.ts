/**
 * EASE and ALS trained over shards of users, so the work can run on many machines (a Step Functions
 * Distributed Map in AWS) and be summed or stitched back at a reduce step. Each function here is the
 * work of one shard task or one reduce, over plain data; `trainShardedEase` and `trainShardedAls`
 * run them all in one process, as the local reference and the tests do.
 *
 * EASE: X'X is a sum over users, so the Gram is the sum of per-shard partial Grams.
 * ALS: a half-step solves each row independently given the other side's factors, so a user shard
 * solves its users given all item factors, and an item shard its items given all user factors.
 */
import {
  type AlsModel,
  type AlsOptions,
  alsModelOf,
  DEFAULT_ALS_OPTIONS,
  initialItemFactors,
  solveSide,
  transpose,
} from './als.ts';
import {
  DEFAULT_EASE_OPTIONS,
  type EaseModel,
  type EaseOptions,
  easeWeightsFromGram,
  gramMatrix,
  pairWeight,
  selectModelledItems,
} from './ease.ts';
import { decodeFactorBlock, encodeFactorBlock, type FactorBlock } from './factor-file.ts';
import { buildMatrix, type InteractionMatrix, itemCounts, type WeightedInteraction } from './interactions.ts';

/** The user shard (0..shardCount-1) a user falls in: FNV-1a of the id, the same on every machine and run. */
export function userShardOf(userId: string, shardCount: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shardCount;
}

/** Splits rows into `shardCount` user shards; every row of one user lands in the same shard. */
export function shardByUser<T extends { userId: string }>(rows: readonly T[], shardCount: number): T[][] {
  const shards: T[][] = Array.from({ length: shardCount }, () => []);
  for (const row of rows) shards[userShardOf(row.userId, shardCount)].push(row);
  return shards;
}

/**
 * One shard's users x items matrix over the whole catalog's columns (`itemIds`, fixed for the run),
 * so every shard's column k is the same item.
 */
export function shardMatrix(
  rows: readonly WeightedInteraction[],
  itemIds: readonly string[],
  binary = false,
): InteractionMatrix {
  const matrix = buildMatrix(rows, { itemIds, binary });
  if (matrix.itemIds.length !== itemIds.length)
    throw new Error(
      `a user shard holds ${matrix.itemIds.length - itemIds.length} items outside the run's catalog`,
    );
  return matrix;
}

/** Adds `partial` into `total` element-wise (same length): the reduce of per-shard sums. */
export function addInto<T extends Float32Array | Float64Array>(total: T, partial: ArrayLike<number>): T {
  if (total.length !== partial.length)
    throw new Error(`partial of length ${partial.length} added to a total of length ${total.length}`);
  for (let i = 0; i < total.length; i++) total[i] += partial[i];
  return total;
}

/** Users with a positive signal per item, summed over shards (the modelled items are chosen from it). */
export function summedItemCounts(shards: readonly InteractionMatrix[], items: number): Float64Array {
  const total = new Float64Array(items);
  for (const shard of shards) addInto(total, itemCounts(shard));
  return total;
}

/** A shard task's partial Gram: X_s'X_s over the modelled items (row-major n x n, float32). */
export const partialGram = gramMatrix;

/** EASE from its reduce: the summed Gram and the item counts of the whole run. */
export async function easeFromSummedGram(
  gram: Float32Array,
  counts: Float64Array,
  modelled: Int32Array,
  itemIds: string[],
  options: EaseOptions,
): Promise<EaseModel> {
  const weights = await easeWeightsFromGram(gram, modelled.length, options.lambda);
  const columnScale = Float32Array.from(modelled, (item) => counts[item] ** -options.popularityExponent);
  return { kind: 'ease', options, itemIds, modelled, weights, columnScale };
}

/** EASE over user shards in one process: counts, partial Grams and their sum, then the inverse. */
export async function trainShardedEase(
  shards: readonly InteractionMatrix[],
  itemIds: string[],
  options: EaseOptions = DEFAULT_EASE_OPTIONS,
): Promise<EaseModel> {
  const counts = summedItemCounts(shards, itemIds.length);
  const modelled = selectModelledItems(counts, options.maxItems, options.minSupport);
  const gram = new Float32Array(modelled.length * modelled.length);
  const weigh = pairWeight(options);
  for (const shard of shards) addInto(gram, partialGram(shard, modelled, weigh));
  return easeFromSummedGram(gram, counts, modelled, itemIds, options);
}

/** An item shard: some items' columns, each listing the users (global user index) holding it. */
export interface ItemShard {
  /** Catalog indices of this shard's items, ascending. */
  items: Int32Array;
  /** CSR over `items`: rows[ptr[k]..ptr[k+1]) are the users of items[k], with their values. */
  ptr: Int32Array;
  rows: Int32Array;
  values: Float32Array;
}

/** The global user index of each user shard's first user (users numbered shard after shard). */
export function userOffsets(shards: readonly InteractionMatrix[]): Int32Array {
  const offsets = new Int32Array(shards.length + 1);
  shards.forEach((shard, s) => {
    offsets[s + 1] = offsets[s] + shard.userIds.length;
  });
  return offsets;
}

/**
 * How many item shards a run needs so that each item task holds about `interactionsPerShard`
 * interactions: the item step's work and memory are bounded by that, not by the user shard count.
 */
export function itemShardCountFor(interactions: number, interactionsPerShard: number): number {
  return Math.max(1, Math.ceil(interactions / interactionsPerShard));
}

/**
 * The item shard of each item (catalog index -> shard), balancing interactions: items from the most
 * interacted down each go to the least loaded shard, so no shard holds more than an even share plus
 * one item's users (a popular item can hold a few percent of all interactions on its own).
 */
export function itemShardOfEach(counts: ArrayLike<number>, shardCount: number): Int32Array {
  const order = Array.from({ length: counts.length }, (_, i) => i).sort(
    (a, b) => counts[b] - counts[a] || a - b,
  );
  const load = new Float64Array(shardCount);
  const shardOf = new Int32Array(counts.length);
  for (const item of order) {
    let least = 0;
    for (let s = 1; s < shardCount; s++) if (load[s] < load[least]) least = s;
    shardOf[item] = least;
    load[least] += counts[item];
  }
  return shardOf;
}

/**
 * The run's item shards, each listing its items ascending; `shardOf` assigns each item (by default
 * balanced by these shards' interactions, `itemShardOfEach`; a caller holding only some user shards
 * passes the whole run's assignment, so every part agrees on it).
 */
export function itemShardsOf(
  shards: readonly InteractionMatrix[],
  items: number,
  shardCount: number,
  shardOf: Int32Array = itemShardOfEach(summedItemCounts(shards, items), shardCount),
): ItemShard[] {
  const columns = shards.map((shard) => transpose(shard, itemCounts(shard)));
  return Array.from({ length: shardCount }, (_, s) => {
    const mine: number[] = [];
    for (let i = 0; i < items; i++) if (shardOf[i] === s) mine.push(i);
    const slices = columns.map((t, u) => ({ ...columnSlice(t, mine), users: shards[u].userIds.length }));
    return joinItemSlices(mine, slices);
  });
}

/** One user shard's columns `items` (catalog indices), rows local to that shard. */
function columnSlice(t: ReturnType<typeof transpose>, items: readonly number[]) {
  const ptr = new Int32Array(items.length + 1);
  const rows: number[] = [];
  const values: number[] = [];
  items.forEach((item, k) => {
    for (let q = t.ptr[item]; q < t.ptr[item + 1]; q++) {
      rows.push(t.rows[q]);
      values.push(t.values[q]);
    }
    ptr[k + 1] = rows.length;
  });
  return { ptr, rows, values };
}

/** One user shard's part of an item shard: per item (in the shard's order) its users, local rows. */
export interface ItemSlicePart {
  ptr: ArrayLike<number>;
  rows: ArrayLike<number>;
  values: ArrayLike<number>;
  /** Users of that user shard (the next shard's rows start after them). */
  users: number;
}

/**
 * Item shard holding `items`, joined from every user shard's slice of it (in user shard order):
 * each item's users, user shard after user shard, numbered as the shards concatenated. The scan
 * snapshot joins slices it cut in memory, the export snapshot slices it read back from S3.
 */
export function joinItemSlices(items: ArrayLike<number>, slices: readonly ItemSlicePart[]): ItemShard {
  const ptr = new Int32Array(items.length + 1);
  const rows: number[] = [];
  const values: number[] = [];
  for (let k = 0; k < items.length; k++) {
    let offset = 0;
    for (const slice of slices) {
      for (let q = slice.ptr[k]; q < slice.ptr[k + 1]; q++) {
        rows.push(offset + slice.rows[q]);
        values.push(slice.values[q]);
      }
      offset += slice.users;
    }
    ptr[k + 1] = rows.length;
  }
  return {
    items: Int32Array.from(items),
    ptr,
    rows: Int32Array.from(rows),
    values: Float32Array.from(values),
  };
}

/**
 * The users an item shard touches, numbered compactly, so its task holds only their factors (at
 * most one row per interaction of the shard) instead of every user's.
 */
export interface TouchedUsers {
  /** Users touched. */
  count: number;
  /** Global user index -> compact index, or -1 when the shard does not touch that user. */
  compactOf: Int32Array;
  /** The shard's `rows` renumbered to compact indices (same order as the shard's `rows`). */
  rows: Int32Array;
}

/** Numbers the users of `shard` compactly, in the order they first appear. */
export function touchedUsers(shard: ItemShard): TouchedUsers {
  let highest = -1;
  for (const row of shard.rows) highest = Math.max(highest, row);
  const compactOf = new Int32Array(highest + 1).fill(-1);
  const rows = new Int32Array(shard.rows.length);
  let count = 0;
  shard.rows.forEach((row, q) => {
    if (compactOf[row] < 0) compactOf[row] = count++;
    rows[q] = compactOf[row];
  });
  return { count, compactOf, rows };
}

/**
 * The touched users' factors (touched x d, float32 as stored) and every user's Gram U'U, gathered
 * from the user shards' factor files read one at a time in shard order (user shard s holds global
 * users offsets[s]..offsets[s+1]), so a task never holds more than one block beyond its own rows.
 */
export class TouchedUserFactors {
  readonly factors: Float32Array;
  readonly gram: Float64Array;
  private offset = 0;

  constructor(
    private readonly touched: TouchedUsers,
    private readonly d: number,
  ) {
    this.factors = new Float32Array(touched.count * d);
    this.gram = new Float64Array(d * d);
  }

  /** Takes the next user shard's block (blocks must come in shard order). */
  add(block: FactorBlock): void {
    const { d, touched } = this;
    const end = Math.min(this.offset + block.rows.length, touched.compactOf.length);
    for (let user = this.offset; user < end; user++) {
      const k = touched.compactOf[user];
      if (k < 0) continue;
      const from = (user - this.offset) * d;
      this.factors.set(block.factors.subarray(from, from + d), k * d);
    }
    addInto(this.gram, block.gram);
    this.offset += block.rows.length;
  }
}

/** Every item's factors (items x d, float32 as stored) and their Gram Y'Y, from the item shards' factor files. */
export function itemSideOf(
  blocks: Iterable<FactorBlock>,
  items: number,
  d: number,
): { factors: Float32Array; gram: Float64Array } {
  const factors = new Float32Array(items * d);
  const gram = new Float64Array(d * d);
  for (const block of blocks) {
    scatterRows(factors, block.rows, block.factors, d);
    addInto(gram, block.gram);
  }
  return { factors, gram };
}

/** A user shard's factor file rows: its own users, 0..count-1. */
export const ownRows = (count: number) => Int32Array.from({ length: count }, (_, row) => row);

/**
 * A user shard's half-step: its users' factors (users x factors, warm-started from `previous`)
 * given every item's factors and, when known, their Gram Y'Y.
 */
export function alsUserHalfStep(
  shard: InteractionMatrix,
  previous: Float64Array,
  itemFactors: Float32Array | Float64Array,
  options: AlsOptions,
  itemGram?: Float64Array,
): Float64Array {
  const next = Float64Array.from(previous);
  solveSide(
    next,
    itemFactors,
    shard.rowPtr,
    shard.cols,
    shard.values,
    shard.userIds.length,
    options.factors,
    options,
    itemGram,
  );
  return next;
}

/**
 * An item shard's half-step: its items' factors (shard items x factors, warm-started from
 * `previous`) given the factors of the users it touches (numbered by `touched`) and every user's
 * Gram U'U (the sum of the user blocks' Grams).
 */
export function alsItemHalfStep(
  shard: ItemShard,
  touched: TouchedUsers,
  previous: Float64Array,
  userFactors: Float32Array,
  userGram: Float64Array,
  options: AlsOptions,
): Float64Array {
  const next = Float64Array.from(previous);
  solveSide(
    next,
    userFactors,
    shard.ptr,
    touched.rows,
    shard.values,
    shard.items.length,
    options.factors,
    options,
    userGram,
  );
  return next;
}

/** Copies `rows` of a factor matrix (rows x d) into a compact block (float64, as the solves use). */
export function gatherRows(factors: Float32Array | Float64Array, rows: Int32Array, d: number): Float64Array {
  const block = new Float64Array(rows.length * d);
  rows.forEach((row, k) => {
    block.set(factors.subarray(row * d, (row + 1) * d), k * d);
  });
  return block;
}

/** Writes a shard's block of factor rows back into the whole factor matrix (rows x d). */
export function scatterRows(
  factors: Float32Array | Float64Array,
  rows: Int32Array,
  block: Float32Array | Float64Array,
  d: number,
): void {
  rows.forEach((row, k) => {
    factors.set(block.subarray(k * d, (k + 1) * d), row * d);
  });
}

/** What a half-step task stores for the other side: its block through the factor file codec. */
const stored = (rows: Int32Array, factors: Float64Array, d: number) =>
  decodeFactorBlock(encodeFactorBlock(rows, factors, d));

/**
 * ALS over user shards in one process: each iteration every user shard solves its users, then every
 * item shard its items, exactly the half-steps a Distributed Map runs per shard, and each side's
 * factors pass between them as the tasks store them (float32 factor files with their Grams).
 */
export function trainShardedAls(
  shards: readonly InteractionMatrix[],
  itemIds: string[],
  itemShardCount: number,
  options: AlsOptions = DEFAULT_ALS_OPTIONS,
): AlsModel {
  const d = options.factors;
  const itemShards = itemShardsOf(shards, itemIds.length, itemShardCount);
  const touched = itemShards.map(touchedUsers);
  const initial = initialItemFactors(itemIds.length, options);
  let userBlocks: FactorBlock[] = [];
  let itemBlocks: FactorBlock[] = [];
  for (let it = 0; it < options.iterations; it++) {
    const items =
      it === 0 ? { factors: initial, gram: undefined } : itemSideOf(itemBlocks, itemIds.length, d);
    userBlocks = shards.map((shard, s) => {
      const previous =
        it === 0 ? new Float64Array(shard.userIds.length * d) : Float64Array.from(userBlocks[s].factors);
      const next = alsUserHalfStep(shard, previous, items.factors, options, items.gram);
      return stored(ownRows(shard.userIds.length), next, d);
    });
    itemBlocks = itemShards.map((shard, k) => {
      const users = new TouchedUserFactors(touched[k], d);
      for (const block of userBlocks) users.add(block);
      const previous =
        it === 0 ? gatherRows(initial, shard.items, d) : Float64Array.from(itemBlocks[k].factors);
      const next = alsItemHalfStep(shard, touched[k], previous, users.factors, users.gram, options);
      return stored(shard.items, next, d);
    });
  }
  const trained = itemBlocks.length > 0 ? itemSideOf(itemBlocks, itemIds.length, d).factors : initial;
  return alsModelOf(itemIds, Float64Array.from(trained), options);
}

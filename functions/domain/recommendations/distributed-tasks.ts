/**
 * The tasks of the distributed retrain (the Step Functions state machine of infra/constructs/
 * retrain-state-machine.ts): each reads and writes files of one run under `runs/<runId>/` through
 * the artifact port, so the machine's state only carries shard names, never data (a Map's state is
 * capped at 256 KB). The work itself is sharded-training.ts; this module only moves it in and out.
 *
 *   snapshot  -> user shard files (bounded events each), item shard files, the run's plan
 *   shard     -> one user shard's partial EASE Gram over the modelled items
 *   alsUsers  -> one user shard's factors given every item shard's factors
 *   alsItems  -> one item shard's factors given every user shard's factors
 *   reduce    -> the summed Gram inverted (EASE) and the item factors gathered (ALS)
 */
import type { ArtifactStore } from '#domain/models/registry.ts';
import {
  type AlsModel,
  type AlsOptions,
  alsModelOf,
  DEFAULT_ALS_OPTIONS,
  initialItemFactors,
} from './als.ts';
import { DEFAULT_EASE_OPTIONS, type EaseModel, type EaseOptions, selectModelledItems } from './ease.ts';
import { buildMatrix, type InteractionMatrix, type WeightedInteraction } from './interactions.ts';
import {
  addInto,
  alsItemHalfStep,
  alsUserHalfStep,
  easeFromSummedGram,
  gatherRows,
  type ItemShard,
  itemShardsOf,
  partialGram,
  scatterRows,
  shardByUser,
  shardMatrix,
  summedItemCounts,
} from './sharded-training.ts';

/** What the snapshot decides once for the whole run, read by every later task. */
export interface DistributedPlan {
  runId: string;
  itemIds: string[];
  /** Catalog indices of the items EASE models (chosen from the whole run's counts). */
  modelled: number[];
  counts: number[];
  userShards: number;
  itemShards: number;
  ease: EaseOptions;
  als: AlsOptions;
  binary: boolean;
}

/** The state the machine carries between tasks: names of shards, never their data. */
export interface DistributedRunState {
  runId: string;
  userShards: { runId: string; shard: number }[];
  itemShards: { runId: string; shard: number }[];
  als: { iteration: number; iterations: number };
}

/** A task that failed on one shard, named so the failed execution says which. */
export class ShardTaskError extends Error {
  override name = 'ShardTaskError';
  constructor(task: string, shard: number, cause: unknown) {
    super(`${task} failed on shard ${shard}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

export interface SnapshotOptions {
  /** Interactions per user shard at most (on average: users are hashed, not packed). */
  interactionsPerShard: number;
  itemShards: number;
  ease: EaseOptions;
  als: AlsOptions;
  binary: boolean;
}

export const DEFAULT_SNAPSHOT_OPTIONS: SnapshotOptions = {
  interactionsPerShard: 200_000,
  itemShards: 4,
  ease: DEFAULT_EASE_OPTIONS,
  als: DEFAULT_ALS_OPTIONS,
  binary: false,
};

const key = {
  plan: (runId: string) => `runs/${runId}/plan.json`,
  userShard: (runId: string, s: number) => `runs/${runId}/users/${s}.json`,
  itemShard: (runId: string, s: number) => `runs/${runId}/items/${s}.json`,
  gram: (runId: string, s: number) => `runs/${runId}/gram/${s}.f32`,
  userFactors: (runId: string, s: number, it: number) => `runs/${runId}/als/users-${s}-${it}.f64`,
  itemFactors: (runId: string, s: number, it: number) => `runs/${runId}/als/items-${s}-${it}.f64`,
};

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const parsed = async <T>(store: ArtifactStore, k: string): Promise<T> =>
  JSON.parse(new TextDecoder().decode(await store.get(k))) as T;
const bytesOf = (a: Float32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const float64 = async (store: ArtifactStore, k: string) => {
  const b = await store.get(k);
  return new Float64Array(b.slice().buffer);
};

/** Runs `work` for one shard; any failure becomes a ShardTaskError naming the task and shard. */
async function onShard<T>(task: string, shard: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new ShardTaskError(task, shard, error);
  }
}

/**
 * The snapshot: splits the run's interactions into user shards of bounded size and item shards,
 * writes them and the plan, and returns the machine's state.
 */
export async function snapshotTask(
  store: ArtifactStore,
  runId: string,
  interactions: readonly WeightedInteraction[],
  catalogItemIds: readonly string[],
  options: SnapshotOptions = DEFAULT_SNAPSHOT_OPTIONS,
): Promise<DistributedRunState> {
  const whole = buildMatrix(interactions, { itemIds: catalogItemIds, binary: options.binary });
  const userShardCount = Math.max(1, Math.ceil(whole.cols.length / options.interactionsPerShard));
  const shards = shardByUser(interactions, userShardCount);
  await Promise.all(shards.map((rows, s) => store.put(key.userShard(runId, s), json(rows))));
  const matrices = shards.map((rows) => shardMatrix(rows, whole.itemIds, options.binary));
  const state = await writeRunPlan(
    store,
    runId,
    summedItemCounts(matrices, whole.itemIds.length),
    whole.itemIds,
    matrices.length,
    options,
  );
  const itemShards = itemShardsOf(matrices, whole.itemIds.length, options.itemShards);
  await Promise.all(itemShards.map((shard, s) => writeItemShard(store, runId, s, shard)));
  return state;
}

/**
 * The run's plan from its item counts (users with a positive signal per catalog column `itemIds`)
 * and the machine's state: shared by the scan snapshot and the export snapshot (export-snapshot.ts),
 * which write the user and item shard files themselves.
 */
export async function writeRunPlan(
  store: ArtifactStore,
  runId: string,
  counts: Float64Array,
  itemIds: string[],
  userShards: number,
  options: SnapshotOptions,
): Promise<DistributedRunState> {
  const plan: DistributedPlan = {
    runId,
    itemIds,
    modelled: Array.from(selectModelledItems(counts, options.ease.maxItems, options.ease.minSupport)),
    counts: Array.from(counts),
    userShards,
    itemShards: options.itemShards,
    ease: options.ease,
    als: options.als,
    binary: options.binary,
  };
  await store.put(key.plan(runId), json(plan));
  const shards = (n: number) => Array.from({ length: n }, (_, shard) => ({ runId, shard }));
  return {
    runId,
    userShards: shards(userShards),
    itemShards: shards(options.itemShards),
    als: { iteration: 0, iterations: options.als.iterations },
  };
}

/** Writes item shard `s` of the run (its file's one format, read by readItemShard). */
export async function writeItemShard(store: ArtifactStore, runId: string, s: number, shard: ItemShard) {
  await store.put(
    key.itemShard(runId, s),
    json({
      items: Array.from(shard.items),
      ptr: Array.from(shard.ptr),
      rows: Array.from(shard.rows),
      values: Array.from(shard.values),
    }),
  );
}

/** The run's plan, as the snapshot wrote it. */
export async function readPlan(store: ArtifactStore, runId: string): Promise<DistributedPlan> {
  return parsed<DistributedPlan>(store, key.plan(runId));
}

/** One user shard's train interactions as a matrix over the plan's columns. */
export async function readUserShard(
  store: ArtifactStore,
  plan: DistributedPlan,
  shard: number,
): Promise<InteractionMatrix> {
  const rows = await parsed<WeightedInteraction[]>(store, key.userShard(plan.runId, shard));
  return shardMatrix(rows, plan.itemIds, plan.binary);
}

async function readItemShard(store: ArtifactStore, runId: string, shard: number): Promise<ItemShard> {
  const raw = await parsed<Record<keyof ItemShard, number[]>>(store, key.itemShard(runId, shard));
  return {
    items: Int32Array.from(raw.items),
    ptr: Int32Array.from(raw.ptr),
    rows: Int32Array.from(raw.rows),
    values: Float32Array.from(raw.values),
  };
}

/** One user shard's partial EASE Gram, written for the reduce. */
export async function shardTask(
  store: ArtifactStore,
  runId: string,
  shard: number,
): Promise<{ shard: number }> {
  return onShard('shard', shard, async () => {
    const plan = await readPlan(store, runId);
    const matrix = await readUserShard(store, plan, shard);
    await store.put(key.gram(runId, shard), bytesOf(partialGram(matrix, Int32Array.from(plan.modelled))));
    return { shard };
  });
}

/** Every item's factors after `iteration` half-steps (the seeded start before the first). */
async function allItemFactors(
  store: ArtifactStore,
  plan: DistributedPlan,
  iteration: number,
): Promise<Float64Array> {
  const d = plan.als.factors;
  if (iteration === 0) return initialItemFactors(plan.itemIds.length, plan.als);
  const all = new Float64Array(plan.itemIds.length * d);
  for (let s = 0; s < plan.itemShards; s++) {
    const shard = await readItemShard(store, plan.runId, s);
    scatterRows(all, shard.items, await float64(store, key.itemFactors(plan.runId, s, iteration)), d);
  }
  return all;
}

/** A user shard's ALS half-step of `iteration` (0-based), warm-started from its previous factors. */
export async function alsUserTask(
  store: ArtifactStore,
  runId: string,
  shard: number,
  iteration: number,
): Promise<{ shard: number }> {
  return onShard('alsUsers', shard, async () => {
    const plan = await readPlan(store, runId);
    const matrix = await readUserShard(store, plan, shard);
    const previous =
      iteration === 0
        ? new Float64Array(matrix.userIds.length * plan.als.factors)
        : await float64(store, key.userFactors(runId, shard, iteration));
    const next = alsUserHalfStep(matrix, previous, await allItemFactors(store, plan, iteration), plan.als);
    await store.put(key.userFactors(runId, shard, iteration + 1), bytesOf(next));
    return { shard };
  });
}

/** An item shard's ALS half-step of `iteration`, given every user shard's new factors. */
export async function alsItemTask(
  store: ArtifactStore,
  runId: string,
  shard: number,
  iteration: number,
): Promise<{ shard: number }> {
  return onShard('alsItems', shard, async () => {
    const plan = await readPlan(store, runId);
    const blocks: Float64Array[] = [];
    for (let s = 0; s < plan.userShards; s++)
      blocks.push(await float64(store, key.userFactors(runId, s, iteration + 1)));
    const userFactors = new Float64Array(blocks.reduce((n, b) => n + b.length, 0));
    let offset = 0;
    for (const block of blocks) {
      userFactors.set(block, offset);
      offset += block.length;
    }
    const items = await readItemShard(store, runId, shard);
    const previous = gatherRows(await allItemFactors(store, plan, iteration), items.items, plan.als.factors);
    const next = alsItemHalfStep(items, previous, userFactors, plan.als);
    await store.put(key.itemFactors(runId, shard, iteration + 1), bytesOf(next));
    return { shard };
  });
}

/** The reduce: EASE from the summed partial Grams, ALS from the last item factors. */
export async function reduceTask(
  store: ArtifactStore,
  runId: string,
): Promise<{ ease: EaseModel; als: AlsModel }> {
  const plan = await readPlan(store, runId);
  const modelled = Int32Array.from(plan.modelled);
  const gram = new Float32Array(modelled.length * modelled.length);
  for (let s = 0; s < plan.userShards; s++) {
    const partial = await store.get(key.gram(runId, s));
    addInto(gram, new Float32Array(partial.slice().buffer));
  }
  const ease = await easeFromSummedGram(
    gram,
    Float64Array.from(plan.counts),
    modelled,
    plan.itemIds,
    plan.ease,
  );
  const als = alsModelOf(plan.itemIds, await allItemFactors(store, plan, plan.als.iterations), plan.als);
  return { ease, als };
}

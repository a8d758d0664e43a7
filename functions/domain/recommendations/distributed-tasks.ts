/**
 * The tasks of the distributed retrain (the Step Functions state machine of infra/constructs/
 * retrain-state-machine.ts): each reads and writes files of one run under `runs/<runId>/` through
 * the artifact port, so the machine's state only carries shard names, never data (a Map's state is
 * capped at 256 KB). The work itself is sharded-training.ts; this module only moves it in and out.
 *
 *   snapshot  -> user shard files (bounded events each), item shard files, the run's plan
 *   shard     -> one user shard's partial EASE Gram over the modelled items
 *   sumGrams  -> one group's partial Grams summed (a tree of sums: the reduce reads one per group)
 *   alsUsers  -> one user shard's factors given every item shard's factors
 *   alsItems  -> one item shard's factors given the factors of the users it touches
 *   reduce    -> the summed Gram inverted (EASE) and the item factors gathered (ALS)
 *
 * ALS runs twice over the same shards, as the single path trains twice: first on the holdout's
 * train part (`data: 'train'`, the candidate the gate measures), then on every interaction
 * (`data: 'all'`, what ships), each pass from the same seeded start.
 *
 * The ALS factors pass between half-steps as factor files (factor-file.ts: float32 rows that say
 * which rows they are, with their Gram), so each task reads one object per shard of the other side
 * and nothing else of theirs; `taskRequests` counts what each task reads and writes.
 */
import type { ArtifactStore } from '#domain/models/registry.ts';
import {
  type AlsModel,
  type AlsOptions,
  alsModelOf,
  DEFAULT_ALS_OPTIONS,
  initialItemFactors,
} from './als.ts';
import { decodeFactorBlock, encodeFactorBlock, type FactorBlock } from './factor-file.ts';
import { DEFAULT_EASE_OPTIONS, type EaseModel, type EaseOptions, selectModelledItems } from './ease.ts';
import { buildMatrix, type InteractionMatrix, itemCounts, type WeightedInteraction } from './interactions.ts';
import {
  addInto,
  alsItemHalfStep,
  alsUserHalfStep,
  easeFromSummedGram,
  gatherRows,
  type ItemShard,
  itemShardCountFor,
  itemShardOfEach,
  itemShardsOf,
  itemSideOf,
  ownRows,
  partialGram,
  shardByUser,
  shardMatrix,
  summedItemCounts,
  TouchedUserFactors,
  touchedUsers,
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
  /** Consecutive user shards whose partial Grams one sumGrams task adds up (gramsPerSum). */
  gramsPerGroup: number;
  /** Groups of partial Grams, each summed by one sumGrams task: what the Reduce reads. */
  gramGroups: number;
  ease: EaseOptions;
  als: AlsOptions;
  binary: boolean;
  /**
   * Each user shard also has every interaction of its users (before the holdout split) at
   * `allUserShardKey`: the Gram tasks then sum a second Gram over them, and the run ships an EASE
   * trained on every interaction, as the single path does (the gate still measures the holdout one).
   */
  allInteractions?: boolean;
}

/**
 * Which interactions an ALS pass trains on: the holdout's train part (the gate's candidate), or
 * every interaction before the split (the shipped model, when the plan has `allInteractions`).
 */
export type AlsData = 'train' | 'all';

/** Where the run's ALS loop stands: the pass (`data`), its iteration, and the shipped pass's length. */
export interface AlsProgress {
  iteration: number;
  iterations: number;
  data: AlsData;
  /** Iterations of the pass over every interaction once the train pass ends (0: the run ships none). */
  shipIterations: number;
}

/** The state the machine carries between tasks: names of shards, never their data. */
export interface DistributedRunState {
  runId: string;
  userShards: { runId: string; shard: number }[];
  itemShards: { runId: string; shard: number }[];
  /** The groups of partial Grams the SumGrams Map sums (`shard` is the group's number). */
  gramGroups: { runId: string; shard: number }[];
  als: AlsProgress;
}

/** The ALS loop of a run with nothing to train: no iteration of either pass. */
export const NO_ALS: AlsProgress = { iteration: 0, iterations: 0, data: 'train', shipIterations: 0 };

/** The state of a run with nothing to train: no shards, no groups, no ALS; the machine goes to the Reduce. */
export const nothingToTrainState = (runId: string): DistributedRunState => ({
  runId,
  userShards: [],
  itemShards: [],
  gramGroups: [],
  als: NO_ALS,
});

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
  /**
   * Interactions per item shard (items are balanced by interactions, so a shard holds about this,
   * plus at most one item's users): the item step's work and the users it holds are bounded by
   * this, whatever the data size.
   */
  interactionsPerItemShard: number;
  /** Bytes of partial Grams one sumGrams task reads at most (GRAM_BYTES_PER_SUM_TASK). */
  gramBytesPerSumTask: number;
  ease: EaseOptions;
  als: AlsOptions;
  binary: boolean;
}

/**
 * Interactions per item shard by default. An item task's time and memory grow with it, while the
 * S3 GETs of a run (each item task reads every user shard's factor file, each user task every item
 * shard's) shrink with it: 2 million keeps an item task within a few times a user task's time and
 * memory, measured by `npm run bench -- scale` (docs/scale.md), far inside an Express child's 5
 * minutes, while 100M events need ~40 item shards instead of ~390.
 */
export const DEFAULT_INTERACTIONS_PER_ITEM_SHARD = 2_000_000;

/**
 * Bytes of partial Grams one sumGrams task reads at most: at the assumed 80 MB/s of one task's S3
 * reads, under a minute, far inside an Express child's 5 minutes (docs/scale.md).
 */
export const GRAM_BYTES_PER_SUM_TASK = 4 * 2 ** 30;

/**
 * User shards per group of the tree of sums: as many of a shard's partial Grams (the train part's
 * and every interaction's, float32 over the modelled items) as fit GRAM_BYTES_PER_SUM_TASK, at
 * least 2. At the default 3,000 modelled items, 59: the Reduce of a 1B-event run (~1,950 user
 * shards of 400,000 interactions) reads 34 sums of each kind instead of every partial.
 */
export function gramsPerSum(modelledItems: number, bytesPerTask = GRAM_BYTES_PER_SUM_TASK): number {
  const shardBytes = 2 * modelledItems * modelledItems * 4;
  return Math.max(2, Math.floor(bytesPerTask / Math.max(1, shardBytes)));
}

/** The snapshot's options but the user shard size, which is always the caller's (the declared RETRAIN_INTERACTIONS_PER_SHARD). */
export const DEFAULT_SNAPSHOT_OPTIONS: Omit<SnapshotOptions, 'interactionsPerShard'> = {
  interactionsPerItemShard: DEFAULT_INTERACTIONS_PER_ITEM_SHARD,
  gramBytesPerSumTask: GRAM_BYTES_PER_SUM_TASK,
  ease: DEFAULT_EASE_OPTIONS,
  als: DEFAULT_ALS_OPTIONS,
  binary: false,
};

/** Every interaction of user shard `s`'s users, before the holdout split (both snapshots write it). */
export const allUserShardKey = (runId: string, s: number) => `runs/${runId}/snapshot/interactions/${s}.json`;

/** Item shard `s` over every interaction (the shipped ALS's item side), cut by the run's assignment. */
export const allItemShardKey = (runId: string, s: number) => `runs/${runId}/items-all/${s}.json`;

const key = {
  plan: (runId: string) => `runs/${runId}/plan.json`,
  gramAll: (runId: string, s: number) => `runs/${runId}/gram-all/${s}.f32`,
  countsAll: (runId: string, s: number) => `runs/${runId}/gram-all/${s}.counts.f64`,
  userShard: (runId: string, s: number) => `runs/${runId}/users/${s}.json`,
  itemShard: (runId: string, s: number, data: AlsData = 'train') =>
    data === 'all' ? allItemShardKey(runId, s) : `runs/${runId}/items/${s}.json`,
  gram: (runId: string, s: number) => `runs/${runId}/gram/${s}.f32`,
  gramSum: (runId: string, g: number) => `runs/${runId}/gram-sum/${g}.f32`,
  gramAllSum: (runId: string, g: number) => `runs/${runId}/gram-all-sum/${g}.f32`,
  countsAllSum: (runId: string, g: number) => `runs/${runId}/gram-all-sum/${g}.counts.f64`,
  userFactors: (runId: string, s: number, it: number, data: AlsData) =>
    `runs/${runId}/${alsFolder[data]}/users-${s}-${it}.factors`,
  itemFactors: (runId: string, s: number, it: number, data: AlsData) =>
    `runs/${runId}/${alsFolder[data]}/items-${s}-${it}.factors`,
};

const alsFolder: Record<AlsData, string> = { train: 'als', all: 'als-all' };

/**
 * Factor files a task requests at once: enough in flight to hide S3's first-byte latency, few
 * enough that a task holds only a handful of other shards' blocks at a time.
 */
const READ_AHEAD = 8;

/** The S3 requests one run of each task makes, the figures the cost model (bench/scale-cost.ts) counts. */
export function taskRequests(
  task: 'snapshot' | 'shard' | 'sumGrams' | 'alsUsers' | 'alsItems' | 'reduce',
  layout: {
    userShards: number;
    itemShards: number;
    iteration: number;
    gramGroups: number;
    gramsPerGroup: number;
  },
): { gets: number; puts: number } {
  const later = layout.iteration > 0;
  switch (task) {
    case 'snapshot':
      // The plan, every user shard file and item shard file, of the train part and of every interaction.
      return { gets: 0, puts: 1 + 2 * layout.userShards + 2 * layout.itemShards };
    case 'shard':
      // The plan, its train part and every interaction; the two partial Grams and the item counts.
      return { gets: 3, puts: 3 };
    case 'sumGrams':
      // The plan and its group's partial Grams (both kinds) and item counts; their three sums.
      return { gets: 1 + 3 * layout.gramsPerGroup, puts: 3 };
    case 'alsUsers':
      // The plan and its shard; later, its previous factors and one factor file per item shard.
      return { gets: 2 + (later ? 1 + layout.itemShards : 0), puts: 1 };
    case 'alsItems':
      // The plan, its shard, one factor file per user shard; later, its own previous factors.
      return { gets: 2 + layout.userShards + (later ? 1 : 0), puts: 1 };
    case 'reduce':
      // The plan, every group's summed Grams (both kinds) and item counts, the last factor file of
      // every item shard in both ALS passes.
      return { gets: 1 + 3 * layout.gramGroups + 2 * layout.itemShards, puts: 0 };
  }
}

/** Reads `keys` READ_AHEAD at a time and hands each decoded factor file to `take`, in order. */
async function eachFactorFile(
  store: ArtifactStore,
  keys: readonly string[],
  take: (block: FactorBlock) => void,
): Promise<void> {
  for (let from = 0; from < keys.length; from += READ_AHEAD) {
    const files = await Promise.all(keys.slice(from, from + READ_AHEAD).map((k) => store.get(k)));
    for (const file of files) take(decodeFactorBlock(file));
  }
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const parsed = async <T>(store: ArtifactStore, k: string): Promise<T> =>
  JSON.parse(new TextDecoder().decode(await store.get(k))) as T;
const bytesOf = (a: Float32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const range = (n: number) => Array.from({ length: n }, (_, s) => s);

/** Runs `work` for one shard; any failure becomes a ShardTaskError naming the task and shard. */
export async function onShard<T>(task: string, shard: number, work: () => Promise<T>): Promise<T> {
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
  options: SnapshotOptions,
  /** Every interaction, before the holdout split: when given, the run also ships an EASE on them. */
  all?: readonly WeightedInteraction[],
): Promise<DistributedRunState> {
  const whole = buildMatrix(interactions, { itemIds: catalogItemIds, binary: options.binary });
  const userShardCount = Math.max(1, Math.ceil(whole.cols.length / options.interactionsPerShard));
  const shards = shardByUser(interactions, userShardCount);
  await Promise.all(shards.map((rows, s) => store.put(key.userShard(runId, s), json(rows))));
  const allShards = all ? shardByUser(all, userShardCount) : [];
  await Promise.all(allShards.map((rows, s) => store.put(allUserShardKey(runId, s), json(rows))));
  const matrices = shards.map((rows) => shardMatrix(rows, whole.itemIds, options.binary));
  const counts = summedItemCounts(matrices, whole.itemIds.length);
  const state = await writeRunPlan(
    store,
    runId,
    counts,
    whole.itemIds,
    matrices.length,
    options,
    all !== undefined,
  );
  const assignment = itemShardOfEach(counts, state.itemShards.length);
  const itemShards = itemShardsOf(matrices, whole.itemIds.length, state.itemShards.length, assignment);
  await Promise.all(itemShards.map((shard, s) => writeItemShard(store, runId, s, shard)));
  if (all) {
    // The shipped ALS's item side: every interaction, cut by the same assignment.
    const allMatrices = allShards.map((rows) => catalogMatrix(rows, whole.itemIds, options.binary));
    const allItemShards = itemShardsOf(
      allMatrices,
      whole.itemIds.length,
      state.itemShards.length,
      assignment,
    );
    await Promise.all(allItemShards.map((shard, s) => writeItemShard(store, runId, s, shard, 'all')));
  }
  return state;
}

/**
 * A matrix of `rows` over the run's columns, leaving out interactions with items the run's catalog
 * lacks: every interaction includes items first met after the holdout's cut that the items table
 * does not list, and the run models only the catalog's columns (such items are not playable).
 */
export function catalogMatrix(
  rows: readonly WeightedInteraction[],
  itemIds: readonly string[],
  binary: boolean,
): InteractionMatrix {
  const known = new Set(itemIds);
  return shardMatrix(
    rows.filter((row) => known.has(row.itemId)),
    itemIds,
    binary,
  );
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
  allInteractions = false,
): Promise<DistributedRunState> {
  const modelled = Array.from(selectModelledItems(counts, options.ease.maxItems, options.ease.minSupport));
  const gramsPerGroup = gramsPerSum(modelled.length, options.gramBytesPerSumTask);
  const plan: DistributedPlan = {
    ...(allInteractions ? { allInteractions } : {}),
    runId,
    itemIds,
    modelled,
    counts: Array.from(counts),
    userShards,
    gramsPerGroup,
    gramGroups: Math.ceil(userShards / gramsPerGroup),
    // Interactions are at least the users per item summed (negative-only pairs are not counted).
    itemShards: itemShardCountFor(
      counts.reduce((sum, n) => sum + n, 0),
      options.interactionsPerItemShard,
    ),
    ease: options.ease,
    als: options.als,
    binary: options.binary,
  };
  await store.put(key.plan(runId), json(plan));
  const shards = (n: number) => Array.from({ length: n }, (_, shard) => ({ runId, shard }));
  return {
    runId,
    userShards: shards(userShards),
    itemShards: shards(plan.itemShards),
    gramGroups: shards(plan.gramGroups),
    als: {
      iteration: 0,
      iterations: options.als.iterations,
      data: 'train',
      shipIterations: allInteractions ? options.als.iterations : 0,
    },
  };
}

/** Writes item shard `s` of the run's `data` (its file's one format, read by readItemShard). */
export async function writeItemShard(
  store: ArtifactStore,
  runId: string,
  s: number,
  shard: ItemShard,
  data: AlsData = 'train',
) {
  await store.put(
    key.itemShard(runId, s, data),
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

/**
 * One user shard's interactions as a matrix over the plan's columns: the holdout's train part, or
 * every interaction of its users (`data: 'all'`, items outside the catalog left out).
 */
export async function readUserShard(
  store: ArtifactStore,
  plan: DistributedPlan,
  shard: number,
  data: AlsData = 'train',
): Promise<InteractionMatrix> {
  if (data === 'all') {
    const rows = await parsed<WeightedInteraction[]>(store, allUserShardKey(plan.runId, shard));
    return catalogMatrix(rows, plan.itemIds, plan.binary);
  }
  const rows = await parsed<WeightedInteraction[]>(store, key.userShard(plan.runId, shard));
  return shardMatrix(rows, plan.itemIds, plan.binary);
}

async function readItemShard(
  store: ArtifactStore,
  runId: string,
  shard: number,
  data: AlsData,
): Promise<ItemShard> {
  const raw = await parsed<Record<keyof ItemShard, number[]>>(store, key.itemShard(runId, shard, data));
  return {
    items: Int32Array.from(raw.items),
    ptr: Int32Array.from(raw.ptr),
    rows: Int32Array.from(raw.rows),
    values: Float32Array.from(raw.values),
  };
}

/**
 * One user shard's partial EASE Grams (unless `grams` is false: the Reduce skips EASE) and its
 * users' item counts over every interaction (popularity's, and EASE's on every interaction),
 * written for the sums.
 */
export async function shardTask(
  store: ArtifactStore,
  runId: string,
  shard: number,
  /** The run's plan when the caller has read it already (the plan is read once per task). */
  known?: DistributedPlan,
  grams = true,
): Promise<{ shard: number }> {
  return onShard('shard', shard, async () => {
    const plan = known ?? (await readPlan(store, runId));
    const modelled = Int32Array.from(plan.modelled);
    if (grams) {
      const matrix = await readUserShard(store, plan, shard);
      await store.put(key.gram(runId, shard), bytesOf(partialGram(matrix, modelled)));
    }
    if (plan.allInteractions) {
      const all = await readUserShard(store, plan, shard, 'all');
      if (grams) await store.put(key.gramAll(runId, shard), bytesOf(partialGram(all, modelled)));
      await store.put(key.countsAll(runId, shard), bytesOf(itemCounts(all)));
    }
    return { shard };
  });
}

/**
 * Group `g` of the tree of sums: the partial Grams (and every interaction's Grams and item counts)
 * of its `gramsPerGroup` consecutive user shards, added one at a time (the running sum and one
 * partial in memory), written as one file of each kind for the Reduce.
 */
export async function sumGramsTask(
  store: ArtifactStore,
  runId: string,
  g: number,
  known?: DistributedPlan,
  /** False when the Reduce skips EASE: only the item counts are summed. */
  grams = true,
): Promise<{ shard: number; partials: number }> {
  return onShard('sumGrams', g, async () => {
    const plan = known ?? (await readPlan(store, runId));
    const from = g * plan.gramsPerGroup;
    const shards = range(Math.min(plan.gramsPerGroup, plan.userShards - from)).map((k) => from + k);
    const m = plan.modelled.length;
    const sum = async <T extends Float32Array | Float64Array>(
      partial: (runId: string, s: number) => string,
      into: T,
      view: (bytes: Uint8Array) => T,
    ) => {
      for (const s of shards) addInto(into, view(await store.get(partial(runId, s))));
      return into;
    };
    const f32 = (bytes: Uint8Array) => new Float32Array(bytes.slice().buffer);
    const f64 = (bytes: Uint8Array) => new Float64Array(bytes.slice().buffer);
    if (grams)
      await store.put(key.gramSum(runId, g), bytesOf(await sum(key.gram, new Float32Array(m * m), f32)));
    if (plan.allInteractions) {
      if (grams)
        await store.put(
          key.gramAllSum(runId, g),
          bytesOf(await sum(key.gramAll, new Float32Array(m * m), f32)),
        );
      const counts = await sum(key.countsAll, new Float64Array(plan.itemIds.length), f64);
      await store.put(key.countsAllSum(runId, g), bytesOf(counts));
    }
    return { shard: g, partials: shards.length };
  });
}

/**
 * Every item's factors (float32 as stored) and their Gram after `iteration` half-steps, from one
 * factor file per item shard; before the first, the seeded start (and its Gram left to the solve).
 */
async function itemSide(
  store: ArtifactStore,
  plan: DistributedPlan,
  iteration: number,
  data: AlsData,
): Promise<{ factors: Float32Array | Float64Array; gram?: Float64Array }> {
  if (iteration === 0) return { factors: initialItemFactors(plan.itemIds.length, plan.als) };
  const blocks: FactorBlock[] = [];
  const keys = range(plan.itemShards).map((s) => key.itemFactors(plan.runId, s, iteration, data));
  await eachFactorFile(store, keys, (block) => blocks.push(block));
  return itemSideOf(blocks, plan.itemIds.length, plan.als.factors);
}

/**
 * A user shard's ALS half-step of `iteration` (0-based) in the pass over `data`, warm-started from
 * its previous factors.
 */
export async function alsUserTask(
  store: ArtifactStore,
  runId: string,
  shard: number,
  iteration: number,
  data: AlsData = 'train',
): Promise<{ shard: number }> {
  return onShard('alsUsers', shard, async () => {
    const plan = await readPlan(store, runId);
    const matrix = await readUserShard(store, plan, shard, data);
    const d = plan.als.factors;
    const previous =
      iteration === 0
        ? new Float64Array(matrix.userIds.length * d)
        : Float64Array.from(
            decodeFactorBlock(await store.get(key.userFactors(runId, shard, iteration, data))).factors,
          );
    const items = await itemSide(store, plan, iteration, data);
    const next = alsUserHalfStep(matrix, previous, items.factors, plan.als, items.gram);
    await store.put(
      key.userFactors(runId, shard, iteration + 1, data),
      encodeFactorBlock(ownRows(matrix.userIds.length), next, d),
    );
    return { shard };
  });
}

/**
 * An item shard's half-step of `iteration`: reads every user shard's new factor file once, keeping
 * only the rows of the users its items touch, and its own previous factors.
 */
export async function alsItemTask(
  store: ArtifactStore,
  runId: string,
  shard: number,
  iteration: number,
  data: AlsData = 'train',
): Promise<{ shard: number }> {
  return onShard('alsItems', shard, async () => {
    const plan = await readPlan(store, runId);
    const d = plan.als.factors;
    const items = await readItemShard(store, runId, shard, data);
    const touched = touchedUsers(items);
    const users = new TouchedUserFactors(touched, d);
    const userKeys = range(plan.userShards).map((s) => key.userFactors(runId, s, iteration + 1, data));
    await eachFactorFile(store, userKeys, (block) => users.add(block));
    const previous =
      iteration === 0
        ? gatherRows(initialItemFactors(plan.itemIds.length, plan.als), items.items, d)
        : Float64Array.from(
            decodeFactorBlock(await store.get(key.itemFactors(runId, shard, iteration, data))).factors,
          );
    const next = alsItemHalfStep(items, touched, previous, users.factors, users.gram, plan.als);
    await store.put(
      key.itemFactors(runId, shard, iteration + 1, data),
      encodeFactorBlock(items.items, next, d),
    );
    return { shard };
  });
}

/** What the reduce gathers: the candidates of the gate, and the models trained on every interaction. */
export interface ReducedModels {
  ease?: EaseModel;
  als: AlsModel;
  easeOnAll?: EaseModel;
  alsOnAll?: AlsModel;
  /** Users with a positive signal per item over every interaction (the plan's columns): popularity's. */
  countsOnAll?: Float64Array;
}

/**
 * The reduce: EASE from the summed partial Grams (unless `withEase` is false: too large for this
 * function), ALS from the last item factors; with the plan's `allInteractions`, both again over
 * every interaction (the shipped models).
 */
export async function reduceTask(
  store: ArtifactStore,
  runId: string,
): Promise<ReducedModels & { ease: EaseModel }>;
export async function reduceTask(
  store: ArtifactStore,
  runId: string,
  withEase: boolean,
  known?: DistributedPlan,
): Promise<ReducedModels>;
export async function reduceTask(
  store: ArtifactStore,
  runId: string,
  withEase = true,
  known?: DistributedPlan,
): Promise<ReducedModels> {
  const plan = known ?? (await readPlan(store, runId));
  const alsOf = async (data: AlsData) => {
    const trained = await itemSide(store, plan, plan.als.iterations, data);
    return alsModelOf(plan.itemIds, Float64Array.from(trained.factors), plan.als);
  };
  const als = await alsOf('train');
  if (!plan.allInteractions) return withEase ? { ease: await easeOf(store, plan), als } : { als };
  const alsOnAll = await alsOf('all');
  const countsOnAll = new Float64Array(plan.itemIds.length);
  for (let g = 0; g < plan.gramGroups; g++)
    addInto(countsOnAll, new Float64Array((await store.get(key.countsAllSum(runId, g))).slice().buffer));
  if (!withEase) return { als, alsOnAll, countsOnAll };
  // The shipped EASE: every interaction's Gram and item counts, over the same modelled items.
  const easeOnAll = await easeOfSums(store, plan, key.gramAllSum, countsOnAll);
  return { ease: await easeOf(store, plan), als, easeOnAll, alsOnAll, countsOnAll };
}

/** The gate's EASE candidate: the train part's summed Grams over the plan's counts. */
const easeOf = (store: ArtifactStore, plan: DistributedPlan) =>
  easeOfSums(store, plan, key.gramSum, Float64Array.from(plan.counts));

/** EASE from the groups' summed Grams at `sumKey`, added one at a time (the running sum and one group's in memory). */
async function easeOfSums(
  store: ArtifactStore,
  plan: DistributedPlan,
  sumKey: (runId: string, g: number) => string,
  counts: Float64Array,
): Promise<EaseModel> {
  const modelled = Int32Array.from(plan.modelled);
  const gram = new Float32Array(modelled.length * modelled.length);
  for (let g = 0; g < plan.gramGroups; g++) {
    const partial = await store.get(sumKey(plan.runId, g));
    addInto(gram, new Float32Array(partial.slice().buffer));
  }
  return easeFromSummedGram(gram, counts, modelled, plan.itemIds, plan.ease);
}

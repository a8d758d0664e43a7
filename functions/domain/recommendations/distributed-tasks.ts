/**
 * The tasks of the distributed retrain (the Step Functions state machine of infra/constructs/
 * retrain-state-machine.ts): each reads and writes files of one run under `runs/<runId>/` through
 * the artifact port, so the machine's state only carries shard names, never data (a Map's state is
 * capped at 256 KB). The work itself is sharded-training.ts; this module only moves it in and out.
 *
 *   snapshot  -> user shard files (bounded events each), item shard files, the run's plan
 *   shard     -> one user shard's partial Grams over the modelled items (EASE's and session EASE's)
 *   sumGrams  -> one group's partial Grams summed (a tree of sums: the reduce reads one per group)
 *   alsUsers  -> one user shard's factors given every item shard's factors
 *   alsItems  -> one item shard's factors given the factors of the users it touches
 *   reduce    -> the summed Grams inverted (EASE, session EASE) and the item factors gathered (ALS)
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
import {
  DEFAULT_EASE_OPTIONS,
  type EaseModel,
  type EaseOptions,
  pairWeight,
  SESSION_EASE_OPTIONS,
  selectModelledItems,
} from './ease.ts';
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
  /**
   * Session EASE's options (`ease-session`, and the collaborative half of `hybrid`): each user shard
   * then also writes a Gram whose pairs are weighted by time apart, over the same modelled items.
   * Absent on a plan written before the machine trained them.
   */
  sessionEase?: EaseOptions;
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

/** The Grams a user shard sums: EASE's (plain co-occurrence) and session EASE's (pairs weighted by time apart). */
export type GramKind = 'ease' | 'session';

/** The partial Grams each user shard writes under `plan`: each kind the plan trains, over each data it has. */
export function gramKindsOf(
  plan: Pick<DistributedPlan, 'sessionEase' | 'allInteractions'>,
): { kind: GramKind; data: AlsData }[] {
  const kinds: GramKind[] = plan.sessionEase ? ['ease', 'session'] : ['ease'];
  const data: AlsData[] = plan.allInteractions ? ['train', 'all'] : ['train'];
  return kinds.flatMap((kind) => data.map((d) => ({ kind, data: d })));
}

/** The EASE options a Gram kind is summed and solved with. */
function easeOptionsOf(plan: DistributedPlan, kind: GramKind): EaseOptions {
  if (kind === 'ease') return plan.ease;
  if (!plan.sessionEase) throw new Error(`run ${plan.runId}'s plan has no session EASE`);
  return plan.sessionEase;
}

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
  /** Session EASE's: the same modelled items as `ease` (same `maxItems` and `minSupport`). */
  sessionEase: EaseOptions;
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
 * User shards per group of the tree of sums: as many of a shard's `kinds` partial Grams (EASE's and
 * session EASE's, over the train part and every interaction: 4, float32 over the modelled items) as
 * fit GRAM_BYTES_PER_SUM_TASK, at least 2. At the default 3,000 modelled items, 29: the Reduce of a
 * 1B-event run (~1,950 user shards of 400,000 interactions) reads 68 sums of each kind instead of
 * every partial.
 */
export function gramsPerSum(
  modelledItems: number,
  kinds: number,
  bytesPerTask = GRAM_BYTES_PER_SUM_TASK,
): number {
  const shardBytes = kinds * modelledItems * modelledItems * 4;
  return Math.max(2, Math.floor(bytesPerTask / Math.max(1, shardBytes)));
}

/** The snapshot's options but the user shard size, which is always the caller's (the declared RETRAIN_INTERACTIONS_PER_SHARD). */
export const DEFAULT_SNAPSHOT_OPTIONS: Omit<SnapshotOptions, 'interactionsPerShard'> = {
  interactionsPerItemShard: DEFAULT_INTERACTIONS_PER_ITEM_SHARD,
  gramBytesPerSumTask: GRAM_BYTES_PER_SUM_TASK,
  ease: DEFAULT_EASE_OPTIONS,
  sessionEase: SESSION_EASE_OPTIONS,
  als: DEFAULT_ALS_OPTIONS,
  binary: false,
};

/** Every interaction of user shard `s`'s users, before the holdout split (both snapshots write it). */
export const allUserShardKey = (runId: string, s: number) => `runs/${runId}/snapshot/interactions/${s}.json`;

/** Item shard `s` over every interaction (the shipped ALS's item side), cut by the run's assignment. */
export const allItemShardKey = (runId: string, s: number) => `runs/${runId}/items-all/${s}.json`;

/** The folder of one kind of Gram: `gram`, `gram-all`, `gram-session`, `gram-session-all`. */
const gramFolder = (kind: GramKind, data: AlsData) =>
  `gram${kind === 'session' ? '-session' : ''}${data === 'all' ? '-all' : ''}`;

const key = {
  plan: (runId: string) => `runs/${runId}/plan.json`,
  countsAll: (runId: string, s: number) => `runs/${runId}/gram-all/${s}.counts.f64`,
  userShard: (runId: string, s: number) => `runs/${runId}/users/${s}.json`,
  itemShard: (runId: string, s: number, data: AlsData = 'train') =>
    data === 'all' ? allItemShardKey(runId, s) : `runs/${runId}/items/${s}.json`,
  gram: (runId: string, s: number, kind: GramKind, data: AlsData) =>
    `runs/${runId}/${gramFolder(kind, data)}/${s}.f32`,
  gramSum: (runId: string, g: number, kind: GramKind, data: AlsData) =>
    `runs/${runId}/${gramFolder(kind, data)}-sum/${g}.f32`,
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
    /** Partial Grams a user shard writes (gramKindsOf: 4 on a run that ships session EASE). */
    gramKinds: number;
  },
): { gets: number; puts: number } {
  const later = layout.iteration > 0;
  // Each kind of Gram and the item counts, per shard or per group.
  const sums = layout.gramKinds + 1;
  switch (task) {
    case 'snapshot':
      // The plan, every user shard file and item shard file, of the train part and of every interaction.
      return { gets: 0, puts: 1 + 2 * layout.userShards + 2 * layout.itemShards };
    case 'shard':
      // The plan, its train part and every interaction; its partial Grams and the item counts.
      return { gets: 3, puts: sums };
    case 'sumGrams':
      // The plan and its group's partial Grams (every kind) and item counts; one sum of each.
      return { gets: 1 + sums * layout.gramsPerGroup, puts: sums };
    case 'alsUsers':
      // The plan and its shard; later, its previous factors and one factor file per item shard.
      return { gets: 2 + (later ? 1 + layout.itemShards : 0), puts: 1 };
    case 'alsItems':
      // The plan, its shard, one factor file per user shard; later, its own previous factors.
      return { gets: 2 + layout.userShards + (later ? 1 : 0), puts: 1 };
    case 'reduce':
      // The plan, every group's summed Grams (every kind) and item counts, the last factor file of
      // every item shard in both ALS passes.
      return { gets: 1 + sums * layout.gramGroups + 2 * layout.itemShards, puts: 0 };
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
  const { ease, sessionEase } = options;
  // Both EASEs sum their Grams over one modelled set, chosen once from the run's counts.
  if (sessionEase.maxItems !== ease.maxItems || sessionEase.minSupport !== ease.minSupport)
    throw new Error(
      'session EASE must model the same items as EASE (the same maxItems and minSupport) on a distributed run',
    );
  const modelled = Array.from(selectModelledItems(counts, ease.maxItems, ease.minSupport));
  const kinds = gramKindsOf({ sessionEase, allInteractions }).length;
  const gramsPerGroup = gramsPerSum(modelled.length, kinds, options.gramBytesPerSumTask);
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
    ease,
    sessionEase,
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
 * One user shard's partial Grams (every kind of `gramKindsOf`, unless `grams` is false: the Reduce
 * skips EASE) and its users' item counts over every interaction (popularity's, and the shipped
 * EASEs'), written for the sums.
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
    const matrices = new Map<AlsData, InteractionMatrix>();
    const matrixOf = async (data: AlsData) => {
      const matrix = matrices.get(data) ?? (await readUserShard(store, plan, shard, data));
      matrices.set(data, matrix);
      return matrix;
    };
    if (grams)
      for (const { kind, data } of gramKindsOf(plan)) {
        const weigh = pairWeight(easeOptionsOf(plan, kind));
        const gram = partialGram(await matrixOf(data), modelled, weigh);
        await store.put(key.gram(runId, shard, kind, data), bytesOf(gram));
      }
    if (plan.allInteractions)
      await store.put(key.countsAll(runId, shard), bytesOf(itemCounts(await matrixOf('all'))));
    return { shard };
  });
}

/**
 * Group `g` of the tree of sums: the partial Grams (every kind) and every interaction's item counts
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
      partial: (s: number) => string,
      into: T,
      view: (bytes: Uint8Array) => T,
    ) => {
      for (const s of shards) addInto(into, view(await store.get(partial(s))));
      return into;
    };
    const f32 = (bytes: Uint8Array) => new Float32Array(bytes.slice().buffer);
    const f64 = (bytes: Uint8Array) => new Float64Array(bytes.slice().buffer);
    if (grams)
      for (const { kind, data } of gramKindsOf(plan)) {
        const summed = await sum((s) => key.gram(runId, s, kind, data), new Float32Array(m * m), f32);
        await store.put(key.gramSum(runId, g, kind, data), bytesOf(summed));
      }
    if (plan.allInteractions) {
      const counts = await sum((s) => key.countsAll(runId, s), new Float64Array(plan.itemIds.length), f64);
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
  /** Session EASE (`ease-session`, and hybrid's collaborative half), on a plan with `sessionEase`. */
  sessionEase?: EaseModel;
  als: AlsModel;
  easeOnAll?: EaseModel;
  sessionEaseOnAll?: EaseModel;
  alsOnAll?: AlsModel;
  /** Users with a positive signal per item over every interaction (the plan's columns): popularity's. */
  countsOnAll?: Float64Array;
}

/**
 * The reduce: EASE (and session EASE) from the summed partial Grams (unless `withEase` is false: too
 * large for this function), ALS from the last item factors; with the plan's `allInteractions`, each
 * again over every interaction (the shipped models).
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
  const countsOnAll = plan.allInteractions ? new Float64Array(plan.itemIds.length) : undefined;
  if (countsOnAll)
    for (let g = 0; g < plan.gramGroups; g++)
      addInto(countsOnAll, new Float64Array((await store.get(key.countsAllSum(runId, g))).slice().buffer));
  const alsOnAll = plan.allInteractions ? await alsOf('all') : undefined;
  const reduced: ReducedModels = { als, alsOnAll, countsOnAll };
  if (!withEase) return reduced;
  // The candidates over the train part's counts; the shipped ones over every interaction's counts,
  // on the same modelled items.
  const name = { ease: 'ease', session: 'sessionEase' } as const;
  for (const { kind, data } of gramKindsOf(plan)) {
    const counts = data === 'all' && countsOnAll ? countsOnAll : Float64Array.from(plan.counts);
    const model = await easeOfSums(store, plan, kind, data, counts);
    reduced[data === 'all' ? (`${name[kind]}OnAll` as const) : name[kind]] = model;
  }
  return reduced;
}

/** EASE of `kind` over `data` from the groups' summed Grams, added one at a time (the running sum and one group's in memory). */
async function easeOfSums(
  store: ArtifactStore,
  plan: DistributedPlan,
  kind: GramKind,
  data: AlsData,
  counts: Float64Array,
): Promise<EaseModel> {
  const modelled = Int32Array.from(plan.modelled);
  const gram = new Float32Array(modelled.length * modelled.length);
  for (let g = 0; g < plan.gramGroups; g++) {
    const partial = await store.get(key.gramSum(plan.runId, g, kind, data));
    addInto(gram, new Float32Array(partial.slice().buffer));
  }
  return easeFromSummedGram(gram, counts, modelled, plan.itemIds, easeOptionsOf(plan, kind));
}

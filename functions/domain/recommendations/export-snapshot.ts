/**
 * The export snapshot of the distributed retrain: for tables too large for the scan Snapshot's one
 * function (it holds every event), the events table is exported to S3 and sharded by stages, no
 * stage holding more than one bounded batch of events or one user shard:
 *
 *   startExport     takes the lease, starts the export (EventExport port), plans the user shards
 *   exportProgress  polls it; once COMPLETED groups its data files into batches of bounded events
 *   partition       (Map over batches) one batch's events split by user shard into part files
 *   mergeUserShard  (Map over user shards) a shard's parts: its raw events, aggregated interactions
 *                   (flagged accounts discounted, as prepareTrainingData does) and their timestamps
 *   cutHoldout      the gate's time cut over every shard's timestamps (exact: see `cutHoldout`)
 *   splitUserShard  (Map over user shards) the shard's train part (its user shard file) and holdout
 *   planExport      the catalog, holdout and plan, as the scan Snapshot writes them
 *   itemSlices      (Map over user shards) a user shard's columns cut into the run's item shards
 *   itemShardFile   (Map over item shards) one item shard file joined from every user shard's slice
 *
 * Files live under `runs/<runId>/snapshot/` besides the run's shared files (users/, events/, ...).
 */
import type { InteractionEvent } from '#domain/catalog/types.ts';
import type { ArtifactStore } from '#domain/models/registry.ts';
import {
  type AlsData,
  type DistributedPlan,
  type DistributedRunState,
  nothingToTrainState,
  readPlan,
  readUserShard,
  type SnapshotOptions,
  writeItemShard,
  writeRunPlan,
  allUserShardKey,
} from './distributed-tasks.ts';
import { type EventExport, EventExportFailedError } from './event-export.ts';
import { aggregateEvents, type EventWeights, type WeightedInteraction } from './interactions.ts';
import { holdoutOf } from './retrain.ts';
import { type GateSampling, gateSamplingFor, sampledHoldout } from './gate-sample.ts';
import {
  type ItemShard,
  itemShardOfEach,
  itemShardsOf,
  joinItemSlices,
  userShardOf,
} from './sharded-training.ts';
import { discountFlaggedUsers } from './shilling-discount.ts';
import { catalogSnapshot } from './training.ts';

/**
 * Events one partition task reads at most (whole data files, so a single file larger than this is
 * read alone): ~240 MB of events in memory, and few enough tasks that their part files (one per
 * task and user shard) stay cheap: 100 tasks x 400 shards = 40,000 PUTs at 100M events.
 */
export const EVENTS_PER_PARTITION_TASK = 1_000_000;

const HOUR_MS = 3_600_000;

const key = {
  run: (runId: string) => `runs/${runId}/snapshot/run.json`,
  batches: (runId: string) => `runs/${runId}/snapshot/batches.json`,
  part: (runId: string, shard: number, batch: number) =>
    `runs/${runId}/snapshot/parts/${shard}/${batch}.json`,
  // Every interaction of the shard's users, before the split: the shipped EASE's Gram reads it too.
  interactions: allUserShardKey,
  times: (runId: string, shard: number) => `runs/${runId}/snapshot/times/${shard}.f64`,
  merged: (runId: string, shard: number) => `runs/${runId}/snapshot/merged/${shard}.json`,
  cut: (runId: string) => `runs/${runId}/snapshot/cut.json`,
  holdoutPart: (runId: string, shard: number) => `runs/${runId}/snapshot/holdout/${shard}.json`,
  split: (runId: string, shard: number) => `runs/${runId}/snapshot/split/${shard}.json`,
  itemSlice: (runId: string, itemShard: number, userShard: number, data: AlsData) =>
    `runs/${runId}/snapshot/${data === 'all' ? 'item-slices-all' : 'item-slices'}/${itemShard}/${userShard}.json`,
  /** The contract with the profile tasks: a user shard's raw events, before the holdout split. */
  events: (runId: string, shard: number) => `runs/${runId}/events/${shard}.json`,
  userShard: (runId: string, shard: number) => `runs/${runId}/users/${shard}.json`,
};

/** What startExport decides for the whole run. */
interface ExportRun {
  exportId: string;
  userShards: number;
  /** Epoch ms: the run's start (the cut when nothing is held out). */
  startedAt: number;
  flaggedUsers: string[];
}

/** A merged shard's summary for the cut: its interactions per hour of their timestamps. */
interface MergedStats {
  interactions: number;
  /** Distinct users of the shard's events (shards hold disjoint users, so these add up). */
  users: number;
  positive: boolean;
  hours: [number, number][];
}

/** The gate's cut: train is every interaction before `cut`, plus `tiesInTrain[s]` of shard s's at it. */
interface HoldoutCut {
  cut: number;
  tiesInTrain: number[];
  /** The users the gate measures (from every shard's user count), applied by each split alone. */
  gate: GateSampling;
  nothingToTrain?: string;
}

/** A split shard's items in its train part: [itemId, users with a positive signal, first timestamp]. */
type SplitItems = [string, number, number][];

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const read = async <T>(store: ArtifactStore, k: string): Promise<T> =>
  JSON.parse(new TextDecoder().decode(await store.get(k))) as T;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export interface ExportSnapshotDependencies {
  store: ArtifactStore;
  export: EventExport;
  eventWeights: EventWeights;
  /** Weight kept by flagged accounts' interactions (prepareTrainingData's discount). */
  flaggedUserWeight: number;
  /** Share of the newest interactions held out for the gate. */
  holdoutShare: number;
  /** Users the gate measures at most (gate-sample.ts). */
  gateSampleUsers: number;
}

/** User shards for a table of `events` events: each shard's interactions stay under the bound (an event makes at most one). */
export const plannedUserShards = (events: number, interactionsPerShard: number) =>
  Math.max(1, Math.ceil(events / interactionsPerShard));

/** Starts the export (the lease is already held) and records the run's plan; the machine then polls. */
export async function startExport(
  deps: ExportSnapshotDependencies,
  runId: string,
  plan: { events: number; interactionsPerShard: number; now: Date; flaggedUsers: ReadonlySet<string> },
) {
  const exportId = await deps.export.start(runId);
  const run: ExportRun = {
    exportId,
    userShards: plannedUserShards(plan.events, plan.interactionsPerShard),
    startedAt: plan.now.getTime(),
    flaggedUsers: [...plan.flaggedUsers],
  };
  await deps.store.put(key.run(runId), encode(run));
  return { runId, exportId, pollSeconds: deps.export.pollSeconds, done: false };
}

/**
 * The export's state: not done yet, or done with the machine's lists (batch and user shard numbers,
 * a few bytes each: the state stays far below its 256 KB). A FAILED export fails the run.
 */
export async function exportProgress(
  deps: ExportSnapshotDependencies,
  runId: string,
  eventsPerTask = EVENTS_PER_PARTITION_TASK,
) {
  const run = await read<ExportRun>(deps.store, key.run(runId));
  const progress = await deps.export.progress(run.exportId);
  if (progress.state === 'FAILED')
    throw new EventExportFailedError(`the events export ${run.exportId} failed: ${progress.reason}`);
  if (progress.state === 'IN_PROGRESS')
    return { runId, exportId: run.exportId, pollSeconds: deps.export.pollSeconds, done: false };
  const batches = batchesOf(await deps.export.dataFiles(run.exportId), eventsPerTask);
  await deps.store.put(key.batches(runId), encode(batches));
  return { runId, done: true, batches: range(batches.length), userShards: range(run.userShards) };
}

/** Data files grouped in order into batches of at most `eventsPerTask` events (a larger file alone). */
function batchesOf(files: readonly { key: string; items: number }[], eventsPerTask: number): string[][] {
  const batches: string[][] = [];
  let events = Number.POSITIVE_INFINITY;
  for (const file of files) {
    if (file.items === 0) continue;
    if (events + file.items > eventsPerTask) {
      batches.push([]);
      events = 0;
    }
    batches.at(-1)!.push(file.key);
    events += file.items;
  }
  return batches;
}

/** One batch's events split by user shard: one part file per shard (empty ones too, so merges read known keys). */
export async function partition(deps: ExportSnapshotDependencies, runId: string, batch: number) {
  const run = await read<ExportRun>(deps.store, key.run(runId));
  const files = (await read<string[][]>(deps.store, key.batches(runId)))[batch];
  const parts: InteractionEvent[][] = Array.from({ length: run.userShards }, () => []);
  let events = 0;
  for (const file of files)
    for (const event of await deps.export.readEvents(file)) {
      parts[userShardOf(event.userId, run.userShards)].push(event);
      events++;
    }
  await Promise.all(parts.map((part, shard) => deps.store.put(key.part(runId, shard, batch), encode(part))));
  return { batch, events };
}

/**
 * One user shard's parts merged: its raw events (for the profile tasks), its interactions
 * aggregated and discounted exactly as the single path's prepareTrainingData does (a user's events
 * are all in this shard), their sorted timestamps, and a per-hour count of them for the cut.
 */
export async function mergeUserShard(deps: ExportSnapshotDependencies, runId: string, shard: number) {
  const run = await read<ExportRun>(deps.store, key.run(runId));
  const batches = (await read<string[][]>(deps.store, key.batches(runId))).length;
  const events: InteractionEvent[] = [];
  for (let batch = 0; batch < batches; batch++)
    for (const event of await read<InteractionEvent[]>(deps.store, key.part(runId, shard, batch)))
      events.push(event);
  await deps.store.put(key.events(runId, shard), encode(events));
  const interactions = discountFlaggedUsers(
    aggregateEvents(events, deps.eventWeights),
    new Set(run.flaggedUsers),
    deps.flaggedUserWeight,
  );
  const times = Float64Array.from(interactions, (x) => x.timestamp).sort();
  const hours = new Map<number, number>();
  for (const t of times) hours.set(Math.floor(t / HOUR_MS), (hours.get(Math.floor(t / HOUR_MS)) ?? 0) + 1);
  const stats: MergedStats = {
    interactions: interactions.length,
    users: new Set(events.map((e) => e.userId)).size,
    positive: interactions.some((x) => x.weight > 0),
    hours: [...hours],
  };
  await deps.store.put(key.interactions(runId, shard), encode(interactions));
  await deps.store.put(key.times(runId, shard), new Uint8Array(times.buffer));
  await deps.store.put(key.merged(runId, shard), encode(stats));
  return { shard, events: events.length, interactions: interactions.length };
}

/**
 * The gate's cut, exactly the timestamp `splitForGate` would choose over all interactions (the
 * first of the newest `holdoutShare`): the per-hour counts of every shard locate the hour that
 * holds it, and only that hour's timestamps are read back from each shard's sorted file. The train
 * part has the single path's size too: interactions at the cut's very millisecond (ties) go to
 * train in shard order until it does. Which tied interactions those are may differ from the single
 * path, which keeps them in the order it read them (the scan's order).
 */
export async function cutHoldout(
  deps: ExportSnapshotDependencies,
  runId: string,
  options: { hasItems: boolean },
): Promise<HoldoutCut> {
  const run = await read<ExportRun>(deps.store, key.run(runId));
  const stats = await Promise.all(
    range(run.userShards).map((s) => read<MergedStats>(deps.store, key.merged(runId, s))),
  );
  const total = stats.reduce((n, s) => n + s.interactions, 0);
  const nothing = !stats.some((s) => s.positive) || !options.hasItems;
  const trainSize = Math.floor(total * (1 - deps.holdoutShare));
  const gate = gateSamplingFor(
    deps.gateSampleUsers,
    stats.reduce((n, s) => n + s.users, 0),
  );
  let cut: HoldoutCut;
  if (nothing)
    cut = {
      cut: run.startedAt,
      tiesInTrain: [],
      gate,
      nothingToTrain: 'nothing to train on (no positive events or no items)',
    };
  else if (trainSize >= total)
    cut = { cut: run.startedAt, tiesInTrain: stats.map((s) => s.interactions), gate };
  else cut = { ...(await exactCut(deps.store, runId, stats, trainSize)), gate };
  await deps.store.put(key.cut(runId), encode(cut));
  return cut;
}

/** The (trainSize)-th smallest timestamp (0-based) over every shard, and the ties each shard gives to train. */
async function exactCut(
  store: ArtifactStore,
  runId: string,
  stats: readonly MergedStats[],
  trainSize: number,
): Promise<Omit<HoldoutCut, 'gate'>> {
  const perHour = new Map<number, number>();
  for (const s of stats) for (const [hour, n] of s.hours) perHour.set(hour, (perHour.get(hour) ?? 0) + n);
  let before = 0;
  let hour = 0;
  for (const [h, n] of [...perHour].sort((a, b) => a[0] - b[0])) {
    hour = h;
    if (before + n > trainSize) break;
    before += n;
  }
  const inHour: number[] = [];
  const shardTimes: Float64Array[] = [];
  for (let s = 0; s < stats.length; s++) {
    const times = new Float64Array((await store.get(key.times(runId, s))).slice().buffer);
    const within = times.filter((t) => Math.floor(t / HOUR_MS) === hour);
    shardTimes.push(within);
    inHour.push(...within);
  }
  inHour.sort((a, b) => a - b);
  const cut = inHour[trainSize - before];
  let ties = trainSize - before - inHour.filter((t) => t < cut).length;
  const tiesInTrain = shardTimes.map((times) => {
    const taken = Math.min(ties, times.filter((t) => t === cut).length);
    ties -= taken;
    return taken;
  });
  return { cut, tiesInTrain };
}

/**
 * One user shard split at the cut: its train part becomes the user shard file (time order, as the
 * scan Snapshot writes it), its holdout part (relevant items, and the train rows of those users)
 * waits for planExport, and its train items are summarised for the catalog.
 */
export async function splitUserShard(deps: ExportSnapshotDependencies, runId: string, shard: number) {
  const cut = await read<HoldoutCut>(deps.store, key.cut(runId));
  if (cut.nothingToTrain) return { shard, train: 0 };
  const interactions = await read<WeightedInteraction[]>(deps.store, key.interactions(runId, shard));
  const byTime = [...interactions].sort((a, b) => a.timestamp - b.timestamp);
  const ties = byTime
    .filter((x) => x.timestamp === cut.cut)
    .sort((a, b) => (`${a.userId}\u0000${a.itemId}` < `${b.userId}\u0000${b.itemId}` ? -1 : 1));
  const tiedInTrain = new Set(ties.slice(0, cut.tiesInTrain[shard] ?? 0));
  const train = byTime.filter((x) => x.timestamp < cut.cut || tiedInTrain.has(x));
  const test = byTime.filter(
    (x) => x.timestamp > cut.cut || (x.timestamp === cut.cut && !tiedInTrain.has(x)),
  );
  const holdout = holdoutOf(train, test, cut.cut);
  await deps.store.put(key.userShard(runId, shard), encode(train));
  await deps.store.put(key.holdoutPart(runId, shard), encode(sampledHoldout(holdout, cut.gate)));
  const items = new Map<string, [string, number, number]>();
  for (const x of train) {
    const seen = items.get(x.itemId) ?? [x.itemId, 0, x.timestamp];
    if (x.weight > 0) seen[1]++;
    items.set(x.itemId, seen);
  }
  await deps.store.put(key.split(runId, shard), encode([...items.values()] satisfies SplitItems));
  return { shard, train: train.length };
}

/** What planExport hands back for distributed-run.ts to store as the run's holdout. */
export interface ExportedHoldout {
  startedAt: number;
  cut: number;
  train: WeightedInteraction[];
  relevant: [string, string[]][];
  nothingToTrain?: string;
}

/**
 * The run's catalog (catalogSnapshot's order: the items table, then items known only from train
 * interactions by first appearance in time), its holdout, and the plan and item shard files from the
 * user shard files the split wrote; the machine's state, as the scan Snapshot returns it.
 */
export async function planExport(
  deps: ExportSnapshotDependencies,
  runId: string,
  items: Parameters<typeof catalogSnapshot>[0],
  options: SnapshotOptions,
): Promise<{
  state: DistributedRunState;
  holdout: ExportedHoldout;
  catalog?: ReturnType<typeof catalogSnapshot>;
  /** What the profile plan needs: the run's start (epoch ms) and its distinct users. */
  run: { now: number; users: number; userShards: number };
}> {
  const run = await read<ExportRun>(deps.store, key.run(runId));
  const cut = await read<HoldoutCut>(deps.store, key.cut(runId));
  const merged = await Promise.all(
    range(run.userShards).map((s) => read<MergedStats>(deps.store, key.merged(runId, s))),
  );
  const profileRun = {
    now: run.startedAt,
    users: merged.reduce((n, m) => n + m.users, 0),
    userShards: run.userShards,
  };
  const holdout: ExportedHoldout = { startedAt: run.startedAt, cut: cut.cut, train: [], relevant: [] };
  if (cut.nothingToTrain) {
    const state = nothingToTrainState(runId);
    return { state, holdout: { ...holdout, nothingToTrain: cut.nothingToTrain }, run: profileRun };
  }
  const shards = range(run.userShards);
  const trainItems = new Map<string, { first: number; users: number }>();
  for (const s of shards)
    for (const [itemId, users, first] of await read<SplitItems>(deps.store, key.split(runId, s))) {
      const seen = trainItems.get(itemId) ?? { first, users: 0 };
      trainItems.set(itemId, { first: Math.min(first, seen.first), users: seen.users + users });
    }
  // Items outside the items table enter the catalog in order of first appearance, as catalogSnapshot orders them.
  const firstSeen = [...trainItems]
    .sort((a, b) => a[1].first - b[1].first || (a[0] < b[0] ? -1 : 1))
    .map(([itemId, { first }]) => ({ userId: '', itemId, weight: 0, timestamp: first }));
  const catalog = catalogSnapshot(items, firstSeen);
  for (const s of shards) {
    const part = await read<Pick<ExportedHoldout, 'train' | 'relevant'>>(
      deps.store,
      key.holdoutPart(runId, s),
    );
    holdout.train.push(...part.train);
    holdout.relevant.push(...part.relevant);
  }
  // Users with a positive signal per column, as itemCounts counts them in the scan's matrices.
  const counts = Float64Array.from(catalog.itemIds, (itemId) => trainItems.get(itemId)?.users ?? 0);
  const state = await writeRunPlan(deps.store, runId, counts, catalog.itemIds, run.userShards, options, true);
  return { state, holdout, catalog, run: profileRun };
}

/** A user shard's part of one item shard (rows local to the user shard) and its number of users. */
type ItemSlice = Record<keyof ItemShard, number[]> & { users: number };

/**
 * One user shard's item columns, cut into the run's item shards (the run's balanced assignment):
 * one slice file per item shard, for itemShardFile; once for the holdout's train part and once
 * for every interaction (the shipped ALS's item side).
 */
export async function itemSlices(deps: ExportSnapshotDependencies, runId: string, shard: number) {
  const plan = await readPlan(deps.store, runId);
  // The whole run's assignment (from the plan's counts), the one the scan snapshot uses, not this shard's.
  const assignment = itemShardOfEach(plan.counts, plan.itemShards);
  let users = 0;
  for (const data of alsDataOf(plan)) {
    const matrix = await readUserShard(deps.store, plan, shard, data);
    if (data === 'train') users = matrix.userIds.length;
    const slices = itemShardsOf([matrix], plan.itemIds.length, plan.itemShards, assignment);
    await Promise.all(
      slices.map((slice, j) =>
        deps.store.put(
          key.itemSlice(runId, j, shard, data),
          encode({
            users: matrix.userIds.length,
            items: Array.from(slice.items),
            ptr: Array.from(slice.ptr),
            rows: Array.from(slice.rows),
            values: Array.from(slice.values),
          } satisfies ItemSlice),
        ),
      ),
    );
  }
  return { shard, users };
}

/** The interactions the run's ALS passes train on: the train part, and every interaction when it ships them. */
const alsDataOf = (plan: DistributedPlan): AlsData[] => (plan.allInteractions ? ['train', 'all'] : ['train']);

/**
 * Item shard `j` joined from every user shard's slice of it, users numbered shard after shard:
 * the same file itemShardsOf over all user shards gives the scan snapshot, without one function
 * holding every interaction (for each ALS pass's data).
 */
export async function itemShardFile(deps: ExportSnapshotDependencies, runId: string, j: number) {
  const plan = await readPlan(deps.store, runId);
  for (const data of alsDataOf(plan)) {
    const slices: ItemSlice[] = [];
    for (let s = 0; s < plan.userShards; s++)
      slices.push(await read<ItemSlice>(deps.store, key.itemSlice(runId, j, s, data)));
    await writeItemShard(deps.store, runId, j, joinItemSlices(slices[0]?.items ?? [], slices), data);
  }
  return { shard: j };
}

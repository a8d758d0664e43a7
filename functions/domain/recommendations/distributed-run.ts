/**
 * One task of the distributed retrain, as the state machine hands it over: which task, which run,
 * which shard and ALS iteration. The Snapshot reads the events and catalog once and splits off the
 * gate's holdout exactly as the single retrain does; the shards train EASE and ALS on the holdout's
 * train part; the Reduce evaluates them on the holdout and records them through the registry gate
 * (gateAndPublish, shared with the single path). Until then everything lives under `runs/<runId>/`.
 */
import type { GraphBuilder } from '#domain/onnx/graph.ts';
import type { ArtifactStore, ModelRecordStore } from '#domain/models/registry.ts';
import type { StoredEventCount } from '#domain/models/retrain-path.ts';
import { acquireRetrainLease, type RetrainRunRecords } from '#domain/models/retrain-run.ts';
import {
  type ProfileRunOptions,
  type ProfileScoringStores,
  profileFeaturesTask,
  profileScoresTask,
  profilesReduceTask,
  writeEventShards,
  writeProfilePlan,
} from '#domain/profiles/distributed-tasks.ts';
import {
  type ArtifactMetadata,
  type CatalogSnapshot,
  encodeArtifact,
  MODEL_NAMES,
  type ModelName,
} from './artifact.ts';
import { DENSE_EASE_MEMORY, DENSE_EASE_MODELS, denseEaseSkipReason } from './dense-ease-limit.ts';
import { type GateSampling, gateSamplingFor, sampledHoldout } from './gate-sample.ts';
import {
  type AlsData,
  alsItemTask,
  alsUserTask,
  DEFAULT_SNAPSHOT_OPTIONS,
  nothingToTrainState,
  type DistributedPlan,
  gramKindsOf,
  readPlan,
  reduceTask,
  type SnapshotOptions,
  shardTask,
  snapshotTask,
  sumGramsTask,
} from './distributed-tasks.ts';
import type { EventExport } from './event-export.ts';
import {
  cutHoldout,
  type ExportSnapshotDependencies,
  exportProgress,
  itemShardFile,
  itemSlices,
  mergeUserShard,
  partition,
  planExport,
  splitUserShard,
  startExport,
} from './export-snapshot.ts';
import { DEFAULT_CONTENT_OPTIONS, trainContent } from './content.ts';
import {
  buildAlsGraph,
  buildContentGraph,
  buildEaseGraph,
  buildHybridGraph,
  buildPopularityGraph,
} from './graphs.ts';
import type { WeightedInteraction } from './interactions.ts';
import {
  DEFAULT_RETRAIN_OPTIONS,
  gateAndPublish,
  type Holdout,
  prepareTrainingData,
  type RetrainDependencies,
  type TrainingSources,
} from './retrain.ts';
import { catalogSnapshot, type TrainedArtifact } from './training.ts';

/** How the run snapshots the events: one function scanning the table, or an export sharded by stages. */
export const SNAPSHOT_KINDS = ['scan', 'export'] as const;
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

export interface DistributedTask {
  task:
    | 'chooseSnapshot'
    | 'snapshot'
    | ExportSnapshotTask
    | 'shard'
    | 'sumGrams'
    | 'alsUsers'
    | 'alsItems'
    | 'reduce'
    | 'profileFeatures'
    | 'profilesReduce'
    | 'profileScores'
    | 'release';
  runId: string;
  /** The execution's input (chooseSnapshot): `snapshot` forces the kind. */
  start?: { snapshot?: SnapshotKind };
  /** The batch of export data files (partition). */
  batch?: number;
  /** Why the run was started (the Snapshot records it with the lease). */
  reason?: string;
  shard?: number;
  iteration?: number;
  /** The ALS pass of an ALS half-step: the holdout's train part (default) or every interaction. */
  data?: AlsData;
  /** How the run ended (the release task). */
  state?: 'succeeded' | 'failed';
}

/** The tasks of the export snapshot (export-snapshot.ts). */
type ExportSnapshotTask =
  | 'startExport'
  | 'exportProgress'
  | 'partition'
  | 'mergeUserShard'
  | 'cutHoldout'
  | 'splitUserShard'
  | 'planExport'
  | 'itemSlices'
  | 'itemShardFile';

/** The longest a distributed run may take (the deployed machine's timeout), ms. */
export const DISTRIBUTED_RUN_TIMEOUT_MS = 3 * 3_600_000;

/**
 * The lease a distributed run takes: past the machine's timeout, so only a run that was stopped
 * (or whose release failed) ever leaves it to expire, ms.
 */
export const DISTRIBUTED_LEASE_MS = DISTRIBUTED_RUN_TIMEOUT_MS + 60_000;

/** The Snapshot found another retrain holding the lease: the execution ends without training. */
export class RetrainLeaseHeldError extends Error {
  override name = 'RetrainLeaseHeldError';
}

export interface DistributedTaskDependencies {
  store: ArtifactStore;
  sources: TrainingSources;
  /** The registry the Reduce gates and publishes into, and the retrain lease the run holds. */
  records: ModelRecordStore & RetrainRunRecords;
  /** The export snapshot's port, the table's size, and the size above which a run exports. */
  snapshots: { export: EventExport; eventCount: StoredEventCount; exportAboveEvents: number };
  /** Sharding and model options of the run (the declared shard size, default models otherwise). */
  snapshot: Partial<SnapshotOptions> & Pick<SnapshotOptions, 'interactionsPerShard'>;
  /** Accounts the live shilling model flagged, and the weight their events keep (as the single path). */
  flaggedUsers?: RetrainDependencies['flaggedUsers'];
  flaggedUserWeight?: number;
  /** The profile models' sample size and config, their registry, and where users' scores and histories go. */
  profiles: ProfileRunOptions & ProfileScoringStores;
  /** The function's memory, MB: the Reduce skips EASE when its inverse would not fit; absent = no check. */
  memoryMb?: number;
  /** Users the gate measures at most (a seeded sample; gate-sample.ts): the declared RETRAIN_GATE_SAMPLE_USERS. */
  gateSampleUsers: number;
  now?: () => Date;
  log?: RetrainDependencies['log'];
}

/**
 * The models the machine trains: EASE, session EASE and ALS over shards, popularity from the item
 * counts the Gram tasks sum, content at the Reduce (it reads only the catalog's items), and hybrid
 * from session EASE and content, as the single path builds it.
 */
export const DISTRIBUTED_MODELS = [
  'popularity',
  'ease',
  'ease-session',
  'als',
  'content',
  'hybrid',
] as const satisfies readonly ModelName[];

/**
 * Why trending keeps its live version on a distributed run: its decayed sums are refreshed every 15
 * minutes by the single path from the recent window's events only (`since`), however large the store.
 */
export const NOT_DISTRIBUTED_REASON =
  'not trained by the distributed retrain: the 15-minute trending refresh reads the recent window of any store; the live version stays';

/** The candidate artifacts the Reduce writes, under the run's prefix of the models bucket. */
export const distributedArtifactKey = (runId: string, model: (typeof DISTRIBUTED_MODELS)[number]) =>
  `runs/${runId}/${model}.onnx`;

const holdoutKey = (runId: string) => `runs/${runId}/holdout.json`;

/** What the Snapshot keeps for the Reduce's gate: the holdout, restricted to the users it measures. */
interface StoredHoldout {
  /** Epoch ms: the run's start, and the holdout's cut. */
  startedAt: number;
  cut: number;
  /** Train interactions of the users with relevant items (their histories at evaluation). */
  train: WeightedInteraction[];
  relevant: [string, string[]][];
  /** Set when the store had nothing to train on: the Reduce records nothing. */
  nothingToTrain?: string;
}

const encodeJson = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decodeJson = async <T>(store: ArtifactStore, key: string): Promise<T> =>
  JSON.parse(new TextDecoder().decode(await store.get(key))) as T;

/** What Step Functions reports when an execution ends (the detail of its status-change event). */
export interface ExecutionEnded {
  /** The execution's name: the run id, made safe for Step Functions names. */
  name: string;
  status: string;
  /** The execution's input as a JSON string (absent when too large to include). */
  input?: string | null;
  /** Epoch ms the execution started. */
  startDate?: number;
}

/** The run an execution was started for: its input's runId, else its name. */
export function runIdOfExecution(execution: ExecutionEnded): string {
  const input = execution.input ? (JSON.parse(execution.input) as { runId?: unknown }) : undefined;
  return typeof input?.runId === 'string' ? input.runId : execution.name;
}

/**
 * Frees the lease of a run whose execution ended without releasing it (stopped or timed out: no
 * Catch runs). Idempotent, and only that run's: a lease another run took, or one already released,
 * is left as it is.
 *
 * A run that ended before it took the lease (stopped during ChooseSnapshot, or while its Snapshot
 * or StartExport was starting) is recorded as ended instead, when the lease is free: a Lambda task
 * of it still in flight (Step Functions does not stop a running invocation) is then refused the
 * lease, rather than taking it for DISTRIBUTED_LEASE_MS after its execution is gone. An event
 * older than the last run's start (a late delivery) records nothing.
 */
export async function releaseEndedRun(
  records: RetrainRunRecords,
  execution: ExecutionEnded,
  now: Date,
): Promise<{ runId: string; released: boolean; recordedEnd?: boolean }> {
  const runId = runIdOfExecution(execution);
  const { lastRun } = await records.latestRuns();
  if (lastRun?.runId === runId) {
    if (lastRun.state !== 'running') return { runId, released: false };
    // finishRun checks the holder again, so a run that took the lease since the read keeps it.
    await records.finishRun(runId, 'failed', now);
    return { runId, released: true };
  }
  const started = execution.startDate ?? now.getTime();
  if (lastRun && Date.parse(lastRun.startedAt) > started) return { runId, released: false };
  // The conditional write of the lease: written only when no running run holds it.
  const ended = await records.acquireRun(
    {
      runId,
      reason: `execution ${execution.status.toLowerCase()} before the run took the lease`,
      startedAt: new Date(started).toISOString(),
      expiresAt: now.toISOString(),
      state: 'failed',
      finishedAt: now.toISOString(),
      endedBeforeLease: true,
    },
    now,
  );
  if (!ended.acquired && ended.holder.runId === runId && ended.holder.state === 'running') {
    // The run's task took the lease between the read above and this write: release it after all.
    await records.finishRun(runId, 'failed', now);
    return { runId, released: true };
  }
  return { runId, released: false, recordedEnd: ended.acquired };
}

/** Runs one task of the machine; a shard task's failure names its shard (ShardTaskError). */
export async function runDistributedTask(event: DistributedTask, deps: DistributedTaskDependencies) {
  const { store } = deps;
  const { runId } = event;
  const shard = event.shard ?? 0;
  const iteration = event.iteration ?? 0;
  switch (event.task) {
    case 'chooseSnapshot':
      return chooseSnapshot(event, deps);
    case 'snapshot':
      return snapshot(event, deps);
    case 'startExport':
    case 'exportProgress':
    case 'partition':
    case 'mergeUserShard':
    case 'cutHoldout':
    case 'splitUserShard':
    case 'planExport':
    case 'itemSlices':
    case 'itemShardFile':
      return exportSnapshotTask(event, deps);
    case 'shard': {
      // A partial Gram is as large as the inverse's input: none when the Reduce will skip EASE
      // (the item counts popularity needs are written all the same).
      const plan = await readPlan(store, runId);
      const easeSkipped = easeTooLarge(plan, deps);
      const done = await shardTask(store, runId, shard, plan, !easeSkipped);
      return easeSkipped ? { ...done, skipped: easeSkipped } : done;
    }
    case 'sumGrams': {
      const plan = await readPlan(store, runId);
      const easeSkipped = easeTooLarge(plan, deps);
      const done = await sumGramsTask(store, runId, shard, plan, !easeSkipped);
      return easeSkipped ? { ...done, skipped: easeSkipped } : done;
    }
    case 'alsUsers':
      return alsUserTask(store, runId, shard, iteration, event.data);
    case 'alsItems':
      return alsItemTask(store, runId, shard, iteration, event.data);
    case 'reduce':
      return reduce(runId, deps);
    case 'profileFeatures':
      return profileFeaturesTask(store, runId, shard);
    case 'profilesReduce':
      return profilesReduceTask(store, deps.profiles.registry, runId);
    case 'profileScores':
      return profileScoresTask(store, deps.profiles, runId, shard);
    case 'release':
      await deps.records.finishRun(runId, event.state ?? 'failed', (deps.now ?? (() => new Date()))());
      return { runId, state: event.state ?? 'failed' };
  }
}

/**
 * Takes the retrain lease (the machine's last state releases it, on success or failure), reads the
 * data once, splits the gate's holdout, shards the holdout's train part, and shards every event
 * read (the profile models' input: features are computed from all of a user's events).
 */
async function snapshot(event: DistributedTask, deps: DistributedTaskDependencies) {
  const { runId } = event;
  const now = (deps.now ?? (() => new Date()))();
  await takeLease(event, deps, now);
  const { data, holdout } = await prepareTrainingData(
    deps,
    { ...DEFAULT_RETRAIN_OPTIONS, flaggedUserWeight: deps.flaggedUserWeight ?? 0 },
    now,
  );
  const options = { ...DEFAULT_SNAPSHOT_OPTIONS, ...deps.snapshot };
  if (!holdout) {
    const nothing: StoredHoldout = {
      startedAt: now.getTime(),
      cut: now.getTime(),
      train: [],
      relevant: [],
      nothingToTrain: 'nothing to train on (no positive events or no items)',
    };
    await deps.store.put(holdoutKey(runId), encodeJson(nothing));
    await writeProfilePlan(
      deps.store,
      runId,
      { now: now.getTime(), userShards: 0, users: 0, items: [] },
      deps.profiles,
    );
    // No shards and no ALS iteration: the machine goes straight to the Reduce.
    return nothingToTrainState(runId);
  }
  // The candidates' catalog, as trainAllModels builds it from the holdout's train part.
  const catalog = catalogSnapshot(data.items, holdout.train);
  await deps.store.put(`runs/${runId}/catalog.json`, encodeJson(catalog));
  const users = new Set(data.events.map((e) => e.userId)).size;
  const gate = gateSamplingFor(deps.gateSampleUsers, users);
  await deps.store.put(holdoutKey(runId), encodeJson(storedHoldout(holdout, now, gate)));
  const state = await snapshotTask(
    deps.store,
    runId,
    holdout.train,
    catalog.itemIds,
    options,
    data.interactions,
  );
  const userShards = state.userShards.length;
  await writeEventShards(deps.store, runId, data.events, userShards);
  await writeProfilePlan(
    deps.store,
    runId,
    { now: now.getTime(), userShards, users, items: data.items },
    deps.profiles,
  );
  return state;
}

/** The run's retrain lease, or RetrainLeaseHeldError (the machine ends in Refused). */
async function takeLease(event: DistributedTask, deps: DistributedTaskDependencies, now: Date) {
  const lease = await acquireRetrainLease(
    deps.records,
    { runId: event.runId, reason: event.reason },
    { now, leaseMs: DISTRIBUTED_LEASE_MS },
  );
  if (!lease.acquired) throw new RetrainLeaseHeldError(lease.refusal);
}

/**
 * The snapshot kind of the run: forced by the execution's input, otherwise an export above
 * `exportAboveEvents` stored events (DescribeTable's ItemCount), where one function could not hold
 * them, and the scan below it (it needs no wait for an export and no stages).
 */
async function chooseSnapshot(event: DistributedTask, deps: DistributedTaskDependencies) {
  const events = await deps.snapshots.eventCount.approximateEventCount();
  const snapshot: SnapshotKind =
    event.start?.snapshot ?? (events > deps.snapshots.exportAboveEvents ? 'export' : 'scan');
  return { runId: event.runId, reason: event.reason, snapshot, events };
}

/** One stage of the export snapshot; startExport takes the lease first, planExport writes the run's shared files. */
async function exportSnapshotTask(event: DistributedTask, deps: DistributedTaskDependencies) {
  const { runId } = event;
  const shard = event.shard ?? 0;
  const options = { ...DEFAULT_SNAPSHOT_OPTIONS, ...deps.snapshot };
  const stages: ExportSnapshotDependencies = {
    store: deps.store,
    export: deps.snapshots.export,
    eventWeights: DEFAULT_RETRAIN_OPTIONS.eventWeights,
    flaggedUserWeight: deps.flaggedUserWeight ?? 0,
    holdoutShare: DEFAULT_RETRAIN_OPTIONS.holdout,
    gateSampleUsers: deps.gateSampleUsers,
  };
  switch (event.task) {
    case 'startExport': {
      const now = (deps.now ?? (() => new Date()))();
      await takeLease(event, deps, now);
      const [events, flaggedUsers] = await Promise.all([
        deps.snapshots.eventCount.approximateEventCount(),
        deps.flaggedUsers?.() ?? new Set<string>(),
      ]);
      return startExport(stages, runId, {
        events,
        interactionsPerShard: options.interactionsPerShard,
        now,
        flaggedUsers,
      });
    }
    case 'exportProgress':
      return exportProgress(stages, runId);
    case 'partition':
      return partition(stages, runId, event.batch ?? 0);
    case 'mergeUserShard':
      return mergeUserShard(stages, runId, shard);
    case 'cutHoldout': {
      const hasItems = (await deps.sources.loadItems()).length > 0;
      const cut = await cutHoldout(stages, runId, { hasItems });
      return { runId, cut: cut.cut, nothingToTrain: cut.nothingToTrain };
    }
    case 'splitUserShard':
      return splitUserShard(stages, runId, shard);
    case 'itemSlices':
      return itemSlices(stages, runId, shard);
    case 'itemShardFile':
      return itemShardFile(stages, runId, shard);
    default: {
      const items = await deps.sources.loadItems();
      const planned = await planExport(stages, runId, items, options);
      if (planned.catalog) await deps.store.put(`runs/${runId}/catalog.json`, encodeJson(planned.catalog));
      await deps.store.put(holdoutKey(runId), encodeJson(planned.holdout satisfies StoredHoldout));
      // The profile tasks read the events files MergeUserShards wrote, sampled as the scan Snapshot plans.
      await writeProfilePlan(deps.store, runId, { ...planned.run, items }, deps.profiles);
      return planned.state;
    }
  }
}

function storedHoldout(holdout: Holdout, now: Date, sampling: GateSampling): StoredHoldout {
  return { startedAt: now.getTime(), cut: holdout.cut, ...sampledHoldout(holdout, sampling) };
}

/** Why a run whose plan was written before the machine trained session EASE leaves it and hybrid alone. */
const NO_SESSION_EASE_REASON =
  "this run's plan predates session EASE on the distributed retrain; the live version stays";

/**
 * Matrices of items² x 4 bytes the Reduce holds beside one solve's measured five, counted from its
 * code (not measured): during its last solve, the weights of the solves before; once all are
 * solved, every solve's weights, the dense artifacts built from them (EASE's and session EASE's,
 * and hybrid's copy of session EASE's) and the one the gate's ONNX session loads. With session EASE
 * shipped on every interaction: four solves, six dense artifacts, so 11 at once, 6 beyond a solve.
 */
export function reduceHeldMatrices(plan: Pick<DistributedPlan, 'sessionEase' | 'allInteractions'>): number {
  const kinds = gramKindsOf(plan);
  const solved = kinds.length;
  const artifacts = solved + kinds.filter((k) => k.kind === 'session').length;
  const solving = DENSE_EASE_MEMORY.matricesAtPeak + solved - 1;
  const built = solved + artifacts + 1;
  return Math.max(solving, built) - DENSE_EASE_MEMORY.matricesAtPeak;
}

/** Why this run's dense EASE does not fit the function's memory (at the Reduce's peak), or undefined when it does. */
function easeTooLarge(plan: DistributedPlan, deps: DistributedTaskDependencies): string | undefined {
  if (deps.memoryMb === undefined) return undefined;
  return denseEaseSkipReason(plan.modelled.length, deps.memoryMb, reduceHeldMatrices(plan));
}

/**
 * EASE and session EASE from the summed Grams, ALS from the last item factors, popularity from the
 * summed counts, content and hybrid at the Reduce, written under the run's prefix, then evaluated,
 * gated and published as the single path does: the gate measures the holdout-trained candidates;
 * the run ships each trained on every interaction (the plan's `allInteractions`).
 */
async function reduce(runId: string, deps: DistributedTaskDependencies) {
  const { store } = deps;
  const stored = await decodeJson<StoredHoldout>(store, holdoutKey(runId));
  const skipped: Record<string, string> = Object.fromEntries(
    MODEL_NAMES.filter((name) => !(DISTRIBUTED_MODELS as readonly string[]).includes(name)).map((name) => [
      name,
      NOT_DISTRIBUTED_REASON,
    ]),
  );
  if (stored.nothingToTrain)
    return { runId, trained: [], versions: [], skipped: { all: stored.nothingToTrain } };
  const started = performance.now();
  const plan = await readPlan(store, runId);
  const easeSkipped = easeTooLarge(plan, deps);
  // Session EASE solves over the same modelled items, and hybrid embeds it: all three fit or none.
  if (easeSkipped) for (const name of DENSE_EASE_MODELS) skipped[name] = easeSkipped;
  else if (!plan.sessionEase)
    for (const name of ['ease-session', 'hybrid'] as const) skipped[name] = NO_SESSION_EASE_REASON;
  await deps.records.recordSkipped(runId, skipped);
  const reduced = await reduceTask(store, runId, !easeSkipped, plan);
  const { ease, sessionEase, als, easeOnAll, sessionEaseOnAll, alsOnAll, countsOnAll } = reduced;
  const catalog = await decodeJson<CatalogSnapshot>(store, `runs/${runId}/catalog.json`);
  // Stamped like trainAllModels stamps the holdout candidates: trained "at" the cut.
  const meta = (name: ModelName): ArtifactMetadata => ({ name, trainedAt: stored.cut, catalog });
  const runMs = Date.now() - stored.startedAt;
  // Popularity is users with a positive signal per item (trainPopularity): the summed item counts.
  const popularity = (counts: ArrayLike<number>) =>
    buildPopularityGraph({ kind: 'popularity', itemIds: plan.itemIds, scores: Float32Array.from(counts) });
  // Content reads only the catalog's items, as the single path trains it: the same model ships.
  const content = trainContent(await deps.sources.loadItems(), catalog.itemIds, DEFAULT_CONTENT_OPTIONS);
  const artifact = (name: ModelName, bytes: Uint8Array): TrainedArtifact => ({ name, bytes, trainMs: runMs });
  const candidates: TrainedArtifact[] = [
    artifact('popularity', encodeArtifact(popularity(plan.counts), meta('popularity'))),
    ...(ease ? [artifact('ease', encodeArtifact(buildEaseGraph(ease), meta('ease')))] : []),
    ...(sessionEase
      ? [
          artifact('ease-session', encodeArtifact(buildEaseGraph(sessionEase), meta('ease-session'))),
          artifact('hybrid', encodeArtifact(buildHybridGraph(sessionEase, content), meta('hybrid'))),
        ]
      : []),
    artifact('als', encodeArtifact(buildAlsGraph(als), meta('als'))),
    artifact('content', encodeArtifact(buildContentGraph(content), meta('content'))),
  ];
  // What ships: each model trained on every interaction (as the single path ships), measured by the
  // gate through its holdout-trained twin.
  const onAll = (name: ModelName) => ({ ...meta(name), trainedAt: stored.startedAt });
  const shippedGraphs: Partial<Record<ModelName, () => GraphBuilder>> = {
    ...(easeOnAll ? { ease: () => buildEaseGraph(easeOnAll) } : {}),
    ...(sessionEaseOnAll
      ? {
          'ease-session': () => buildEaseGraph(sessionEaseOnAll),
          hybrid: () => buildHybridGraph(sessionEaseOnAll, content),
        }
      : {}),
    ...(alsOnAll ? { als: () => buildAlsGraph(alsOnAll) } : {}),
    ...(countsOnAll ? { popularity: () => popularity(countsOnAll) } : {}),
  };
  const shipped = candidates.map((candidate) => {
    const graph = shippedGraphs[candidate.name];
    return graph ? { ...candidate, bytes: encodeArtifact(graph(), onAll(candidate.name)) } : candidate;
  });
  for (const artifact of shipped)
    await store.put(
      distributedArtifactKey(runId, artifact.name as (typeof DISTRIBUTED_MODELS)[number]),
      artifact.bytes,
    );
  const holdout: Holdout = {
    train: stored.train,
    cut: stored.cut,
    relevant: new Map(stored.relevant.map(([userId, items]) => [userId, new Set(items)])),
  };
  const published = await gateAndPublish(
    { ...deps, artifacts: store },
    {
      candidates,
      shipped,
      holdout,
      trainedAt: (deps.now ?? (() => new Date()))(),
      // With the models shipped on every interaction, no event before the run's start is unseen by
      // the shipped set, so the next run keeps the recorded figures rather than re-measure an
      // artifact that saw its holdout; without them (a plan of before allInteractions), the cut.
      dataCutoff: alsOnAll ? stored.startedAt - 1 : stored.cut - 1,
      options: DEFAULT_RETRAIN_OPTIONS,
    },
  );
  return {
    runId,
    trained: candidates.map((c) => c.name),
    easeItems: ease?.modelled.length ?? 0,
    alsItems: als.itemIds.length,
    reduceMs: Math.round(performance.now() - started),
    versions: published.versions,
    defaultModel: published.defaultModel,
    skipped,
  };
}

/**
 * Child-process side of the scale benchmark: runs ONE task of the distributed retrain in a fresh
 * process, so its peak RSS (process.resourceUsage().maxRSS) is that task's alone, as one Lambda
 * invocation's would be. Argument: one JSON object (`ChildTask`). Prints one JSON line: the task's
 * time in ms (imports excluded), its peak RSS in MB, and task-specific figures.
 */
import { encodeArtifact } from '#domain/recommendations/artifact.ts';
import { DEFAULT_EASE_OPTIONS, type EaseModel, easeWeightsFromGram } from '#domain/recommendations/ease.ts';
import { buildEaseGraph } from '#domain/recommendations/graphs.ts';
import { catalogSnapshot } from '#domain/recommendations/training.ts';
import {
  alsItemTask,
  alsUserTask,
  gramKindsOf,
  readPlan,
  reduceTask,
  shardTask,
  sumGramsTask,
  snapshotTask,
  DEFAULT_SNAPSHOT_OPTIONS,
} from '#domain/recommendations/distributed-tasks.ts';
import {
  aggregateEvents,
  DEFAULT_EVENT_WEIGHTS,
  type WeightedInteraction,
} from '#domain/recommendations/interactions.ts';
import { shardByUser, userShardOf } from '#domain/recommendations/sharded-training.ts';
import {
  type ProfileShardOutput,
  profileShardTask,
  reduceProfileShards,
  samplingFor,
} from '#domain/profiles/sharded-training.ts';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import { DirectoryArtifacts } from './directory-artifacts.ts';
import {
  DEFAULT_LOG_SHAPE,
  type EventLogShape,
  LOG_NOW,
  skewedEventLog,
  syntheticCatalog,
} from './skewed-event-log.ts';

/** What the parent asks a child to run. */
export type ChildTask =
  | {
      task: 'snapshot';
      dir: string;
      runId: string;
      shape: EventLogShape;
      interactionsPerShard: number;
      interactionsPerItemShard: number;
      alsIterations: number;
    }
  | { task: 'gram' | 'alsUsers' | 'alsItems'; dir: string; runId: string; shard: number; iteration?: number }
  | {
      task: 'profiles';
      dir: string;
      runId: string;
      shard: number;
      userShards: number;
      shape: EventLogShape;
      sampleSize: number;
    }
  | { task: 'reduce' | 'sumGrams'; dir: string; runId: string; shard?: number }
  | { task: 'profilesReduce'; dir: string; runId: string; userShards: number; shape: EventLogShape }
  | { task: 'denseEase'; items: number }
  | { task: 'exportFile'; dir: string; events: number }
  | { task: 'partition'; dir: string; userShards: number };

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const profileKey = (runId: string, kind: 'features' | 'sample', shard: number) =>
  `runs/${runId}/profiles/${kind}-${shard}.json`;

/** Snapshot: the log generated and aggregated per user, then the real Snapshot task over it. */
async function snapshot(t: Extract<ChildTask, { task: 'snapshot' }>) {
  const generated = performance.now();
  const log = skewedEventLog(t.shape);
  const interactions: WeightedInteraction[] = [];
  for (let u = 0; u < log.userIds.length; u++)
    for (const row of aggregateEvents(log.eventsOf(u), DEFAULT_EVENT_WEIGHTS)) interactions.push(row);
  const started = performance.now();
  const state = await snapshotTask(
    new DirectoryArtifacts(t.dir),
    t.runId,
    interactions,
    log.catalog.map((item) => item.itemId),
    {
      ...DEFAULT_SNAPSHOT_OPTIONS,
      interactionsPerShard: t.interactionsPerShard,
      interactionsPerItemShard: t.interactionsPerItemShard,
      als: { ...DEFAULT_SNAPSHOT_OPTIONS.als, iterations: t.alsIterations },
    },
  );
  return {
    ms: performance.now() - started,
    generateMs: started - generated,
    events: log.totalEvents,
    users: log.userIds.length,
    interactions: interactions.length,
    userShards: state.userShards.length,
    itemShards: state.itemShards.length,
    gramGroups: state.gramGroups.length,
    gramKinds: gramKindsOf(await readPlan(new DirectoryArtifacts(t.dir), t.runId)).length,
  };
}

const EXPORT_FILE = 'export/part-0.json';

/** The stand-in export file a partition task reads: a seeded log's events as one JSON array (not timed). */
async function exportFile(t: Extract<ChildTask, { task: 'exportFile' }>) {
  const log = skewedEventLog({ ...DEFAULT_LOG_SHAPE, events: t.events });
  const events: InteractionEvent[] = [];
  for (let u = 0; u < log.userIds.length; u++) for (const e of log.eventsOf(u)) events.push(e);
  await new DirectoryArtifacts(t.dir).put(EXPORT_FILE, encode(events));
  return { ms: 0, events: events.length };
}

/**
 * A stand-in for one partition task of the export snapshot (PartitionExport): reads one
 * bounded file of events, splits it by user shard (`userShardOf`) and writes one piece per shard.
 * Plain JSON, not the export's DynamoDB JSON, so the real task parses more per event.
 */
async function partition(t: Extract<ChildTask, { task: 'partition' }>) {
  const store = new DirectoryArtifacts(t.dir);
  const started = performance.now();
  const events = JSON.parse(new TextDecoder().decode(await store.get(EXPORT_FILE))) as InteractionEvent[];
  const pieces = shardByUser(events, t.userShards);
  await Promise.all(pieces.map((rows, s) => store.put(`partition/pieces/${s}.json`, encode(rows))));
  return { ms: performance.now() - started, events: events.length };
}

/** One user shard's profile features: its users' events regenerated, then the real shard task. */
async function profiles(t: Extract<ChildTask, { task: 'profiles' }>) {
  const log = skewedEventLog(t.shape);
  const events: InteractionEvent[] = [];
  for (let u = 0; u < log.userIds.length; u++)
    if (userShardOf(log.userIds[u], t.userShards) === t.shard)
      for (const e of log.eventsOf(u)) events.push(e);
  const started = performance.now();
  const output = profileShardTask(
    { events },
    log.catalog,
    log.now,
    samplingFor(t.sampleSize, log.userIds.length, 1),
  );
  const store = new DirectoryArtifacts(t.dir);
  await store.put(profileKey(t.runId, 'features', t.shard), encode(output.features));
  await store.put(
    profileKey(t.runId, 'sample', t.shard),
    encode({ sampled: output.sampled, sampledEvents: output.sampledEvents }),
  );
  return { ms: performance.now() - started, users: output.features.length, sampled: output.sampled.length };
}

/** The profile reduce: every shard's sample read back, then the clusterer, forest and churn model. */
async function profilesReduce(t: Extract<ChildTask, { task: 'profilesReduce' }>) {
  const catalog = syntheticCatalog(t.shape.items);
  const store = new DirectoryArtifacts(t.dir);
  const started = performance.now();
  const outputs: ProfileShardOutput[] = [];
  for (let s = 0; s < t.userShards; s++) {
    const sample = JSON.parse(new TextDecoder().decode(await store.get(profileKey(t.runId, 'sample', s))));
    outputs.push({ features: [], ...sample });
  }
  const trained = reduceProfileShards(outputs, catalog, LOG_NOW);
  return {
    ms: performance.now() - started,
    segments: trained.metrics.segments.k,
    trainedUsers: trained.metrics.segments.trainedUsers,
  };
}

/**
 * The dense EASE solve alone over n modelled items: a synthetic SPD Gram, then the real inverse;
 * then the serving artifact of that model is encoded, to weigh it against the models layer.
 * Peak RSS is taken before encoding, so it is the solve's.
 */
async function denseEase(n: number) {
  const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
  const gram = new Float32Array(n * n);
  let state = 12345;
  for (let r = 0; r < n; r++)
    for (let c = r + 1; c < n; c++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      const v = (state / 2 ** 32) * 0.5;
      gram[r * n + c] = v;
      gram[c * n + r] = v;
    }
  // Diagonally dominant, so positive definite (Gershgorin); the inverse's time does not depend on values.
  for (let r = 0; r < n; r++) gram[r * n + r] = n;
  const started = performance.now();
  const weights = await easeWeightsFromGram(gram, n, 200);
  const ms = performance.now() - started;
  const solvePeakRssMb = process.resourceUsage().maxRSS / 1024;
  const catalog = syntheticCatalog(n);
  const modelled = Int32Array.from({ length: n }, (_, i) => i);
  const model: EaseModel = {
    kind: 'ease',
    options: DEFAULT_EASE_OPTIONS,
    itemIds: catalog.map((item) => item.itemId),
    modelled,
    weights,
    columnScale: new Float32Array(n).fill(1),
  };
  const artifact = encodeArtifact(buildEaseGraph(model), {
    name: 'ease',
    trainedAt: LOG_NOW,
    catalog: catalogSnapshot(catalog, []),
  });
  return { ms, baselineRssMb, solvePeakRssMb, artifactMb: artifact.byteLength / 2 ** 20 };
}

async function run(t: ChildTask): Promise<Record<string, number>> {
  switch (t.task) {
    case 'snapshot':
      return snapshot(t);
    case 'profiles':
      return profiles(t);
    case 'profilesReduce':
      return profilesReduce(t);
    case 'denseEase':
      return denseEase(t.items);
    case 'exportFile':
      return exportFile(t);
    case 'partition':
      return partition(t);
    case 'sumGrams': {
      const started = performance.now();
      const { partials } = await sumGramsTask(new DirectoryArtifacts(t.dir), t.runId, t.shard ?? 0);
      return { ms: performance.now() - started, partials };
    }
    case 'reduce': {
      const started = performance.now();
      const { ease } = await reduceTask(new DirectoryArtifacts(t.dir), t.runId);
      return { ms: performance.now() - started, easeItems: ease.modelled.length };
    }
    default: {
      const store = new DirectoryArtifacts(t.dir);
      const started = performance.now();
      if (t.task === 'gram') await shardTask(store, t.runId, t.shard);
      else if (t.task === 'alsUsers') await alsUserTask(store, t.runId, t.shard, t.iteration ?? 0);
      else await alsItemTask(store, t.runId, t.shard, t.iteration ?? 0);
      return { ms: performance.now() - started };
    }
  }
}

const figures = await run(JSON.parse(process.argv[2]) as ChildTask);
console.log(JSON.stringify({ ...figures, peakRssMb: process.resourceUsage().maxRSS / 1024 }));

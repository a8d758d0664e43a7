import { beforeAll, describe, expect, it } from 'vitest';
import { eventToRow } from '#adapters/dynamodb/catalog-stores.ts';
import { ScannedTableExport } from '#adapters/dynamodb/event-export.ts';
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { ratingsAsEvents } from '#domain/datasets/movielens.ts';
import { DEFAULT_ALS_OPTIONS, trainAls } from '#domain/recommendations/als.ts';
import { withRetrainLease } from '#domain/models/retrain-run.ts';
import {
  DISTRIBUTED_LEASE_MS,
  distributedArtifactKey,
  runDistributedTask,
} from '#domain/recommendations/distributed-run.ts';
import { type DistributedPlan, reduceTask } from '#domain/recommendations/distributed-tasks.ts';
import { DEFAULT_EASE_OPTIONS, type EaseOptions, trainEase } from '#domain/recommendations/ease.ts';
import {
  aggregateEvents,
  buildMatrix,
  DEFAULT_EVENT_WEIGHTS,
  type WeightedInteraction,
} from '#domain/recommendations/interactions.ts';
import { listModels } from '#domain/models/registry.ts';
import { DEFAULT_RETRAIN_OPTIONS, splitForGate } from '#domain/recommendations/retrain.ts';
import { userShardOf } from '#domain/recommendations/sharded-training.ts';
import { catalogSnapshot } from '#domain/recommendations/training.ts';
import { runRetrainMachine } from '#local/retrain-machine.ts';
import { readMovieLensSmall } from '../../support/movielens-small.ts';
import { InMemoryArtifacts, InMemoryModelRecords } from '../../support/memory-models.ts';

// Small ALS so the whole machine (snapshot, Grams, 3 x two Maps, reduce) runs in seconds.
const ALS = { ...DEFAULT_ALS_OPTIONS, factors: 8, iterations: 3 };
// Runs that test the gate and faults, not the EASE figures, model 300 items: each user shard's
// partial Gram is then 0.4 MB instead of 36 MB in the in-memory bucket.
const SMALL_EASE = { ...DEFAULT_EASE_OPTIONS, maxItems: 300 };

let events: InteractionEvent[];
let items: Item[];

beforeAll(async () => {
  const data = await readMovieLensSmall();
  events = ratingsAsEvents(data.ratings);
  items = data.items;
});

/**
 * The export snapshot's port over `stored` events in `store`: the adapter DynamoDB Local runs,
 * its segmented scan reading the rows the events table would hold (files of 20,000 items).
 */
function snapshotsOver(
  store: InMemoryArtifacts,
  stored: readonly InteractionEvent[],
  exportAboveEvents = 1e9,
) {
  const rows = async function* (segment: number, of: number) {
    yield stored.filter((_, i) => i % of === segment).map((event) => ({ ...eventToRow(event) }));
  };
  return {
    export: new ScannedTableExport(rows, store, 20_000),
    eventCount: { approximateEventCount: async () => stored.length },
    exportAboveEvents,
  };
}

/**
 * The machine's tasks over an in-memory bucket and registry (which holds the retrain lease), with
 * `fault` run before each (to inject failures) and `now` the clock the lease is taken by.
 */
function tasksOver(
  store: InMemoryArtifacts,
  options: {
    fault?: (payload: Record<string, unknown>) => void;
    records?: InMemoryModelRecords;
    ease?: EaseOptions;
    now?: () => Date;
    /** The stored events (the MovieLens ratings unless given). */
    stored?: InteractionEvent[];
    interactionsPerShard?: number;
    snapshots?: ReturnType<typeof snapshotsOver>;
  } = {},
) {
  const { fault = () => {}, records = new InMemoryModelRecords(), ease = SMALL_EASE, now } = options;
  const stored = options.stored ?? events;
  const calls: Record<string, unknown>[] = [];
  const invoke = async (payload: Record<string, unknown>) => {
    calls.push(payload);
    fault(payload);
    return runDistributedTask(payload as never, {
      store,
      records,
      sources: { loadEvents: async () => stored, loadItems: async () => items },
      snapshots: options.snapshots ?? snapshotsOver(store, stored),
      snapshot: {
        interactionsPerShard: options.interactionsPerShard ?? 20_000,
        itemShards: 3,
        als: ALS,
        ease,
      },
      ...(now ? { now } : {}),
    });
  };
  return { invoke, calls, records };
}

describe('the distributed retrain state machine, run locally', () => {
  it("trains EASE and ALS over shards equal to the single-process models on the gate's train part", async () => {
    // Prepare
    const store = new InMemoryArtifacts();
    const { invoke, calls } = tasksOver(store, { ease: DEFAULT_EASE_OPTIONS });
    // Act
    const result = await runRetrainMachine({ runId: 'r1', reason: 'test' }, invoke);
    // Assess
    expect(result).toMatchObject({ runId: 'r1', trained: ['ease', 'als'] });
    const shards = calls.filter((c) => c.task === 'shard').length;
    expect(shards).toBeGreaterThan(2);
    expect(calls.filter((c) => c.task === 'alsItems')).toHaveLength(3 * ALS.iterations);
    // The shards hold the older 80% of interactions, split off exactly as the single path's gate does.
    const interactions = splitForGate(
      aggregateEvents(events, DEFAULT_EVENT_WEIGHTS),
      DEFAULT_RETRAIN_OPTIONS.holdout,
      new Date(),
    ).train;
    const whole = buildMatrix(interactions, { itemIds: catalogSnapshot(items, interactions).itemIds });
    const { ease, als } = await reduceTask(store, 'r1');
    const single = await trainEase(whole, DEFAULT_EASE_OPTIONS);
    expect(Array.from(ease.modelled)).toEqual(Array.from(single.modelled));
    expect(maxDifference(ease.weights, single.weights)).toBeLessThan(1e-4);
    const singleAls = trainAls(whole, ALS);
    expect(maxDifference(als.itemFactors, singleAls.itemFactors)).toBeLessThan(1e-4);
    expect(await store.get(distributedArtifactKey('r1', 'ease'))).toBeInstanceOf(Uint8Array);
  });

  it('evaluates, gates and publishes its EASE and ALS as live versions of the registry', async () => {
    // Prepare: `tasksOver` gives the machine an empty registry.
    const store = new InMemoryArtifacts();
    const { invoke, records } = tasksOver(store);
    // Act
    const result = (await runRetrainMachine({ runId: 'p1', reason: 'test' }, invoke)) as {
      skipped: Record<string, string>;
    };
    // Assess
    const listing = await listModels(records);
    expect(listing.models.map((m) => [m.name, m.liveVersion])).toEqual([
      ['als', '000001'],
      ['ease', '000001'],
    ]);
    const ease = listing.models.find((m) => m.name === 'ease')!.versions[0];
    expect(ease.metrics.ndcg).toBeGreaterThan(0.05);
    expect(ease.gate?.decision).toBe('promoted');
    expect(await store.get(ease.artifactKey)).toEqual(await store.get(distributedArtifactKey('p1', 'ease')));
    expect(['ease', 'als']).toContain(listing.defaultModel);
    expect(Object.keys(result.skipped)).toContain('popularity');
    expect((await records.latestRuns()).lastRun).toMatchObject({ runId: 'p1', state: 'succeeded' });
  });

  it('holds the retrain lease when stopped mid-Map: nothing goes live, other runs are refused until it expires', async () => {
    // Prepare: the run is stopped (StopExecution) while its first ALS Map runs.
    const store = new InMemoryArtifacts();
    const records = new InMemoryModelRecords();
    const stop = new AbortController();
    const killed = tasksOver(store, {
      records,
      fault: (p) => {
        if (p.task === 'alsUsers') stop.abort();
      },
    });
    // Act
    await expect(
      runRetrainMachine({ runId: 'k1', reason: 'schedule' }, killed.invoke, { signal: stop.signal }),
    ).rejects.toThrow(/aborted/);
    const second = tasksOver(store, { records });
    const refusedDistributed = runRetrainMachine({ runId: 'k2', reason: 'manual' }, second.invoke);
    // Assess: nothing outside the run's prefix, nothing in the registry.
    expect([...store.objects.keys()].filter((k) => !k.startsWith('runs/k1/'))).toEqual([]);
    expect(await records.listVersions()).toEqual([]);
    await expect(refusedDistributed).rejects.toThrow(/holds the lease/);
    expect(second.calls.map((c) => c.task)).toEqual(['chooseSnapshot', 'snapshot']);
    const single = await withRetrainLease(
      records,
      { runId: 's1', reason: 'manual' },
      { now: new Date(), leaseMs: 60_000 },
      async () => 'trained',
    );
    expect(single).toMatchObject({ ran: false, refusal: expect.stringMatching(/schedule/) });
    expect((await records.latestRuns()).lastRefused?.refusal).toMatch(/holds the lease/);
    // Past the lease's expiry a new run takes it and publishes.
    const later = new Date(Date.now() + DISTRIBUTED_LEASE_MS + 1000);
    const restarted = tasksOver(store, { records, now: () => later });
    await runRetrainMachine({ runId: 'k3', reason: 'manual' }, restarted.invoke);
    expect((await records.getLive('ease'))?.version).toBe('000001');
    expect((await records.latestRuns()).lastRun).toMatchObject({ runId: 'k3', state: 'succeeded' });
  });

  it('publishes nothing live when its candidate loses the gate to the live version', async () => {
    // Prepare: a live EASE whose recorded nDCG@10 no candidate reaches.
    const store = new InMemoryArtifacts();
    const records = new InMemoryModelRecords();
    const live = { name: 'ease', version: '000001', artifactKey: 'models/ease/000001.onnx' };
    await records.putVersion({
      ...live,
      status: 'live',
      sizeBytes: 1,
      trainedAt: new Date(0).toISOString(),
      trainMs: 1,
      metrics: { ndcg: 0.99 },
    });
    await records.setLive({ ...live, history: [], updatedAt: new Date(0).toISOString() }, undefined);
    const { invoke } = tasksOver(store, { records });
    // Act
    await runRetrainMachine({ runId: 'p2', reason: 'test' }, invoke);
    // Assess
    expect((await records.getLive('ease'))?.version).toBe('000001');
    const candidate = await records.getVersion('ease', '000002');
    expect(candidate).toMatchObject({ status: 'rejected', gate: { decision: 'rejected', liveValue: 0.99 } });
    expect(candidate?.artifactKey.startsWith('candidates/')).toBe(true);
  });

  it('trains and publishes nothing on an empty store, and frees the lease', async () => {
    // Prepare
    const records = new InMemoryModelRecords();
    const store = new InMemoryArtifacts();
    const invoke = (payload: Record<string, unknown>) =>
      runDistributedTask(payload as never, {
        store,
        records,
        sources: { loadEvents: async () => [], loadItems: async () => [] },
        snapshots: snapshotsOver(store, []),
        snapshot: { interactionsPerShard: 20_000 },
      });
    // Act
    const result = await runRetrainMachine({ runId: 'e1', reason: 'test' }, invoke);
    // Assess
    expect(result).toMatchObject({
      trained: [],
      skipped: { all: expect.stringMatching(/nothing to train/) },
    });
    expect(await records.listVersions()).toEqual([]);
    expect((await records.latestRuns()).lastRun).toMatchObject({ runId: 'e1', state: 'succeeded' });
  });

  it('retries a shard task that fails once, and the run still trains', async () => {
    const store = new InMemoryArtifacts();
    let failed = false;
    const { invoke, calls } = tasksOver(store, {
      fault: (p) => {
        if (p.task === 'shard' && p.shard === 1 && !failed) {
          failed = true;
          throw new Error('container crashed');
        }
      },
    });
    await runRetrainMachine({ runId: 'r2', reason: 'test' }, invoke, { retryIntervalMs: 0 });
    expect(calls.filter((c) => c.task === 'shard' && c.shard === 1)).toHaveLength(2);
    expect(calls.some((c) => c.task === 'reduce')).toBe(true);
  });

  it('fails the execution naming the shard when one keeps failing, and reduces nothing', async () => {
    // Prepare: the bucket cannot return user shard 2's file (the error does not say which shard).
    const store = new (class extends InMemoryArtifacts {
      override async get(key: string): Promise<Uint8Array> {
        if (key === 'runs/r3/users/2.json') throw new Error('SlowDown: please reduce your request rate');
        return super.get(key);
      }
    })();
    const { invoke, calls, records } = tasksOver(store);
    await expect(
      runRetrainMachine({ runId: 'r3', reason: 'test' }, invoke, { retryIntervalMs: 0 }),
    ).rejects.toThrow(/shard 2/);
    expect(calls.filter((c) => c.task === 'shard' && c.shard === 2)).toHaveLength(3);
    expect(calls.some((c) => c.task === 'reduce')).toBe(false);
    await expect(store.get(distributedArtifactKey('r3', 'ease'))).rejects.toThrow();
    // The Catch released the lease: the run is recorded as failed and the next one may start.
    expect((await records.latestRuns()).lastRun).toMatchObject({ runId: 'r3', state: 'failed' });
    expect(await records.listVersions()).toEqual([]);
  });
});

describe('the export snapshot, run locally', () => {
  /** The run's JSON file. */
  const file = async <T>(store: InMemoryArtifacts, key: string) =>
    JSON.parse(new TextDecoder().decode(await store.get(key))) as T;
  const byPair = (rows: WeightedInteraction[]) =>
    rows.map((x) => `${x.userId}|${x.itemId}|${x.weight}|${x.timestamp}`).sort();

  it('writes the same plan, shard files, catalog and holdout as the scan snapshot, and trains the same EASE and ALS', async () => {
    // Prepare: MovieLens with every timestamp distinct (seconds -> unique ms), so the cut has no ties.
    const distinct = events.map((e, i) => ({ ...e, timestamp: e.timestamp * 1000 + i }));
    const store = new InMemoryArtifacts();
    const { invoke, calls } = tasksOver(store, { stored: distinct, interactionsPerShard: 60_000 });
    // Act
    await runRetrainMachine({ runId: 'scan', reason: 'test', snapshot: 'scan' }, invoke);
    await runRetrainMachine({ runId: 'export', reason: 'test', snapshot: 'export' }, invoke);
    // Assess
    expect(calls.filter((c) => c.runId === 'export' && c.task === 'snapshot')).toEqual([]);
    expect(calls.filter((c) => c.task === 'partition').length).toBeGreaterThan(0);
    const [scanPlan, exportPlan] = await Promise.all(
      ['scan', 'export'].map((run) => file<DistributedPlan>(store, `runs/${run}/plan.json`)),
    );
    expect({ ...exportPlan, runId: 'scan' }).toEqual(scanPlan);
    for (let s = 0; s < scanPlan.userShards; s++) {
      const [a, b] = await Promise.all(
        ['scan', 'export'].map((run) => file<WeightedInteraction[]>(store, `runs/${run}/users/${s}.json`)),
      );
      expect(byPair(b)).toEqual(byPair(a));
      // The profile tasks' contract: the shard's raw events, every one the run read.
      const raw = await file<InteractionEvent[]>(store, `runs/export/events/${s}.json`);
      expect(raw.map((e) => e.eventId).sort()).toEqual(
        distinct
          .filter((e) => userShardOf(e.userId, scanPlan.userShards) === s)
          .map((e) => e.eventId)
          .sort(),
      );
    }
    expect(await file(store, 'runs/export/catalog.json')).toEqual(
      await file(store, 'runs/scan/catalog.json'),
    );
    // Item shards joined from per-user-shard slices: the same items, the same users per item.
    type ItemFile = { items: number[]; ptr: number[]; values: number[] };
    for (let j = 0; j < scanPlan.itemShards; j++) {
      const [a, b] = await Promise.all(
        ['scan', 'export'].map((run) => file<ItemFile>(store, `runs/${run}/items/${j}.json`)),
      );
      expect([b.items, b.ptr]).toEqual([a.items, a.ptr]);
      expect([...b.values].sort()).toEqual([...a.values].sort());
    }
    type Stored = { cut: number; train: WeightedInteraction[]; relevant: [string, string[]][] };
    const [scanHoldout, exportHoldout] = await Promise.all(
      ['scan', 'export'].map((run) => file<Stored>(store, `runs/${run}/holdout.json`)),
    );
    expect(exportHoldout.cut).toBe(scanHoldout.cut);
    expect(byPair(exportHoldout.train)).toEqual(byPair(scanHoldout.train));
    const relevant = (h: Stored) => h.relevant.map(([u, items]) => `${u}:${[...items].sort()}`).sort();
    expect(relevant(exportHoldout)).toEqual(relevant(scanHoldout));
    const [scanModels, exportModels] = await Promise.all(
      ['scan', 'export'].map((run) => reduceTask(store, run)),
    );
    expect(maxDifference(exportModels.ease.weights, scanModels.ease.weights)).toBeLessThan(1e-5);
    expect(maxDifference(exportModels.als.itemFactors, scanModels.als.itemFactors)).toBeLessThan(1e-4);
  });

  it("cuts the holdout at the same millisecond with ties, keeping the single path's train size", async () => {
    // Prepare: every event between the 70th and 90th percentile of time at one millisecond, so
    // thousands of interactions share the cut's.
    const byTime = [...events].sort((a, b) => a.timestamp - b.timestamp);
    const tied = byTime[Math.floor(byTime.length * 0.7)].timestamp;
    const stored = byTime.map((e, i) =>
      i >= byTime.length * 0.7 && i < byTime.length * 0.9 ? { ...e, timestamp: tied } : e,
    );
    const store = new InMemoryArtifacts();
    const { invoke } = tasksOver(store, { stored, interactionsPerShard: 60_000 });
    // Act
    await runRetrainMachine({ runId: 'tscan', reason: 'test', snapshot: 'scan' }, invoke);
    await runRetrainMachine({ runId: 'texport', reason: 'test', snapshot: 'export' }, invoke);
    // Assess
    const holdouts = await Promise.all(
      ['tscan', 'texport'].map((run) => file<{ cut: number }>(store, `runs/${run}/holdout.json`)),
    );
    expect(holdouts[1].cut).toBe(holdouts[0].cut);
    const train = async (run: string) => {
      const plan = await file<DistributedPlan>(store, `runs/${run}/plan.json`);
      const rows: WeightedInteraction[] = [];
      for (let s = 0; s < plan.userShards; s++)
        rows.push(...(await file<WeightedInteraction[]>(store, `runs/${run}/users/${s}.json`)));
      return rows;
    };
    const [scanTrain, exportTrain] = await Promise.all([train('tscan'), train('texport')]);
    const cut = holdouts[0].cut;
    expect(exportTrain.length).toBe(scanTrain.length);
    expect(cut).toBe(tied);
    expect(scanTrain.filter((x) => x.timestamp === cut).length).toBeGreaterThan(1000);
    expect(exportTrain.filter((x) => x.timestamp === cut).length).toBe(
      scanTrain.filter((x) => x.timestamp === cut).length,
    );
    // Only which of the interactions at the cut's millisecond are trained on may differ.
    expect(byPair(exportTrain.filter((x) => x.timestamp < cut))).toEqual(
      byPair(scanTrain.filter((x) => x.timestamp < cut)),
    );
  });

  it('chooses the export above RETRAIN_EXPORT_ABOVE_EVENTS; a failed export fails the run, frees the lease and publishes nothing', async () => {
    // Prepare: a table above the threshold whose export is in progress at the first poll, then FAILED.
    const store = new InMemoryArtifacts();
    const snapshots = snapshotsOver(store, events, 1_000);
    let polls = 0;
    snapshots.export.progress = async () =>
      polls++ === 0 ? { state: 'IN_PROGRESS' } : { state: 'FAILED', reason: 'S3 access denied' };
    const { invoke, calls, records } = tasksOver(store, { snapshots });
    // Act
    const run = runRetrainMachine({ runId: 'f1', reason: 'test' }, invoke);
    // Assess
    await expect(run).rejects.toThrow(/export .* failed: S3 access denied/);
    expect(calls.map((c) => c.task)).toEqual([
      'chooseSnapshot',
      'startExport',
      'exportProgress',
      'exportProgress',
      'release',
    ]);
    expect((await records.latestRuns()).lastRun).toMatchObject({ runId: 'f1', state: 'failed' });
    expect(await records.listVersions()).toEqual([]);
  });
});

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventToRow } from '#adapters/dynamodb/catalog-stores.ts';
import { ScannedTableExport } from '#adapters/dynamodb/event-export.ts';
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { ratingsAsEvents } from '#domain/datasets/movielens.ts';
import { DEFAULT_ALS_OPTIONS, trainAls } from '#domain/recommendations/als.ts';
import { acquireRetrainLease, type RetrainRunRecords, withRetrainLease } from '#domain/models/retrain-run.ts';
import {
  DISTRIBUTED_LEASE_MS,
  distributedArtifactKey,
  type ExecutionEnded,
  reduceHeldMatrices,
  releaseEndedRun,
  runDistributedTask,
} from '#domain/recommendations/distributed-run.ts';
import { DENSE_EASE_MEMORY, denseEasePeakMb } from '#domain/recommendations/dense-ease-limit.ts';
import { type DistributedPlan, reduceTask } from '#domain/recommendations/distributed-tasks.ts';
import {
  DEFAULT_EASE_OPTIONS,
  type EaseOptions,
  pairWeight,
  SESSION_EASE_OPTIONS,
  trainEase,
} from '#domain/recommendations/ease.ts';
import {
  aggregateEvents,
  buildMatrix,
  DEFAULT_EVENT_WEIGHTS,
  itemCounts,
  type WeightedInteraction,
} from '#domain/recommendations/interactions.ts';
import {
  type CatalogSnapshot,
  decodeArtifactMetadata,
  encodeArtifact,
} from '#domain/recommendations/artifact.ts';
import { trainContent } from '#domain/recommendations/content.ts';
import { buildContentGraph, buildHybridGraph } from '#domain/recommendations/graphs.ts';
import { listModels } from '#domain/models/registry.ts';
import type { StoredProfileSummary } from '#domain/profiles/ports.ts';
import type { ProfileHistory } from '#domain/profiles/profile-history.ts';
import { ProfileRegistry } from '#domain/profiles/registry.ts';
import { DEFAULT_RETRAIN_OPTIONS, splitForGate } from '#domain/recommendations/retrain.ts';
import { easeFromSummedGram, partialGram, userShardOf } from '#domain/recommendations/sharded-training.ts';
import { trainPopularity } from '#domain/recommendations/popularity.ts';
import { catalogSnapshot } from '#domain/recommendations/training.ts';
import { LocalEventBus } from '#local/event-bus.ts';
import { historyExpiryOf } from '#domain/profiles/stored-rows.ts';
import { runRetrainMachine } from '#local/retrain-machine.ts';
import { settings } from '#platform/declaration.ts';
import { readMovieLensSmall } from '../../support/movielens-small.ts';
import { InMemoryArtifacts, InMemoryModelRecords } from '../../support/memory-models.ts';

// Small ALS so the whole machine (snapshot, Grams, 2 passes x 2 iterations x two Maps, reduce) runs in seconds.
const ALS = { ...DEFAULT_ALS_OPTIONS, factors: 8, iterations: 2 };
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

/** Users the profile models train on at the reduce (of 610 in ml-latest-small), so the sample is a real subset. */
const PROFILE_SAMPLE_USERS = 400;

/** The profile registry (its own records, the run's bucket) and the tables scoring writes, in memory. */
function profileStoresOver(store: InMemoryArtifacts) {
  const summaries: StoredProfileSummary[] = [];
  const histories: ProfileHistory[] = [];
  return {
    sampleUsers: PROFILE_SAMPLE_USERS,
    config: {},
    records: new InMemoryModelRecords(),
    summaries: {
      putAll: async (rows: StoredProfileSummary[]) => void summaries.push(...rows),
      getAll: async (userIds: readonly string[]) => {
        const latest = new Map(summaries.map((row) => [row.userId, row]));
        return new Map(userIds.flatMap((id) => (latest.has(id) ? [[id, latest.get(id)!] as const] : [])));
      },
      rows: summaries,
    },
    histories: {
      putAll: async (rows: ProfileHistory[]) => void histories.push(...rows),
      stampsOf: async (userIds: readonly string[]) => {
        const latest = new Map(histories.map((row) => [row.userId, row]));
        return new Map(
          userIds.flatMap((id) => {
            const h = latest.get(id);
            return h
              ? [
                  [
                    id,
                    { cut: h.cut, totalEvents: h.activity.totalEvents, expiresAt: historyExpiryOf(h.cut) },
                  ] as const,
                ]
              : [];
          }),
        );
      },
      rows: histories,
    },
    get registry() {
      return new ProfileRegistry(this.records, store);
    },
  };
}

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
    memoryMb?: number;
    gateSampleUsers?: number;
    /** The stored events (the MovieLens ratings unless given). */
    stored?: InteractionEvent[];
    interactionsPerShard?: number;
    snapshots?: ReturnType<typeof snapshotsOver>;
  } = {},
) {
  const { fault = () => {}, records = new InMemoryModelRecords(), ease = SMALL_EASE, now } = options;
  const stored = options.stored ?? events;
  const calls: Record<string, unknown>[] = [];
  const profiles = profileStoresOver(store);
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
        interactionsPerItemShard: 30_000,
        // Groups of 2 partial Grams (the least gramsPerSum gives): every run sums through the tree.
        gramBytesPerSumTask: 1,
        als: ALS,
        ease,
        // Session EASE models the same items as EASE on a distributed run.
        sessionEase: { ...SESSION_EASE_OPTIONS, maxItems: ease.maxItems },
      },
      profiles,
      ...(now ? { now } : {}),
      ...(options.memoryMb ? { memoryMb: options.memoryMb } : {}),
      gateSampleUsers: options.gateSampleUsers ?? settings.RETRAIN_GATE_SAMPLE_USERS.default,
    });
  };
  return { invoke, calls, records, profiles };
}

/** The machine's tasks, with the signal that stops the run (as StopExecution does) when its first ALS Map starts. */
function stoppedAtFirstAlsMap(store: InMemoryArtifacts, records: InMemoryModelRecords) {
  const stop = new AbortController();
  const tasks = tasksOver(store, {
    records,
    fault: (p) => {
      if (p.task === 'alsUsers') stop.abort();
    },
  });
  return { ...tasks, signal: stop.signal };
}

/** An artifact's SHA-256: compares tens of MB byte for byte, with a short message when they differ. */
const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** What the machine trains, in the order the Reduce reports them. */
const EVERY_MACHINE_MODEL = ['popularity', 'ease', 'ease-session', 'hybrid', 'als', 'content'] as const;

// Each test runs the whole machine (two ALS passes, the reduces, the profile Maps) in this process:
// 10-20 s alone here, and past the unit project's 60 s when CI runs the integration projects beside it.
const MACHINE_RUN_TIMEOUT_MS = 180_000;

describe('the distributed retrain state machine, run locally', { timeout: MACHINE_RUN_TIMEOUT_MS }, () => {
  it("trains EASE, session EASE and ALS over shards equal to the single-process models on the gate's train part", async () => {
    // Prepare
    const store = new InMemoryArtifacts();
    const { invoke, calls } = tasksOver(store, { ease: DEFAULT_EASE_OPTIONS });
    // Act
    const result = await runRetrainMachine({ runId: 'r1', reason: 'test' }, invoke);
    // Assess
    expect(result).toMatchObject({ runId: 'r1', trained: EVERY_MACHINE_MODEL });
    const shards = calls.filter((c) => c.task === 'shard').length;
    expect(shards).toBeGreaterThan(2);
    // The Reduce read the sums of groups of 2 user shards, not every partial Gram.
    expect(calls.filter((c) => c.task === 'sumGrams')).toHaveLength(Math.ceil(shards / 2));
    // Two ALS passes over 3 item shards: the candidate's (train part) and the shipped one's (every interaction).
    expect(calls.filter((c) => c.task === 'alsItems')).toHaveLength(2 * 3 * ALS.iterations);
    expect(calls.filter((c) => c.task === 'alsItems' && c.data === 'all')).toHaveLength(3 * ALS.iterations);
    // The shards hold the older 80% of interactions, split off exactly as the single path's gate does.
    const interactions = splitForGate(
      aggregateEvents(events, DEFAULT_EVENT_WEIGHTS),
      DEFAULT_RETRAIN_OPTIONS.holdout,
      new Date(),
    ).train;
    const whole = buildMatrix(interactions, { itemIds: catalogSnapshot(items, interactions).itemIds });
    const { ease, sessionEase, als } = await reduceTask(store, 'r1');
    const single = await trainEase(whole, DEFAULT_EASE_OPTIONS);
    expect(Array.from(ease.modelled)).toEqual(Array.from(single.modelled));
    expect(maxDifference(ease.weights, single.weights)).toBeLessThan(1e-4);
    // Session EASE: pairs weighted by time apart, over the same modelled items, as trainAllModels trains it.
    const singleSession = await trainEase(whole, SESSION_EASE_OPTIONS);
    expect(Array.from(sessionEase!.modelled)).toEqual(Array.from(singleSession.modelled));
    expect(maxDifference(sessionEase!.weights, singleSession.weights)).toBeLessThan(1e-4);
    expect(maxDifference(sessionEase!.weights, ease.weights)).toBeGreaterThan(1e-3);
    const singleAls = trainAls(whole, ALS);
    expect(maxDifference(als.itemFactors, singleAls.itemFactors)).toBeLessThan(1e-4);
    expect(await store.get(distributedArtifactKey('r1', 'ease'))).toBeInstanceOf(Uint8Array);
  });

  it('ships every model it trains on every interaction, equal to one process, while the gate measures the holdout ones', async () => {
    // Prepare
    const store = new InMemoryArtifacts();
    const { invoke, records } = tasksOver(store);
    // Act
    await runRetrainMachine({ runId: 'all1', reason: 'test' }, invoke);
    // Assess: one process over every interaction, on the run's columns and modelled items.
    const all = aggregateEvents(events, DEFAULT_EVENT_WEIGHTS);
    const { ease, easeOnAll, sessionEaseOnAll, als, alsOnAll, countsOnAll } = await reduceTask(store, 'all1');
    expect(easeOnAll).toBeDefined();
    const whole = buildMatrix(all, { itemIds: ease.itemIds });
    const counts = Float64Array.from(itemCounts(whole).slice(0, ease.itemIds.length));
    const reference = await easeFromSummedGram(
      partialGram(whole, ease.modelled),
      counts,
      ease.modelled,
      ease.itemIds,
      SMALL_EASE,
    );
    expect(maxDifference(easeOnAll!.weights, reference.weights)).toBeLessThan(1e-4);
    // Trained on more than the holdout's train part: not the candidate the gate measured.
    expect(maxDifference(easeOnAll!.weights, ease.weights)).toBeGreaterThan(1e-3);
    const session = { ...SESSION_EASE_OPTIONS, maxItems: SMALL_EASE.maxItems };
    const sessionReference = await easeFromSummedGram(
      partialGram(whole, ease.modelled, pairWeight(session)),
      counts,
      ease.modelled,
      ease.itemIds,
      session,
    );
    expect(maxDifference(sessionEaseOnAll!.weights, sessionReference.weights)).toBeLessThan(1e-4);
    // What went live, for each model the run trains, is the artifact it shipped.
    const newest = Math.max(...all.map((x) => x.timestamp));
    const listing = await listModels(records);
    const liveArtifact = async (name: (typeof EVERY_MACHINE_MODEL)[number]) => {
      const model = listing.models.find((m) => m.name === name)!;
      return store.get(model.versions.find((v) => v.version === model.liveVersion)!.artifactKey);
    };
    for (const name of EVERY_MACHINE_MODEL)
      expect(digest(await liveArtifact(name))).toBe(
        digest(await store.get(distributedArtifactKey('all1', name))),
      );
    for (const name of ['ease', 'ease-session', 'hybrid', 'als'] as const)
      expect(decodeArtifactMetadata(await liveArtifact(name)).trainedAt).toBeGreaterThan(newest);
    const known = new Set(als.itemIds);
    const allKnown = all.filter((x) => known.has(x.itemId));
    // ALS: the single process's ALS over every interaction (the run's columns), from the same seed.
    const allAls = trainAls(buildMatrix(allKnown, { itemIds: als.itemIds }), ALS);
    expect(maxDifference(alsOnAll!.itemFactors, allAls.itemFactors)).toBeLessThan(1e-4);
    expect(maxDifference(alsOnAll!.itemFactors, als.itemFactors)).toBeGreaterThan(1e-3);
    // Popularity: the single path's trainPopularity over every interaction, from the summed counts.
    expect(Array.from(countsOnAll!)).toEqual(Array.from(trainPopularity(allKnown, als.itemIds).scores));
    // Content: the single path's trainContent over the catalog's items, byte for byte.
    const json = async <T>(key: string) => JSON.parse(new TextDecoder().decode(await store.get(key))) as T;
    const catalog = await json<CatalogSnapshot>('runs/all1/catalog.json');
    const { cut, startedAt } = await json<{ cut: number; startedAt: number }>('runs/all1/holdout.json');
    const content = trainContent(items, catalog.itemIds);
    expect(digest(await store.get(distributedArtifactKey('all1', 'content')))).toBe(
      digest(encodeArtifact(buildContentGraph(content), { name: 'content', trainedAt: cut, catalog })),
    );
    // Hybrid: the shipped session EASE and that content model, as trainAllModels builds it.
    expect(digest(await store.get(distributedArtifactKey('all1', 'hybrid')))).toBe(
      digest(
        encodeArtifact(buildHybridGraph(sessionEaseOnAll!, content), {
          name: 'hybrid',
          trainedAt: startedAt,
          catalog,
        }),
      ),
    );
  });

  it('leaves out, and does not fail on, events of items the catalog lacks that appear after the cut', async () => {
    // Prepare: ratings of an item the items table does not list, all after the holdout's cut.
    const newest = Math.max(...events.map((e) => e.timestamp));
    const unlisted = events.slice(0, 40).map((e, i) => ({
      ...e,
      eventId: `unlisted-${i}`,
      itemId: 'not-in-catalog',
      timestamp: newest + 1 + i,
    }));
    const store = new InMemoryArtifacts();
    const { invoke } = tasksOver(store, { stored: [...events, ...unlisted] });
    // Act
    const result = await runRetrainMachine({ runId: 'unlisted', reason: 'test' }, invoke);
    // Assess
    expect(result).toMatchObject({ trained: EVERY_MACHINE_MODEL });
    const { alsOnAll, easeOnAll } = await reduceTask(store, 'unlisted');
    expect(alsOnAll?.itemIds).not.toContain('not-in-catalog');
    expect(easeOnAll?.itemIds).not.toContain('not-in-catalog');
  });

  it('evaluates, gates and publishes every model it trains as live versions of the registry', async () => {
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
      ['content', '000001'],
      ['ease', '000001'],
      ['ease-session', '000001'],
      ['hybrid', '000001'],
      ['popularity', '000001'],
    ]);
    const ease = listing.models.find((m) => m.name === 'ease')!.versions[0];
    expect(ease.metrics.ndcg).toBeGreaterThan(0.05);
    expect(ease.gate?.decision).toBe('promoted');
    expect(digest(await store.get(ease.artifactKey))).toBe(
      digest(await store.get(distributedArtifactKey('p1', 'ease'))),
    );
    expect(['ease', 'ease-session', 'hybrid', 'als', 'content']).toContain(listing.defaultModel);
    expect(Object.keys(result.skipped)).toEqual(['trending']);
    const { lastRun } = await records.latestRuns();
    expect(lastRun).toMatchObject({ runId: 'p1', state: 'succeeded' });
    // GET /models shows why the run left the other models alone.
    expect(lastRun?.skipped?.trending).toBe(result.skipped.trending);
  });

  it('skips EASE and session EASE, Grams included, when an inverse would not fit the function, and still publishes ALS', async () => {
    // Prepare: a function one modelled item short of the Reduce's peak at 300 modelled items.
    const store = new InMemoryArtifacts();
    // The Reduce holds 6 matrices beside the solve: four solves' weights and their artifacts.
    const held = reduceHeldMatrices({ sessionEase: SESSION_EASE_OPTIONS, allInteractions: true });
    expect(held).toBe(6);
    const memoryMb = denseEasePeakMb(SMALL_EASE.maxItems - 1, held) / DENSE_EASE_MEMORY.usableShare;
    const { invoke, calls, records } = tasksOver(store, { memoryMb });
    // Act
    const result = (await runRetrainMachine({ runId: 'm1', reason: 'test' }, invoke)) as {
      trained: string[];
      skipped: Record<string, string>;
    };
    // Assess
    expect(result.trained).toEqual(['popularity', 'als', 'content']);
    expect(result.skipped.ease).toMatch(/dense EASE over 300 modelled items .* holds 299 items: skipped/);
    expect(result.skipped['ease-session']).toBe(result.skipped.ease);
    expect(result.skipped.hybrid).toBe(result.skipped.ease);
    expect(calls.filter((c) => c.task === 'shard').length).toBeGreaterThan(2);
    expect(
      [...store.objects.keys()].filter((key) => /\/gram(-session)?(-all)?(-sum)?\/.*\.f32$/.test(key)),
    ).toEqual([]);
    // The item counts are summed all the same: popularity still trains.
    expect([...store.objects.keys()].filter((key) => key.endsWith('.counts.f64')).length).toBeGreaterThan(0);
    const listing = await listModels(records);
    expect(listing.models.map((m) => [m.name, m.liveVersion])).toEqual([
      ['als', '000001'],
      ['content', '000001'],
      ['popularity', '000001'],
    ]);
    expect((await records.latestRuns()).lastRun?.skipped?.ease).toBe(result.skipped.ease);
  });

  it('holds the retrain lease when stopped mid-Map: nothing goes live, other runs are refused until it expires', async () => {
    // Prepare: the run is stopped (StopExecution) while its first ALS Map runs.
    const store = new InMemoryArtifacts();
    const records = new InMemoryModelRecords();
    const killed = stoppedAtFirstAlsMap(store, records);
    // Act
    await expect(
      runRetrainMachine({ runId: 'k1', reason: 'schedule' }, killed.invoke, { signal: killed.signal }),
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

  it("frees a stopped run's lease through the declared status-change rule, so a new run starts at once", async () => {
    // Prepare: the execution's end goes to a local bus with the declared rules; the rule's target
    // (retrainShard) answers it as its handler does.
    const store = new InMemoryArtifacts();
    const records = new InMemoryModelRecords();
    const targets: string[] = [];
    const bus = new LocalEventBus(async (fn, event) => {
      targets.push(fn);
      if (fn === 'retrainShard')
        return releaseEndedRun(records, event.detail as unknown as ExecutionEnded, new Date());
    });
    const killed = stoppedAtFirstAlsMap(store, records);
    // Act: stopped during its first ALS Map.
    await expect(
      runRetrainMachine({ runId: 'k4', reason: 'schedule' }, killed.invoke, {
        signal: killed.signal,
        publish: (event) => bus.put([event]),
      }),
    ).rejects.toThrow(/aborted/);
    await bus.drain();
    // Assess: released (no run `running`), and a run started now, on the same clock, trains.
    expect(bus.delivered.map((d) => [d.rule, d.event.detail.status])).toEqual([
      ['retrain-execution-ended', 'ABORTED'],
    ]);
    expect(targets).toEqual(['retrainShard']);
    expect((await records.latestRuns()).lastRun).toMatchObject({ runId: 'k4', state: 'failed' });
    expect(await records.listVersions()).toEqual([]);
    const next = tasksOver(store, { records });
    await runRetrainMachine({ runId: 'k5', reason: 'manual' }, next.invoke, {
      publish: (event) => bus.put([event]),
    });
    await bus.drain();
    expect((await records.latestRuns()).lastRun).toMatchObject({ runId: 'k5', state: 'succeeded' });
    expect((await records.getLive('ease'))?.version).toBe('000001');
    // A succeeded run goes to the retrain function (the models layer), not to the release.
    expect(bus.delivered.at(-1)).toMatchObject({ rule: 'retrain-execution-succeeded' });
    expect(targets.at(-1)).toBe('retrain');
  });

  it('records a run stopped before it took the lease as ended: its late task is refused, no other run is', async () => {
    // Prepare
    const records = new InMemoryModelRecords();
    const now = new Date();
    const ended = (name: string, startDate: number): ExecutionEnded => ({
      name,
      status: 'ABORTED',
      input: JSON.stringify({ runId: name }),
      startDate,
    });
    const lease = { now, leaseMs: DISTRIBUTED_LEASE_MS };
    // Act: the end of an execution whose run never took the lease, then that run's Snapshot.
    const recorded = await releaseEndedRun(records, ended('early', now.getTime() - 1000), now);
    const late = await acquireRetrainLease(records, { runId: 'early', reason: 'schedule' }, lease);
    // Assess
    expect(recorded).toEqual({ runId: 'early', released: false, recordedEnd: true });
    expect(late).toMatchObject({
      acquired: false,
      refusal: expect.stringMatching(/already ended before it took/),
    });
    expect((await records.latestRuns()).lastRun).toMatchObject({ runId: 'early', state: 'failed' });
    // Another run takes the lease at once; an end reported while it runs records nothing over it.
    expect(await acquireRetrainLease(records, { runId: 'next', reason: 'manual' }, lease)).toEqual({
      acquired: true,
    });
    expect(await releaseEndedRun(records, ended('other', now.getTime() + 1), now)).toMatchObject({
      recordedEnd: false,
    });
    await records.finishRun('next', 'succeeded', now);
    // A late delivery of an end from before the last run's start records nothing either.
    expect(await releaseEndedRun(records, ended('older', now.getTime() - 60_000), now)).toEqual({
      runId: 'older',
      released: false,
    });
    expect((await records.latestRuns()).lastRun).toMatchObject({ runId: 'next', state: 'succeeded' });
    // The run's task took the lease between the release's read and its write: released after all.
    await records.finishRun('next', 'succeeded', now);
    await acquireRetrainLease(records, { runId: 'raced', reason: 'schedule' }, lease);
    const staleRead: RetrainRunRecords = {
      acquireRun: (run, at) => records.acquireRun(run, at),
      finishRun: (runId, state, at) => records.finishRun(runId, state, at),
      recordRefusal: (refusal) => records.recordRefusal(refusal),
      recordSkipped: (runId, skipped) => records.recordSkipped(runId, skipped),
      latestRuns: async () => ({}),
    };
    expect(await releaseEndedRun(staleRead, ended('raced', now.getTime() - 1000), now)).toEqual({
      runId: 'raced',
      released: true,
    });
    expect((await records.latestRuns()).lastRun).toMatchObject({ runId: 'raced', state: 'failed' });
    // A run that ended after it took the lease (the usual failure) may be retried under its id.
    expect(await acquireRetrainLease(records, { runId: 'raced', reason: 'retry' }, lease)).toEqual({
      acquired: true,
    });
  });

  it("releases only the ended run's lease, once: never a lease another run took since", async () => {
    // Prepare: run o1 holds the lease; an execution named after another run ends.
    const records = new InMemoryModelRecords();
    await acquireRetrainLease(
      records,
      { runId: 'o1', reason: 'manual' },
      { now: new Date(), leaseMs: 60_000 },
    );
    const ended = (runId: string): ExecutionEnded => ({
      name: runId,
      status: 'ABORTED',
      input: JSON.stringify({ runId, reason: 'schedule' }),
    });
    // Act
    const other = await releaseEndedRun(records, ended('k6'), new Date());
    const own = await releaseEndedRun(records, ended('o1'), new Date());
    const again = await releaseEndedRun(records, ended('o1'), new Date(Date.now() + 1000));
    // Assess
    // o1 holds the lease: k6's end is not recorded over it.
    expect(other).toEqual({ runId: 'k6', released: false, recordedEnd: false });
    expect(own).toEqual({ runId: 'o1', released: true });
    expect(again).toEqual({ runId: 'o1', released: false });
    expect((await records.latestRuns()).lastRun).toMatchObject({ runId: 'o1', state: 'failed' });
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
        profiles: profileStoresOver(store),
        gateSampleUsers: settings.RETRAIN_GATE_SAMPLE_USERS.default,
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

  it('trains, gates and publishes the profile models on a sample, and scores and stores every user', async () => {
    // Prepare: `tasksOver` gives the machine empty registries.
    const store = new InMemoryArtifacts();
    const { invoke, calls, profiles } = tasksOver(store);
    // Act
    const result = (await runRetrainMachine({ runId: 'q1', reason: 'test' }, invoke)) as {
      profiles: { published: Record<string, { status: string }>; skipped: Record<string, string> };
    };
    // Assess: one features task and one scoring task per user shard, from the shard's own events.
    const userShards = calls.filter((c) => c.task === 'shard').length;
    expect(calls.filter((c) => c.task === 'profileFeatures')).toHaveLength(userShards);
    expect(calls.filter((c) => c.task === 'profileScores')).toHaveLength(userShards);
    const sharded = await Promise.all(
      Array.from({ length: userShards }, async (_, s) =>
        JSON.parse(new TextDecoder().decode(await store.get(`runs/q1/events/${s}.json`))),
      ),
    );
    expect(sharded.flat()).toHaveLength(events.length);
    expect(await profiles.registry.liveVersions()).toEqual({
      'profile-segments': '000001',
      'profile-anomaly': '000001',
      'profile-churn': '000001',
    });
    const listing = await listModels(profiles.records);
    const segments = listing.models.find((m) => m.name === 'profile-segments')!.versions[0];
    // Trained on the sample, not on all 610 users.
    expect(segments.metrics.users).toBeGreaterThan(PROFILE_SAMPLE_USERS * 0.8);
    expect(segments.metrics.users).toBeLessThan(PROFILE_SAMPLE_USERS * 1.2);
    expect(segments.gate?.decision).toBe('promoted');
    expect(result.profiles.skipped.shilling).toMatch(/every event/);
    // Every user scored with the new live versions, and every user's history stored.
    const users = new Set(events.map((e) => e.userId));
    expect(new Set(profiles.summaries.rows.map((r) => r.userId))).toEqual(users);
    expect(profiles.summaries.rows[0].modelVersions).toEqual({
      segments: '000001',
      anomaly: '000001',
      churn: '000001',
    });
    expect(profiles.histories.rows).toHaveLength(users.size);
  });

  it('fails the execution naming the profile shard that keeps failing, publishes nothing and frees the lease', async () => {
    // Prepare: the bucket cannot return user shard 1's events.
    const store = new (class extends InMemoryArtifacts {
      override async get(key: string): Promise<Uint8Array> {
        if (key === 'runs/q2/events/1.json') throw new Error('SlowDown: please reduce your request rate');
        return super.get(key);
      }
    })();
    const { invoke, calls, records, profiles } = tasksOver(store);
    // Act
    await expect(
      runRetrainMachine({ runId: 'q2', reason: 'test' }, invoke, { retryIntervalMs: 0 }),
    ).rejects.toThrow(/profileFeatures failed on shard 1/);
    // Assess
    expect(calls.filter((c) => c.task === 'profileFeatures' && c.shard === 1)).toHaveLength(3);
    expect(calls.some((c) => c.task === 'reduce' || c.task === 'profilesReduce')).toBe(false);
    expect(await records.listVersions()).toEqual([]);
    expect(await profiles.records.listVersions()).toEqual([]);
    expect(profiles.summaries.rows).toEqual([]);
    expect((await records.latestRuns()).lastRun).toMatchObject({ runId: 'q2', state: 'failed' });
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

describe('the export snapshot, run locally', { timeout: MACHINE_RUN_TIMEOUT_MS }, () => {
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
    for (let j = 0; j < scanPlan.itemShards; j++)
      for (const folder of ['items', 'items-all']) {
        const [a, b] = await Promise.all(
          ['scan', 'export'].map((run) => file<ItemFile>(store, `runs/${run}/${folder}/${j}.json`)),
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
    expect(maxDifference(exportModels.easeOnAll!.weights, scanModels.easeOnAll!.weights)).toBeLessThan(1e-5);
    expect(
      maxDifference(exportModels.sessionEaseOnAll!.weights, scanModels.sessionEaseOnAll!.weights),
    ).toBeLessThan(1e-5);
    expect(maxDifference(exportModels.alsOnAll!.itemFactors, scanModels.alsOnAll!.itemFactors)).toBeLessThan(
      1e-4,
    );
  });

  it('measures the gate on the same seeded sample of users with either snapshot, and still publishes', async () => {
    // Prepare: a gate sample of 150 of ml-latest-small's 610 users.
    const distinct = events.map((e, i) => ({ ...e, timestamp: e.timestamp * 1000 + i }));
    const store = new InMemoryArtifacts();
    const whole = tasksOver(store, { stored: distinct, interactionsPerShard: 60_000 });
    const sampled = tasksOver(store, {
      stored: distinct,
      interactionsPerShard: 60_000,
      gateSampleUsers: 150,
    });
    // Act
    await runRetrainMachine({ runId: 'all', reason: 'test', snapshot: 'scan' }, whole.invoke);
    await runRetrainMachine({ runId: 'scan', reason: 'test', snapshot: 'scan' }, sampled.invoke);
    await runRetrainMachine({ runId: 'export', reason: 'test', snapshot: 'export' }, sampled.invoke);
    // Assess
    type Stored = { train: WeightedInteraction[]; relevant: [string, string[]][] };
    const [all, scan, exported] = await Promise.all(
      ['all', 'scan', 'export'].map((run) => file<Stored>(store, `runs/${run}/holdout.json`)),
    );
    const users = (h: Stored) => h.relevant.map(([userId]) => userId).sort();
    expect(users(exported)).toEqual(users(scan));
    expect(byPair(exported.train)).toEqual(byPair(scan.train));
    // A subset of the whole holdout's users, about 150/610 of them, with their train rows only.
    expect(users(scan).every((u) => users(all).includes(u))).toBe(true);
    const share = users(scan).length / users(all).length;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.45);
    // Train rows only of sampled users (a sampled user may have none: new after the cut).
    const sampledUsers = new Set(users(scan));
    expect(scan.train.length).toBeGreaterThan(0);
    expect(scan.train.every((x) => sampledUsers.has(x.userId))).toBe(true);
    expect(
      (await listModels(sampled.records)).models.find((m) => m.name === 'als')?.liveVersion,
    ).toBeDefined();
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

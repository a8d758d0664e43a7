import { describe, expect, it } from 'vitest';
import { aggregateEvents, DEFAULT_EVENT_WEIGHTS } from '#domain/recommendations/interactions.ts';
import { shardByUser } from '#domain/recommendations/sharded-training.ts';
import { snapshotTask, DEFAULT_SNAPSHOT_OPTIONS } from '#domain/recommendations/distributed-tasks.ts';
import { gramsPerSum, taskRequests } from '#domain/recommendations/distributed-tasks.ts';
import {
  GRAM_KINDS,
  DEFAULT_COST_ASSUMPTIONS,
  estimateRun,
  fitLine,
  PRICES,
  type RunLayout,
  runShape,
  runSizeOf,
  type TaskKind,
  type TaskModel,
  tableReadCost,
} from '../../../bench/scale-cost.ts';
import { DEFAULT_LOG_SHAPE, skewedEventLog, zipfSampler } from '../../../bench/skewed-event-log.ts';
import { InMemoryArtifacts } from '../../support/memory-models.ts';

const log = skewedEventLog({ ...DEFAULT_LOG_SHAPE, events: 200_000 });
const eventsByUser = log.userIds.map((_, u) => log.eventsOf(u));

/** Share of the total held by the largest `fraction` of the values. */
function topShare(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => b - a);
  const top = sorted.slice(0, Math.ceil(sorted.length * fraction)).reduce((s, v) => s + v, 0);
  return top / sorted.reduce((s, v) => s + v, 0);
}

describe('the scale benchmark event log', () => {
  it('generates about the events asked for, the same ones for the same seed', () => {
    expect(Math.abs(log.totalEvents - 200_000) / 200_000).toBeLessThan(0.05);
    expect(eventsByUser.reduce((n, e) => n + e.length, 0)).toBe(log.totalEvents);
    const again = skewedEventLog({ ...DEFAULT_LOG_SHAPE, events: 200_000 });
    expect(again.eventsOf(17)).toEqual(eventsByUser[17]);
  });

  it('has a long tail of items: the top 1% of items hold over a third of the events', () => {
    const perItem = new Map<string, number>();
    for (const events of eventsByUser)
      for (const e of events) perItem.set(e.itemId, (perItem.get(e.itemId) ?? 0) + 1);
    const counts = log.catalog.map((item) => perItem.get(item.itemId) ?? 0);
    expect(topShare(counts, 0.01)).toBeGreaterThan(0.35);
    // ...and a tail: most of the catalog is touched rarely or never.
    expect(counts.filter((n) => n <= 2).length / counts.length).toBeGreaterThan(0.5);
  });

  it('has heavy users: the top 10% of users hold over 35% of the events, the median user few', () => {
    const perUser = Array.from(log.eventsPerUser);
    expect(topShare(perUser, 0.1)).toBeGreaterThan(0.35);
    const sorted = [...perUser].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(DEFAULT_LOG_SHAPE.eventsPerUser);
    expect(sorted.at(-1)).toBeLessThanOrEqual(DEFAULT_LOG_SHAPE.maxEventsPerUser);
  });

  it('draws Zipf ranks with rank 0 about twice as often as rank 1 (s = 1)', () => {
    const draw = zipfSampler(1000, 1);
    const hits = [0, 0];
    for (let k = 0; k < 20_000; k++) {
      const rank = draw((k + 0.5) / 20_000);
      if (rank < 2) hits[rank]++;
    }
    expect(hits[0] / hits[1]).toBeCloseTo(2, 1);
  });
});

describe('user shards of the scale log', () => {
  it('the Snapshot makes interactions / per-shard shards, none much above the bound despite heavy users', async () => {
    const interactions = eventsByUser.flatMap((events) => aggregateEvents(events, DEFAULT_EVENT_WEIGHTS));
    const perShard = 20_000;
    const state = await snapshotTask(
      new InMemoryArtifacts(),
      'r1',
      interactions,
      log.catalog.map((item) => item.itemId),
      { ...DEFAULT_SNAPSHOT_OPTIONS, interactionsPerShard: perShard, interactionsPerItemShard: 100_000 },
    );
    expect(state.userShards.length).toBe(Math.ceil(interactions.length / perShard));
    const sizes = shardByUser(interactions, state.userShards.length).map((rows) => rows.length);
    expect(Math.max(...sizes)).toBeLessThan(perShard * 1.25);
  });
});

describe('the computed AWS cost', () => {
  const flat = (seconds: number, peakMb: number): TaskModel => ({
    seconds: () => seconds,
    peakMb: () => peakMb,
    p95OverMedian: 1,
  });
  const kinds: TaskKind[] = [
    'snapshot',
    'partition',
    'joinUsers',
    'itemFiles',
    'gram',
    'sumGrams',
    'profiles',
    'alsUsers',
    'alsItems',
    'reduce',
    'profilesReduce',
  ];
  const layout: RunLayout = {
    interactionsPerEvent: 1,
    usersPerInteraction: 0.05,
    interactionsPerShard: 200_000,
    interactionsPerItemShard: 500_000,
    profileWriteUnitsPerUser: 3,
    profileReadUnitsPerUser: 2,
    profileScoringMsPerUser: 0,
  };

  it('bills each task its seconds at max(1,769 MB, 1.25 x peak), and counts one request per task', () => {
    const models = Object.fromEntries(kinds.map((k) => [k, flat(2, 1000)])) as Record<TaskKind, TaskModel>;
    const e = estimateRun(1_000_000, layout, models);
    const tasks = Object.values(runShape(e.size).counts).reduce((n, c) => n + c, 0);
    expect(e.size).toMatchObject({ userShards: 5, itemShards: 2, users: 50_000 });
    // One request per task, and one per ProfileScores child (a user shard).
    expect(e.lambdaRequests).toBe(tasks + e.size.userShards);
    expect(e.lambdaGbSeconds).toBeCloseTo(tasks * 2 * (1769 / 1024), 6);
    expect(e.breaks).toEqual([]);
    // The profile rows: 50,000 users x (3 write units + 2 read units) at the on-demand prices.
    expect(e.costs.profileRows).toBeCloseTo(
      50_000 * (3 * PRICES.dynamoWriteRequest + 2 * PRICES.dynamoReadRequest),
      9,
    );
    const parts = e.costs.lambda + e.costs.stepFunctions + e.costs.s3 + e.costs.read + e.costs.profileRows;
    expect(e.costs.total).toBeCloseTo(parts, 9);
    // ProfileScores' compute: users x ms per user, at the smallest function.
    const scoring = estimateRun(1_000_000, { ...layout, profileScoringMsPerUser: 0.2 }, models);
    expect(scoring.lambdaGbSeconds - e.lambdaGbSeconds).toBeCloseTo(50_000 * 0.0002 * (1769 / 1024), 6);
  });

  it('names the limit a task breaks instead of pricing an impossible function', () => {
    const models = Object.fromEntries(kinds.map((k) => [k, flat(2, 1000)])) as Record<TaskKind, TaskModel>;
    models.alsItems = flat(400, 12_000);
    const e = estimateRun(1_000_000, layout, models);
    expect(e.breaks).toEqual([
      'alsItems needs ~11.7 GB (Lambda max 10 GB)',
      'alsItems takes ~400 s (Express child max 300 s)',
    ]);
  });

  it('has an ALS task read one factor file per shard of the other side, and no shard file of theirs', () => {
    const layoutAt = {
      userShards: 391,
      itemShards: 39,
      iteration: 3,
      gramGroups: 14,
      gramsPerGroup: 29,
      gramKinds: 4,
    };
    // The plan and its own shard, its previous factors, then the other side's factor files.
    expect(taskRequests('alsUsers', layoutAt)).toEqual({ gets: 3 + 39, puts: 1 });
    expect(taskRequests('alsItems', layoutAt)).toEqual({ gets: 3 + 391, puts: 1 });
  });

  it('costs two ALS passes, the gate candidate and the shipped model, each with its own first iteration', () => {
    const size = runSizeOf(100_000_000, layout);
    const one = runShape(size, { alsIterations: 12, alsPasses: 1 });
    const two = runShape(size, { alsIterations: 12, alsPasses: 2 });
    expect(two.counts.alsUsers).toBe(2 * one.counts.alsUsers);
    expect(two.counts.alsItems).toBe(2 * one.counts.alsItems);
    // The ALS GETs double (a first iteration reads fewer factor files in each pass), the rest stays.
    const alsGets = (shape: typeof one) =>
      shape.gets - runShape(size, { alsIterations: 12, alsPasses: 0 }).gets;
    expect(alsGets(two)).toBe(2 * alsGets(one));
  });

  it('has the Reduce read one sum per group of user shards, so its reads stay bounded at 1B events', () => {
    // 3,000 modelled items: a shard's four partial Grams (EASE's and session EASE's, over the train
    // part and every interaction) are 144 MB, 29 of them fit a sum task's 4 GiB; two kinds fit 59.
    expect(GRAM_KINDS).toBe(4);
    expect(gramsPerSum(3000, GRAM_KINDS)).toBe(29);
    expect(gramsPerSum(3000, 2)).toBe(59);
    const size = runSizeOf(1_000_000_000, layout);
    expect(size.gramGroups).toBe(Math.ceil(size.userShards / 29));
    const at = { ...size, iteration: 0, gramKinds: GRAM_KINDS };
    const reduce = taskRequests('reduce', at);
    // The plan, five files per group (four Grams, the counts), two ALS factor files per item shard:
    // not one per user shard.
    expect(reduce.gets).toBe(1 + 5 * size.gramGroups + 2 * size.itemShards);
    expect(taskRequests('sumGrams', at)).toEqual({ gets: 1 + 5 * 29, puts: 5 });
    expect(taskRequests('shard', at)).toEqual({ gets: 3, puts: 5 });
    // Never fewer than two partials a group, however large the Gram.
    expect(gramsPerSum(100_000, GRAM_KINDS)).toBe(2);
  });

  it('counts S3 GETs from the tasks: ten times the data with item shards bounded costs about 100x', () => {
    const gets = (events: number) => runShape(runSizeOf(events, layout)).gets;
    // User shards and item shards both grow tenfold; their product drives the ALS reads.
    expect(gets(100_000_000) / gets(10_000_000)).toBeGreaterThan(50);
    expect(gets(100_000_000) / gets(10_000_000)).toBeLessThan(100);
  });

  it('bills a DynamoDB export per table GB and a parallel Scan per 4 KB read half-unit', () => {
    const a = DEFAULT_COST_ASSUMPTIONS;
    expect(tableReadCost(100_000_000, { snapshot: 'sharded', read: 'export' }, a)).toBeCloseTo(2, 6);
    expect(tableReadCost(100_000_000, { snapshot: 'sharded', read: 'scan' }, a)).toBeCloseTo(0.305, 3);
  });

  it('fits a line through measured points and extrapolates it', () => {
    const line = fitLine([
      { x: 1, y: 3 },
      { x: 3, y: 7 },
    ]);
    expect(line(10)).toBeCloseTo(21, 9);
  });
});

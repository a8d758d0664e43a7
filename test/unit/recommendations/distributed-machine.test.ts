import { beforeAll, describe, expect, it } from 'vitest';
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { ratingsAsEvents } from '#domain/datasets/movielens.ts';
import { DEFAULT_ALS_OPTIONS, trainAls } from '#domain/recommendations/als.ts';
import { distributedArtifactKey, runDistributedTask } from '#domain/recommendations/distributed-run.ts';
import { reduceTask } from '#domain/recommendations/distributed-tasks.ts';
import { DEFAULT_EASE_OPTIONS, trainEase } from '#domain/recommendations/ease.ts';
import { aggregateEvents, buildMatrix, DEFAULT_EVENT_WEIGHTS } from '#domain/recommendations/interactions.ts';
import { catalogSnapshot } from '#domain/recommendations/training.ts';
import { runRetrainMachine } from '#local/retrain-machine.ts';
import { readMovieLensSmall } from '../../support/movielens-small.ts';
import { InMemoryArtifacts } from '../../support/memory-models.ts';

// Small ALS so the whole machine (snapshot, Grams, 3 x two Maps, reduce) runs in seconds.
const ALS = { ...DEFAULT_ALS_OPTIONS, factors: 8, iterations: 3 };

let events: InteractionEvent[];
let items: Item[];

beforeAll(async () => {
  const data = await readMovieLensSmall();
  events = ratingsAsEvents(data.ratings);
  items = data.items;
});

/** The machine's tasks over an in-memory bucket, with `fault` run before each (to inject failures). */
function tasksOver(store: InMemoryArtifacts, fault: (payload: Record<string, unknown>) => void = () => {}) {
  const calls: Record<string, unknown>[] = [];
  const invoke = async (payload: Record<string, unknown>) => {
    calls.push(payload);
    fault(payload);
    return runDistributedTask(payload as never, {
      store,
      sources: { loadEvents: async () => events, loadItems: async () => items },
      snapshot: { interactionsPerShard: 20_000, itemShards: 3, als: ALS },
    });
  };
  return { invoke, calls };
}

describe('the distributed retrain state machine, run locally', () => {
  it('trains EASE and ALS over shards equal to the single-process models', async () => {
    // Prepare
    const store = new InMemoryArtifacts();
    const { invoke, calls } = tasksOver(store);
    // Act
    const result = await runRetrainMachine({ runId: 'r1', reason: 'test' }, invoke);
    // Assess
    expect(result).toMatchObject({ runId: 'r1', trained: ['ease', 'als'] });
    const shards = calls.filter((c) => c.task === 'shard').length;
    expect(shards).toBeGreaterThan(2);
    expect(calls.filter((c) => c.task === 'alsItems')).toHaveLength(3 * ALS.iterations);
    const interactions = aggregateEvents(events, DEFAULT_EVENT_WEIGHTS);
    const whole = buildMatrix(interactions, { itemIds: catalogSnapshot(items, interactions).itemIds });
    const { ease, als } = await reduceTask(store, 'r1');
    const single = await trainEase(whole, DEFAULT_EASE_OPTIONS);
    expect(Array.from(ease.modelled)).toEqual(Array.from(single.modelled));
    expect(maxDifference(ease.weights, single.weights)).toBeLessThan(1e-4);
    const singleAls = trainAls(whole, ALS);
    expect(maxDifference(als.itemFactors, singleAls.itemFactors)).toBeLessThan(1e-4);
    expect(await store.get(distributedArtifactKey('r1', 'ease'))).toBeInstanceOf(Uint8Array);
  });

  it('retries a shard task that fails once, and the run still trains', async () => {
    const store = new InMemoryArtifacts();
    let failed = false;
    const { invoke, calls } = tasksOver(store, (p) => {
      if (p.task === 'shard' && p.shard === 1 && !failed) {
        failed = true;
        throw new Error('container crashed');
      }
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
    const { invoke, calls } = tasksOver(store);
    await expect(
      runRetrainMachine({ runId: 'r3', reason: 'test' }, invoke, { retryIntervalMs: 0 }),
    ).rejects.toThrow(/shard 2/);
    expect(calls.filter((c) => c.task === 'shard' && c.shard === 2)).toHaveLength(3);
    expect(calls.some((c) => c.task === 'reduce')).toBe(false);
    await expect(store.get(distributedArtifactKey('r3', 'ease'))).rejects.toThrow();
  });
});

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SNAPSHOT_OPTIONS,
  type DistributedPlan,
  gramKindsOf,
  snapshotTask,
} from '#domain/recommendations/distributed-tasks.ts';
import { SESSION_EASE_OPTIONS } from '#domain/recommendations/ease.ts';
import type { WeightedInteraction } from '#domain/recommendations/interactions.ts';
import { InMemoryArtifacts } from '../../support/memory-models.ts';

/** Four users over three items, minutes apart: enough for a plan. */
const interactions: WeightedInteraction[] = ['u1', 'u2', 'u3', 'u4'].flatMap((userId, u) =>
  ['a', 'b', 'c'].map((itemId, i) => ({ userId, itemId, weight: 1, timestamp: (u * 10 + i) * 60_000 })),
);

describe("the distributed run's plan", () => {
  it('has each user shard write EASE and session EASE Grams over the train part, and over every interaction when it ships them', () => {
    const session = SESSION_EASE_OPTIONS;
    expect(gramKindsOf({ sessionEase: session, allInteractions: true })).toEqual([
      { kind: 'ease', data: 'train' },
      { kind: 'ease', data: 'all' },
      { kind: 'session', data: 'train' },
      { kind: 'session', data: 'all' },
    ]);
    expect(gramKindsOf({ sessionEase: session })).toEqual([
      { kind: 'ease', data: 'train' },
      { kind: 'session', data: 'train' },
    ]);
    // A plan written before the machine trained session EASE sums EASE's alone.
    expect(gramKindsOf({ allInteractions: true })).toEqual([
      { kind: 'ease', data: 'train' },
      { kind: 'ease', data: 'all' },
    ]);
  });

  it('records session EASE in the plan, and sizes the groups of sums for its Grams too', async () => {
    const store = new InMemoryArtifacts();
    const options = {
      ...DEFAULT_SNAPSHOT_OPTIONS,
      interactionsPerShard: 3,
      gramBytesPerSumTask: 4 * 3 * 3 * 4 * 2,
    };
    await snapshotTask(store, 'p1', interactions, ['a', 'b', 'c'], options, interactions);
    const plan = JSON.parse(
      new TextDecoder().decode(await store.get('runs/p1/plan.json')),
    ) as DistributedPlan;
    expect(plan.sessionEase).toEqual(SESSION_EASE_OPTIONS);
    // Two shards' four 3 x 3 Grams fit the task's bytes, where EASE's two alone would fit four shards.
    expect(plan.gramsPerGroup).toBe(2);
  });

  it('refuses session EASE options that model other items than EASE, and writes no plan', async () => {
    const store = new InMemoryArtifacts();
    const options = {
      ...DEFAULT_SNAPSHOT_OPTIONS,
      interactionsPerShard: 3,
      sessionEase: { ...SESSION_EASE_OPTIONS, maxItems: DEFAULT_SNAPSHOT_OPTIONS.ease.maxItems - 1 },
    };
    await expect(snapshotTask(store, 'p2', interactions, ['a', 'b', 'c'], options)).rejects.toThrow(
      /session EASE must model the same items as EASE/,
    );
    await expect(store.get('runs/p2/plan.json')).rejects.toThrow();
  });
});

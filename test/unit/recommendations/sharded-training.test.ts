import { beforeAll, describe, expect, it } from 'vitest';
import { type AlsModel, DEFAULT_ALS_OPTIONS, scoreAls, trainAls } from '#domain/recommendations/als.ts';
import { DEFAULT_EASE_OPTIONS, trainEase } from '#domain/recommendations/ease.ts';
import { rankingMetrics, relevantByUser, stratifiedSplit } from '#domain/recommendations/evaluation.ts';
import {
  buildMatrix,
  type InteractionMatrix,
  type WeightedInteraction,
} from '#domain/recommendations/interactions.ts';
import {
  shardByUser,
  shardMatrix,
  trainShardedAls,
  trainShardedEase,
  userShardOf,
} from '#domain/recommendations/sharded-training.ts';
import { topK } from '#domain/recommendations/top-k.ts';
import { readMovieLensSmall } from '../../support/movielens-small.ts';

const SHARDS = 7;

let train: WeightedInteraction[];
let test: WeightedInteraction[];
let whole: InteractionMatrix;
let shards: InteractionMatrix[];

beforeAll(async () => {
  const data = await readMovieLensSmall();
  const rows = data.ratings.map((r) => ({
    userId: r.userId,
    itemId: r.itemId,
    weight: 1,
    timestamp: r.timestamp,
  }));
  ({ train, test } = stratifiedSplit(rows, 0.75, 42));
  whole = buildMatrix(train, { binary: true });
  shards = shardByUser(train, SHARDS).map((rows) => shardMatrix(rows, whole.itemIds, true));
});

/** nDCG@10 of an ALS model on the held-out split, seen items excluded (reference scorer). */
function alsNdcg(model: AlsModel): number {
  const relevant = relevantByUser(test);
  const recommended = new Map<string, string[]>();
  for (const userId of relevant.keys()) {
    const u = whole.userIndex.get(userId);
    if (u === undefined) continue;
    const items = whole.cols.subarray(whole.rowPtr[u], whole.rowPtr[u + 1]);
    const scores = scoreAls(model, items, whole.values.subarray(whole.rowPtr[u], whole.rowPtr[u + 1]));
    for (const i of items) scores[i] = Number.NEGATIVE_INFINITY;
    recommended.set(
      userId,
      topK(scores, 10).map((r) => model.itemIds[r.index]),
    );
  }
  return rankingMetrics(recommended, relevant, 10, model.itemIds.length).ndcg;
}

describe('training over user shards', () => {
  it('puts every user in one stable shard and splits ml-latest-small into non-empty shards', () => {
    expect(userShardOf('user-42', SHARDS)).toBe(userShardOf('user-42', SHARDS));
    const users = shards.map((s) => s.userIds.length);
    expect(users.every((n) => n > 0)).toBe(true);
    expect(users.reduce((a, b) => a + b, 0)).toBe(whole.userIds.length);
    expect(new Set(shards.flatMap((s) => s.userIds)).size).toBe(whole.userIds.length);
  });

  it('gives EASE weights equal to the single-process ones when the partial Grams are summed', async () => {
    // Prepare
    const single = await trainEase(whole, DEFAULT_EASE_OPTIONS);
    // Act
    const sharded = await trainShardedEase(shards, whole.itemIds, DEFAULT_EASE_OPTIONS);
    // Assess
    expect(Array.from(sharded.modelled)).toEqual(Array.from(single.modelled));
    expect(Array.from(sharded.columnScale)).toEqual(Array.from(single.columnScale));
    let worst = 0;
    let largest = 0;
    for (let i = 0; i < single.weights.length; i++) {
      worst = Math.max(worst, Math.abs(sharded.weights[i] - single.weights[i]));
      largest = Math.max(largest, Math.abs(single.weights[i]));
    }
    expect(largest).toBeGreaterThan(0.01);
    expect(worst).toBeLessThan(1e-5);
  });

  it('reaches the single-process ALS nDCG@10 within 0.002 with the same seed and iterations', () => {
    // Fewer factors and iterations than serving trains with, to keep the test in seconds; both paths get the same.
    const options = { ...DEFAULT_ALS_OPTIONS, factors: 24, iterations: 5 };
    const single = alsNdcg(trainAls(whole, options));
    const sharded = alsNdcg(trainShardedAls(shards, whole.itemIds, 5, options));
    expect(single).toBeGreaterThan(0.2);
    expect(Math.abs(sharded - single)).toBeLessThan(0.002);
  });
});

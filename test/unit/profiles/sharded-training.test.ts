import { beforeAll, describe, expect, it } from 'vitest';
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { ratingsAsEvents } from '#domain/datasets/movielens.ts';
import { adjustedRandIndex, spearmanCorrelation } from '#domain/profiles/agreement.ts';
import { isolationScore } from '#domain/profiles/isolation-forest.ts';
import { nearestCentroid, standardise } from '#domain/profiles/kmeans.ts';
import { profileShardTask, reduceProfileShards, samplingFor } from '#domain/profiles/sharded-training.ts';
import { type ProfileTrainingResult, trainProfileModels } from '#domain/profiles/train.ts';
import { anomalyVector, segmentVector } from '#domain/profiles/vectors.ts';
import { shardByUser } from '#domain/recommendations/sharded-training.ts';
import { readMovieLensSmall } from '../../support/movielens-small.ts';

/** Users sampled at the reduce (of 610 in ml-latest-small), so the sample is a real subset. */
const SAMPLE_SIZE = 400;

let events: InteractionEvent[];
let items: Item[];
let now: number;

beforeAll(async () => {
  const data = await readMovieLensSmall();
  events = ratingsAsEvents(data.ratings);
  items = data.items;
  now = Math.max(...events.map((e) => e.timestamp)) + 1;
});

/** Each user's segment and anomaly score under one training, in the order of `userIds`. */
function scoresOf(result: ProfileTrainingResult, userIds: string[]) {
  const segments = result.reference.segments;
  const forest = result.reference.anomaly.forest;
  return userIds.map((userId) => {
    const f = result.features.get(userId)!;
    const row = standardise(segmentVector(f, segments.genres), segments);
    return {
      segment: nearestCentroid(row, segments.centroids).index,
      anomaly: isolationScore(forest, anomalyVector(f)),
    };
  });
}

describe('profile models over user shards', () => {
  it('agrees with the single path on segments (ARI) and anomaly ranking (Spearman) from a stated sample', () => {
    // Prepare
    const single = trainProfileModels({ events, items, now });
    const sampling = samplingFor(SAMPLE_SIZE, single.features.size, 1);
    // Act
    const outputs = shardByUser(events, 5).map((shard) =>
      profileShardTask({ events: shard }, items, now, sampling),
    );
    const sharded = reduceProfileShards(outputs, items, now);
    // Assess
    expect(sharded.features.size).toBe(single.features.size);
    expect(sharded.metrics.segments.trainedUsers).toBeGreaterThan(SAMPLE_SIZE * 0.8);
    expect(sharded.metrics.segments.trainedUsers).toBeLessThan(single.metrics.segments.trainedUsers);
    const userIds = [...single.features.keys()];
    const a = scoresOf(single, userIds);
    const b = scoresOf(sharded, userIds);
    const ari = adjustedRandIndex(
      a.map((x) => x.segment),
      b.map((x) => x.segment),
    );
    const rho = spearmanCorrelation(
      a.map((x) => x.anomaly),
      b.map((x) => x.anomaly),
    );
    console.info(`profiles over shards: ARI ${ari.toFixed(3)}, anomaly Spearman ${rho.toFixed(3)}`);
    expect(ari).toBeGreaterThan(0.5);
    expect(rho).toBeGreaterThan(0.8);
  });
});

describe('agreement measures', () => {
  it('gives ARI 1 for a relabelled partition and about 0 for an unrelated one', () => {
    expect(adjustedRandIndex([0, 0, 1, 1, 2, 2], [2, 2, 0, 0, 1, 1])).toBeCloseTo(1, 10);
    expect(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 1, 0, 1, 0, 1])).toBeLessThan(0.1);
  });

  it('gives Spearman 1 for a monotone transform, -1 reversed, and averages ties', () => {
    expect(spearmanCorrelation([1, 2, 3, 4], [10, 20, 30, 400])).toBeCloseTo(1, 10);
    expect(spearmanCorrelation([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 10);
    expect(spearmanCorrelation([1, 1, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9487, 3);
  });
});

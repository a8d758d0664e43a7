import { describe, expect, it } from 'vitest';
import { itemShardCountFor, itemShardOfEach } from '#domain/recommendations/sharded-training.ts';

describe('item shards of the distributed ALS', () => {
  it('are counted from the interactions each may hold, at least one', () => {
    expect(itemShardCountFor(78_000_000, 2_000_000)).toBe(39);
    expect(itemShardCountFor(4_000_001, 2_000_000)).toBe(3);
    expect(itemShardCountFor(0, 2_000_000)).toBe(1);
  });

  it('hold at most an even share of interactions plus one item, with a long-tailed catalog', () => {
    // Prepare: Zipf-like counts, the top item alone about 10% of all interactions.
    const counts = Array.from({ length: 5_000 }, (_, i) => Math.floor(100_000 / (i + 1)));
    const total = counts.reduce((a, b) => a + b, 0);
    // Act
    const shardOf = itemShardOfEach(counts, 7);
    // Assess
    const load = new Array(7).fill(0);
    counts.forEach((n, i) => {
      load[shardOf[i]] += n;
    });
    expect(load.reduce((a, b) => a + b, 0)).toBe(total);
    expect(Math.max(...load)).toBeLessThanOrEqual(total / 7 + counts[0]);
    // Item mod 7 would give shard 0 the top item and every 7th after it: far above an even share.
    const modLoad = counts.filter((_, i) => i % 7 === 0).reduce((a, b) => a + b, 0);
    expect(Math.max(...load)).toBeLessThan(modLoad);
  });
});

import { describe, expect, it } from 'vitest';
import { gramOf } from '#domain/recommendations/als.ts';
import { decodeFactorBlock, encodeFactorBlock } from '#domain/recommendations/factor-file.ts';
import {
  type ItemShard,
  TouchedUserFactors,
  touchedUsers,
} from '#domain/recommendations/sharded-training.ts';

describe('ALS factor files', () => {
  it('round-trip the rows they hold, their factors as float32 and the Gram of the stored values', () => {
    // Prepare
    const rows = Int32Array.from([7, 2, 40]);
    const factors = Float64Array.from([0.1, -0.2, 1 / 3, 2, 3, -4]);
    // Act: a store may hand back the bytes at an odd offset of a larger buffer.
    const bytes = encodeFactorBlock(rows, factors, 2);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const block = decodeFactorBlock(shifted.subarray(1));
    // Assess
    expect(Array.from(block.rows)).toEqual([7, 2, 40]);
    expect(block.d).toBe(2);
    expect(Array.from(block.factors)).toEqual(Array.from(Float32Array.from(factors)));
    expect(Array.from(block.gram)).toEqual(Array.from(gramOf(Float32Array.from(factors), 3, 2)));
    expect(bytes.byteLength).toBe(8 + 4 * 8 + 3 * 4 + 6 * 4);
  });

  it('refuses a file whose length does not match its header', () => {
    const bytes = encodeFactorBlock(Int32Array.from([0, 1]), new Float64Array(4), 2);
    expect(() => decodeFactorBlock(bytes.subarray(0, bytes.length - 4))).toThrow(/does not hold 2 rows of 2/);
  });
});

describe('an item task reading the user factor files', () => {
  it('keeps only the users its items touch, placed by their shard offsets, and sums every block Gram', () => {
    // Prepare: two items touched by global users 4, 1 and 4 again; users live in shards of 3 and 3.
    const shard: ItemShard = {
      items: Int32Array.from([0, 5]),
      ptr: Int32Array.from([0, 2, 3]),
      rows: Int32Array.from([4, 1, 4]),
      values: Float32Array.from([1, 1, 1]),
    };
    const user = (u: number) => [u + 0.5, -u];
    const blockOf = (first: number) =>
      decodeFactorBlock(
        encodeFactorBlock(
          Int32Array.from([0, 1, 2]),
          Float64Array.from([0, 1, 2].flatMap((k) => user(first + k))),
          2,
        ),
      );
    const blocks = [blockOf(0), blockOf(3)];
    // Act
    const touched = touchedUsers(shard);
    const users = new TouchedUserFactors(touched, 2);
    for (const block of blocks) users.add(block);
    // Assess: compact rows in first-appearance order (user 4, then user 1).
    expect(touched.count).toBe(2);
    expect(Array.from(touched.rows)).toEqual([0, 1, 0]);
    expect(Array.from(users.factors)).toEqual([...user(4), ...user(1)]);
    const all = Float32Array.from([0, 1, 2, 3, 4, 5].flatMap(user));
    const expected = gramOf(all, 6, 2);
    for (let k = 0; k < 4; k++) expect(users.gram[k]).toBeCloseTo(expected[k], 10);
  });
});

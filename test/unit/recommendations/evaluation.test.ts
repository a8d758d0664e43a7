import { describe, expect, it } from 'vitest';
import { rankingMetrics, stratifiedSplit, temporalSplit } from '#domain/recommendations/evaluation.ts';

const rows = Array.from({ length: 400 }, (_, n) => ({
  userId: `u${n % 37}`,
  itemId: `i${n % 13}`,
  timestamp: n,
}));

describe('offline evaluation', () => {
  it('stratified split sends round(75%) of every item to train, the same way for the same seed', () => {
    const a = stratifiedSplit(rows, 0.75, 42);
    const b = stratifiedSplit(rows, 0.75, 42);
    const c = stratifiedSplit(rows, 0.75, 7);
    expect(a).toEqual(b);
    expect(a.test).not.toEqual(c.test);
    for (let i = 0; i < 13; i++) {
      const total = rows.filter((r) => r.itemId === `i${i}`).length;
      const inTrain = a.train.filter((r) => r.itemId === `i${i}`).length;
      expect(Math.abs(inTrain - 0.75 * total)).toBeLessThanOrEqual(0.5);
    }
  });

  it('temporal split holds out each user\u2019s latest 20% by timestamp', () => {
    const { train, test } = temporalSplit(rows, 0.2);
    for (let u = 0; u < 37; u++) {
      const latestTrain = Math.max(...train.filter((r) => r.userId === `u${u}`).map((r) => r.timestamp));
      const userTest = test.filter((r) => r.userId === `u${u}`);
      const total = rows.filter((r) => r.userId === `u${u}`).length;
      expect(userTest.length).toBe(Math.max(1, Math.floor(0.2 * total)));
      expect(Math.min(...userTest.map((r) => r.timestamp))).toBeGreaterThan(latestTrain);
    }
  });

  it('computes precision, recall, nDCG and MAP at k as Microsoft Recommenders defines them', () => {
    // One user, relevant {a, c, x}; ranked [a, b, c]; k = 3.
    const m = rankingMetrics(
      new Map([['u', ['a', 'b', 'c']]]),
      new Map([['u', new Set(['a', 'c', 'x'])]]),
      3,
      10,
    );
    const dcg = 1 + 1 / Math.log2(4);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(m.precision).toBeCloseTo(2 / 3, 10);
    expect(m.recall).toBeCloseTo(2 / 3, 10);
    expect(m.ndcg).toBeCloseTo(dcg / idcg, 10);
    expect(m.map).toBeCloseTo((1 + 2 / 3) / 3, 10);
    expect(m.coverage).toBeCloseTo(0.3, 10);
  });
});

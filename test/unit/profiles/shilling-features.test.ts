import { describe, expect, it } from 'vitest';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import {
  coArrivals,
  DEFAULT_SHILLING_FEATURE_OPTIONS,
  degreeOfSimilarity,
  deviationFeatures,
  fillerFeatures,
  lengthVariance,
  poissonTailSurprise,
} from '#domain/profiles/shilling/features.ts';
import { buildRatingMatrix } from '#domain/profiles/shilling/ratings.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

function rate(userId: string, itemId: string, value: number, timestamp = T0): InteractionEvent {
  return { eventId: `${userId}-${itemId}-${timestamp}`, userId, itemId, type: 'rate', value, timestamp };
}

/**
 * Four users, three items, ratings 1..5:
 *   u1: A=5 B=3        item A: 5,4,3 -> mean 4, 3 raters
 *   u2: A=4 B=2 C=1    item B: 3,2,4 -> mean 3, 3 raters
 *   u3: A=3     C=5    item C: 1,5   -> mean 3, 2 raters
 *   u4:     B=4
 */
const matrix = buildRatingMatrix([
  rate('u1', 'A', 5),
  rate('u1', 'B', 3),
  rate('u2', 'A', 4),
  rate('u2', 'B', 2),
  rate('u2', 'C', 1),
  rate('u3', 'A', 3),
  rate('u3', 'C', 5),
  rate('u4', 'B', 4),
]);
const user = (id: string) => matrix.userIds.indexOf(id);

describe('shilling features on a hand-made rating set', () => {
  it('builds item means, counts and the rating scale', () => {
    const item = (id: string) => matrix.itemIds.indexOf(id);
    expect(matrix.itemMean[item('A')]).toBe(4);
    expect(matrix.itemMean[item('B')]).toBe(3);
    expect(matrix.itemMean[item('C')]).toBe(3);
    expect(matrix.raters[item('C')].length).toBe(2);
    expect(matrix.scale).toEqual({ min: 1, max: 5 });
  });

  it('computes RDMA, WDMA and WDA as in Chirita et al. and Mobasher et al.', () => {
    const { rdma, wdma, wda } = deviationFeatures(matrix);
    // u1: |5-4|/3 + |3-3|/3 = 1/3 -> RDMA = (1/3)/2 = 1/6; WDMA = (1/9 + 0)/2 = 1/18; WDA = 1/3.
    expect(rdma[user('u1')]).toBeCloseTo(1 / 6, 12);
    expect(wdma[user('u1')]).toBeCloseTo(1 / 18, 12);
    expect(wda[user('u1')]).toBeCloseTo(1 / 3, 12);
    // u2: 0/3 + |2-3|/3 + |1-3|/2 = 4/3 -> RDMA = 4/9; WDMA = (0 + 1/9 + 2/4)/3 = 11/54; WDA = 4/3.
    expect(rdma[user('u2')]).toBeCloseTo(4 / 9, 12);
    expect(wdma[user('u2')]).toBeCloseTo(11 / 54, 12);
    expect(wda[user('u2')]).toBeCloseTo(4 / 3, 12);
  });

  it('computes LengthVar as |n - mean n| / Σ (n - mean n)²', () => {
    // Lengths 2, 3, 2, 1: mean 2, Σ (n - 2)² = 0 + 1 + 0 + 1 = 2.
    const lengthVar = lengthVariance(matrix);
    expect(lengthVar[user('u1')]).toBe(0);
    expect(lengthVar[user('u2')]).toBe(0.5);
    expect(lengthVar[user('u4')]).toBe(0.5);
  });

  it('computes FMV and FMTD with the items rated at the top of the scale as the targets', () => {
    const { fmv, fmtd } = fillerFeatures(matrix);
    // u1: target A (5), filler B: (3-3)² = 0 -> FMV 0; FMTD = |5 - 3| = 2.
    expect(fmv[user('u1')]).toBe(0);
    expect(fmtd[user('u1')]).toBe(2);
    // u2: no top rating, all filler: ((4-4)² + (2-3)² + (1-3)²)/3 = 5/3; FMTD 0 without a target.
    expect(fmv[user('u2')]).toBeCloseTo(5 / 3, 12);
    expect(fmtd[user('u2')]).toBe(0);
    // u3: target C, filler A: (3-4)² = 1; FMTD = |5 - 3| = 2.
    expect(fmv[user('u3')]).toBe(1);
    expect(fmtd[user('u3')]).toBe(2);
  });

  it('computes DegSim as the mean of the k best Pearson similarities over co-rated items', () => {
    // Ratings centred on each user's mean: u1 (mean 4) A=+1 B=-1; u2 (mean 7/3) A=5/3 B=-1/3 C=-4/3;
    // u3 (mean 4) A=-1 C=+1; u4 (mean 4) B=0.
    // sim(u1,u2) over A,B = (5/3 + 1/3) / sqrt(2 x 26/9) = 0.83205; sim(u1,u3) over A = -1;
    // sim(u1,u4) over B = 0 (no variance). The 2 best: (0.83205 + 0)/2 = 0.41603.
    const degSim = degreeOfSimilarity(matrix, {
      ...DEFAULT_SHILLING_FEATURE_OPTIONS,
      neighbours: 2,
      minOverlap: 1,
    });
    expect(degSim[user('u1')]).toBeCloseTo(0.41603, 5);
    // With significance weighting at 10 co-rated items, a two-item overlap counts a fifth: 0.83205/5/2.
    const shrunk = degreeOfSimilarity(matrix, {
      ...DEFAULT_SHILLING_FEATURE_OPTIONS,
      neighbours: 2,
      minOverlap: 10,
    });
    expect(shrunk[user('u1')]).toBeCloseTo(0.083205, 5);
  });

  it('measures co-arrival against the pace of the item: four top raters within hours, two others 200 days away', () => {
    // Six top raters of X over 400 days: expected others within ±7 days = (6-1) x 14/400 = 0.175.
    // A burst member sees 3 others: -ln P(X >= 3 | 0.175) = -ln(1 - e^-0.175 (1 + 0.175 + 0.175²/2)) = 7.1513.
    const burst = ['b1', 'b2', 'b3', 'b4'].map((id, k) => rate(id, 'X', 5, T0 + 200 * DAY + k * 3_600_000));
    const arrivals = buildRatingMatrix([
      rate('e1', 'X', 5, T0),
      ...burst,
      rate('e2', 'X', 5, T0 + 400 * DAY),
    ]);
    const { coArrival, coArrivalItem, arrivalGroups } = coArrivals(arrivals, 7 * DAY, 3);
    const at = (id: string) => arrivals.userIds.indexOf(id);
    expect(coArrival[at('b1')]).toBeCloseTo(7.1513, 3);
    expect(coArrival[at('e1')]).toBe(0);
    expect(coArrivalItem[at('b2')]).toBe(arrivals.itemIds.indexOf('X'));
    expect(
      arrivalGroups
        .get(arrivals.itemIds.indexOf('X'))
        ?.map((u) => arrivals.userIds[u])
        .sort(),
    ).toEqual(['b1', 'b2', 'b3', 'b4']);
  });

  it('computes the Poisson tail surprise exactly for small counts and stays finite far in the tail', () => {
    // P(X >= 1 | 1) = 1 - e^-1 = 0.63212 -> 0.45868.
    expect(poissonTailSurprise(1, 1)).toBeCloseTo(0.45868, 5);
    expect(poissonTailSurprise(0, 3)).toBe(0);
    const far = poissonTailSurprise(40, 0.1);
    // ln(40!) + 40 ln 10 + 0.1 ~ 110.3 + 92.1: capped at 50.
    expect(far).toBe(50);
  });

  it('maps implicit signals to ratings and lets an explicit rating win', () => {
    const implicit = buildRatingMatrix([
      { eventId: '1', userId: 'v', itemId: 'P', type: 'view', timestamp: T0 },
      { eventId: '2', userId: 'v', itemId: 'P', type: 'like', timestamp: T0 + 1 },
      { eventId: '3', userId: 'v', itemId: 'Q', type: 'play', value: 60, timestamp: T0 },
      { eventId: '4', userId: 'v', itemId: 'Q', type: 'rate', value: 2, timestamp: T0 + 5 },
      { eventId: '5', userId: 'v', itemId: 'R', type: 'like', timestamp: T0 },
      { eventId: '6', userId: 'v', itemId: 'R', type: 'dislike', timestamp: T0 + 5 },
    ]);
    const ratings = Object.fromEntries(
      Array.from(implicit.users[0].items, (i, k) => [implicit.itemIds[i], implicit.users[0].ratings[k]]),
    );
    expect(ratings).toEqual({ P: 5, Q: 2, R: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EASE_OPTIONS,
  gramMatrix,
  pairWeight,
  SESSION_EASE_OPTIONS,
} from '#domain/recommendations/ease.ts';
import { buildMatrix, type WeightedInteraction } from '#domain/recommendations/interactions.ts';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const at = (userId: string, itemId: string, timestamp: number): WeightedInteraction => ({
  userId,
  itemId,
  weight: 1,
  timestamp,
});

// u1 takes A and B a minute apart and C the next day; u2 takes A and C half a minute apart.
const interactions = [
  at('u1', 'A', T0),
  at('u1', 'B', T0 + MINUTE),
  at('u1', 'C', T0 + DAY),
  at('u2', 'A', T0),
  at('u2', 'C', T0 + MINUTE / 2),
];
const matrix = buildMatrix(interactions, { itemIds: ['A', 'B', 'C'], binary: true });
const all = Int32Array.from([0, 1, 2]);
const cell = (gram: Float32Array, a: number, b: number) => gram[a * 3 + b];

describe('session EASE: co-occurrences weighed by how close in time the two items were taken', () => {
  it('keeps each entry\u2019s latest event time in the matrix', () => {
    expect(Array.from(matrix.times)).toEqual([T0, T0 + MINUTE, T0 + DAY, T0, T0 + MINUTE / 2]);
  });

  it('plain EASE (share 0) counts every pair of a history once, whatever the time between them', () => {
    expect(pairWeight(DEFAULT_EASE_OPTIONS)).toBeUndefined();
    const gram = gramMatrix(matrix, all);
    expect(cell(gram, 0, 1)).toBe(1);
    expect(cell(gram, 0, 2)).toBe(2);
    expect(cell(gram, 0, 0)).toBe(2);
  });

  it('the session kernel counts (1 - share) + share * exp(-apart / scale) per pair; the diagonal stays the count', () => {
    const { sessionShare: share, sessionMs: scale } = SESSION_EASE_OPTIONS;
    const gram = gramMatrix(matrix, all, pairWeight(SESSION_EASE_OPTIONS));
    const kernel = (apart: number) => 1 - share + share * Math.exp(-apart / scale);
    expect(cell(gram, 0, 1)).toBeCloseTo(kernel(MINUTE), 6);
    // A-C: a day apart for u1 (only the plain share counts), half a minute apart for u2.
    expect(cell(gram, 0, 2)).toBeCloseTo(1 - share + kernel(MINUTE / 2), 6);
    expect(cell(gram, 2, 0)).toBeCloseTo(cell(gram, 0, 2), 6);
    expect(cell(gram, 1, 2)).toBeCloseTo(1 - share, 6);
    expect(cell(gram, 0, 0)).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import {
  DENSE_EASE_MEMORY,
  denseEaseItemLimit,
  denseEasePeakMb,
  denseEaseSkipReason,
  denseEaseSkips,
} from '#domain/recommendations/dense-ease-limit.ts';
import { singlePathHeldMatrices } from '#domain/recommendations/retrain.ts';
import { DEFAULT_TRAINING_OPTIONS } from '#domain/recommendations/training.ts';

describe('the dense EASE memory limit', () => {
  it('is the largest item count whose measured peak fits the usable share of memory', () => {
    for (const memoryMb of [512, 3008, 4096, 10_240]) {
      const limit = denseEaseItemLimit(memoryMb);
      const usable = memoryMb * DENSE_EASE_MEMORY.usableShare;
      expect(denseEasePeakMb(limit)).toBeLessThanOrEqual(usable);
      expect(denseEasePeakMb(limit + 1)).toBeGreaterThan(usable);
    }
    expect(denseEaseItemLimit(100)).toBe(0);
  });

  it('leaves room for the matrices a function holds beside the solve', () => {
    // 3,008 MB: one solve alone fits 11,651 items; beside 6 more matrices (the distributed Reduce), 7,855.
    expect(denseEaseItemLimit(3008)).toBe(11_651);
    expect(denseEaseItemLimit(3008, 6)).toBe(7_855);
    const usable = 3008 * DENSE_EASE_MEMORY.usableShare;
    expect(denseEasePeakMb(7_855, 6)).toBeLessThanOrEqual(usable);
    expect(denseEasePeakMb(7_856, 6)).toBeGreaterThan(usable);
    expect(denseEaseSkipReason(8_000, 3008, 6)).toMatch(/plus 6 more it holds at once.* holds 7,855 items/);
    expect(denseEaseSkipReason(7_855, 3008, 6)).toBeUndefined();
  });

  it('keeps the shipped 3,000-item cap inside the retrain functions (3,008 and 4,096 MB), beside what they hold', () => {
    // The distributed Reduce (3,008 MB) holds 6 more matrices, the single path (4,096 MB) 4.
    expect(denseEaseItemLimit(3008, 6)).toBeGreaterThan(DEFAULT_TRAINING_OPTIONS.ease.maxItems);
    expect(denseEaseSkips(DEFAULT_TRAINING_OPTIONS, 1_000_000, 3008, 6)).toEqual({});
    expect(singlePathHeldMatrices(DEFAULT_TRAINING_OPTIONS.models, false)).toBe(4);
    expect(singlePathHeldMatrices(DEFAULT_TRAINING_OPTIONS.models, true)).toBe(1);
    expect(denseEaseSkips(DEFAULT_TRAINING_OPTIONS, 1_000_000, 4096, 4)).toEqual({});
  });

  it('skips ease by its own cap and ease-session and hybrid by the session cap, bounded by the catalog', () => {
    const memoryMb = 4096;
    const limit = denseEaseItemLimit(memoryMb);
    const training = {
      ...DEFAULT_TRAINING_OPTIONS,
      ease: { ...DEFAULT_TRAINING_OPTIONS.ease, maxItems: limit + 1 },
      sessionEase: { ...DEFAULT_TRAINING_OPTIONS.sessionEase, maxItems: limit },
    };
    expect(Object.keys(denseEaseSkips(training, 1_000_000, memoryMb))).toEqual(['ease']);
    // A catalog no larger than the limit models at most its own items: nothing is skipped.
    expect(denseEaseSkips(training, limit, memoryMb)).toEqual({});
    const both = { ...training, sessionEase: training.ease };
    expect(Object.keys(denseEaseSkips(both, 1_000_000, memoryMb)).sort()).toEqual([
      'ease',
      'ease-session',
      'hybrid',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  DENSE_EASE_MEMORY,
  denseEaseItemLimit,
  denseEasePeakMb,
  denseEaseSkips,
} from '#domain/recommendations/dense-ease-limit.ts';
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

  it('keeps the shipped 3,000-item cap inside the retrain functions (3,008 and 4,096 MB)', () => {
    expect(denseEaseItemLimit(3008)).toBeGreaterThan(DEFAULT_TRAINING_OPTIONS.ease.maxItems);
    expect(denseEaseSkips(DEFAULT_TRAINING_OPTIONS, 1_000_000, 3008)).toEqual({});
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

import { describe, expect, it } from 'vitest';
import { planVmafSample, UnsampleableVideoError, VMAF_WINDOW_SEC } from '#domain/media/vmaf-sample.ts';

describe('planVmafSample', () => {
  it('measures a clip no longer than the sample whole, in one window', () => {
    expect(planVmafSample(9.917, 10)).toEqual({
      windows: [{ startSec: 0, durationSec: 9.917 }],
      description: 'the whole video (9.9 s)',
    });
  });

  it('spreads sample/window windows evenly over a long video, each centred in an equal part', () => {
    const { windows, description } = planVmafSample(600, 10);
    expect(windows).toHaveLength(10 / VMAF_WINDOW_SEC);
    expect(windows.map((w) => w.startSec)).toEqual([59, 179, 299, 419, 539]);
    expect(windows.every((w) => w.durationSec === VMAF_WINDOW_SEC)).toBe(true);
    expect(description).toBe('5 windows of 2 s spread evenly over 600.0 s');
  });

  it('bounds the measured seconds whatever the length: one hour costs what ten minutes cost', () => {
    const total = (durationSec: number) =>
      planVmafSample(durationSec, 12).windows.reduce((sum, w) => sum + w.durationSec, 0);
    expect(total(600)).toBe(12);
    expect(total(3600)).toBe(12);
    for (const w of planVmafSample(3600, 12).windows) {
      expect(w.startSec).toBeGreaterThanOrEqual(0);
      expect(w.startSec + w.durationSec).toBeLessThanOrEqual(3600);
    }
  });

  it('keeps one window of the sample length when the sample is shorter than a window', () => {
    expect(planVmafSample(30, 1).windows).toEqual([{ startSec: 14.5, durationSec: 1 }]);
  });

  it('refuses a video with no duration, saying why', () => {
    expect(() => planVmafSample(0, 10)).toThrow(UnsampleableVideoError);
    expect(() => planVmafSample(Number.NaN, 10)).toThrow(/no measured duration/);
  });
});

import { describe, expect, it } from 'vitest';
import { generateDemoData } from '#domain/demo/generate.ts';
import { simulate } from '#local/simulation.ts';

describe('the experiment simulator', () => {
  it('runs popularity against the default model through the API and the streamed counters, end to end', async () => {
    // Prepare: a small generated audience (the MovieLens figures come from `npm run simulate`, docs/experiments.md)
    const data = generateDemoData({ seed: 21, items: 120, users: 90, days: 30 });

    // Act
    const [run] = await simulate(
      { items: data.items, events: data.events },
      { days: 2, users: 30, seed: 3, seeds: 1, aa: false },
    );

    // Assess: every impression and play the simulator sent was counted once, by variant, and judged
    expect(run.control).toBe('popularity');
    expect(run.treatment).not.toBe('popularity');
    expect(run.posted.impressions).toBeGreaterThan(0);
    expect(run.impressions).toBe(run.posted.impressions);
    expect(run.plays).toBe(run.posted.plays);
    expect(run.users).toBe(30);
    expect(['control', 'treatment', 'not yet']).toContain(run.verdict);
    expect(run.sampleRatioMismatch).toBe(false);
  });
});

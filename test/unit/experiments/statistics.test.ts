import { describe, expect, it } from 'vitest';
import { createRandom } from '#domain/random/seeded.ts';
import {
  alwaysValidInterval,
  chiSquareSurvival,
  mixtureLikelihoodRatio,
  plannedMixtureVariance,
  ratioEstimate,
  sampleRatioMismatch,
  wilsonInterval,
} from '#domain/experiments/statistics.ts';

describe('experiment statistics', () => {
  it('gives the Wilson interval of 5 successes in 10 as [0.2366, 0.7634]', () => {
    // Prepare / Act
    const interval = wilsonInterval(5, 10);

    // Assess: the textbook value (Wilson 1927; e.g. Agresti & Coull 1998, table 1)
    expect(interval.low).toBeCloseTo(0.2366, 4);
    expect(interval.high).toBeCloseTo(0.7634, 4);
  });

  it('computes a per-impression rate and its delta-method standard error by hand', () => {
    // Prepare: three users with (plays, impressions) (1, 2), (0, 2), (3, 4): R = 4/8; the residuals
    // x - R y are (0, -1, 1), variance 1, so Var(R) = 1 / (3 · (8/3)²) = 0.046875.
    const sums = { users: 3, x: 4, y: 8, xx: 10, yy: 24, xy: 14 };

    // Act
    const { estimate, standardError } = ratioEstimate(sums);

    // Assess
    expect(estimate).toBe(0.5);
    expect(standardError).toBeCloseTo(Math.sqrt(0.046875), 12);
  });

  it('matches chi-square critical values of tables at the 5% level', () => {
    expect(chiSquareSurvival(3.841459, 1)).toBeCloseTo(0.05, 5);
    expect(chiSquareSurvival(5.991465, 2)).toBeCloseTo(0.05, 5);
    expect(chiSquareSurvival(11.0705, 5)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(0.4549, 1)).toBeCloseTo(0.5, 3);
  });

  it('flags a 5200/4800 split of a 50/50 experiment and passes 5030/4970', () => {
    // 5200/4800: chi-square = 2 · 200² / 5000 = 16, p = 6.3e-5.
    const broken = sampleRatioMismatch([5200, 4800], [1, 1]);
    expect(broken.chiSquare).toBeCloseTo(16, 10);
    expect(broken.pValue).toBeCloseTo(6.334e-5, 7);
    expect(broken.mismatch).toBe(true);
    expect(sampleRatioMismatch([5030, 4970], [1, 1]).mismatch).toBe(false);
    // Weights are relative: 2:1 expects 2/3 of users in the first variant.
    expect(sampleRatioMismatch([6700, 3300], [2, 1]).mismatch).toBe(false);
  });

  it('inverts the mixture likelihood ratio: the interval ends where Λ reaches 1/alpha', () => {
    // Prepare: θ̂ = 0, V = 0.01, τ = 0.1: half-width sqrt(0.02 · (2 ln 20 + ln 2)) = 0.36564
    const interval = alwaysValidInterval(0, 0.01, 0.05, 0.01);

    // Assess
    expect(interval.high).toBeCloseTo(0.36564, 5);
    expect(interval.low).toBeCloseTo(-0.36564, 5);
    expect(mixtureLikelihoodRatio(interval.high, 0.01, 0.01)).toBeCloseTo(20, 6);
    // Wider than the fixed-horizon interval, the price of looking any number of times.
    expect(interval.high).toBeGreaterThan(1.96 * 0.1);
  });

  it('makes the interval narrowest near the planned number of users', () => {
    // Prepare: an effect whose variance is 1/users (per-user variance 1), planned for 1,000 users.
    const halfWidthAt = (users: number, plannedUsers: number) =>
      alwaysValidInterval(0, 1 / users, 0.05, plannedMixtureVariance(1 / users, users, plannedUsers)).high;

    // Act: at 1,000 users, the interval of plans from 100 to 10,000 users.
    const widths = [100, 300, 1000, 3000, 10_000].map((plan) => halfWidthAt(1000, plan));

    // Assess: the plan that matches is the narrowest, a tenfold error costs less than 30%, and the
    // price of looking at any time is about 1.55x the fixed-horizon half-width (1.96 σ).
    expect(Math.min(...widths)).toBe(widths[2]);
    expect(Math.max(widths[0], widths[4]) / widths[2]).toBeLessThan(1.3);
    expect(widths[2] / (1.96 * Math.sqrt(1 / 1000))).toBeCloseTo(1.55, 1);
  });

  it.each([
    { plannedUsers: 6000, note: 'the whole run' },
    { plannedUsers: 200, note: 'the first day' },
  ])(
    'keeps false positives under 5% when an A/A test planned for $plannedUsers users ($note) is looked at every day for 30 days',
    ({ plannedUsers }) => {
      // Prepare: 400 A/A experiments, each day 100 new users per arm with p = 0.3; a look every day.
      const random = createRandom(12345);
      const experiments = 400;
      let falsePositives = 0;

      // Act
      for (let e = 0; e < experiments; e++) {
        const arms = [
          { n: 0, s: 0 },
          { n: 0, s: 0 },
        ];
        let rejected = false;
        for (let day = 0; day < 30 && !rejected; day++) {
          for (const arm of arms)
            for (let u = 0; u < 100; u++) {
              arm.n++;
              if (random.next() < 0.3) arm.s++;
            }
          const [a, b] = arms.map((arm) => arm.s / arm.n);
          const variance = (a * (1 - a)) / arms[0].n + (b * (1 - b)) / arms[1].n;
          const tau2 = plannedMixtureVariance(variance, arms[0].n + arms[1].n, plannedUsers);
          const interval = alwaysValidInterval(b - a, variance, 0.05, tau2);
          rejected = interval.low > 0 || interval.high < 0;
        }
        if (rejected) falsePositives++;
      }

      // Assess: a fixed 95% interval checked 30 times would reject far more often (about 20-30%).
      expect(falsePositives / experiments).toBeLessThanOrEqual(0.05);
    },
  );
});

import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '#domain/errors.ts';
import {
  assignVariant,
  type Experiment,
  planExperiment,
  statusOf,
  stopExperiment,
} from '#domain/experiments/experiment.ts';
import { experimentResults, emptyCounters, type VariantCounters } from '#domain/experiments/results.ts';
import {
  recommendationIdProblems,
  signRecommendationId,
  verifyRecommendationId,
} from '#domain/experiments/recommendation-id.ts';
import { TEST_SIGNING_KEY } from '../../support/list-attribution.ts';

const NOW = Date.UTC(2026, 11, 5);
const MODELS = ['popularity', 'ease', 'als'];
const input = {
  name: 'ease vs popularity',
  surface: 'recommendations' as const,
  variants: [
    { name: 'control', model: 'popularity', weight: 1 },
    { name: 'treatment', model: 'ease', weight: 1 },
  ],
};
const plan = (overrides = {}, existing: Experiment[] = []) =>
  planExperiment(
    { ...input, ...overrides },
    { experimentId: 'exp-new', nowMs: NOW, models: MODELS, existing },
  );

const problemsOf = (act: () => unknown) => {
  try {
    act();
  } catch (error) {
    return (error as ValidationError).problems.map((p) => p.field);
  }
  throw new Error('expected a refusal');
};

describe('experiments', () => {
  it('refuses weights without a positive total, unknown models and repeated names, naming each field', () => {
    expect(
      problemsOf(() =>
        plan({
          variants: [
            { ...input.variants[0], weight: 0 },
            { ...input.variants[1], weight: 0 },
          ],
        }),
      ),
    ).toEqual(['body.variants']);
    expect(
      problemsOf(() => plan({ variants: [input.variants[0], { ...input.variants[1], model: 'gpt' }] })),
    ).toEqual(['body.variants[1].model']);
    expect(
      problemsOf(() => plan({ variants: [input.variants[0], { ...input.variants[1], name: 'control' }] })),
    ).toEqual(['body.variants[1].name']);
    expect(() => plan({ variants: [input.variants[0], { ...input.variants[1], model: 'gpt' }] })).toThrow(
      ValidationError,
    );
  });

  it('refuses an experiment overlapping another on the same surface, and allows one after it stops', () => {
    const running = plan();
    expect(() => plan({}, [running])).toThrow(ConflictError);
    expect(plan({ surface: 'rank' }, [running]).surface).toBe('rank');
    const stopped = stopExperiment(running, NOW + 1000);
    expect(plan({ startAt: new Date(NOW + 2000).toISOString() }, [stopped]).experimentId).toBe('exp-new');
  });

  it('refuses to stop a stopped experiment with a conflict naming the experiment', () => {
    const stopped = stopExperiment(plan(), NOW + 1000);
    expect(statusOf(stopped, NOW + 1000)).toBe('stopped');
    expect(() => stopExperiment(stopped, NOW + 2000)).toThrow(ConflictError);
  });

  it('assigns users stickily and in proportion to the weights', () => {
    const experiment = plan({ variants: [{ ...input.variants[0], weight: 3 }, input.variants[1]] });
    const users = Array.from({ length: 20_000 }, (_, i) => `u${i}`);
    const first = users.map((u) => assignVariant(experiment, u).name);
    const second = users.map((u) => assignVariant(experiment, u).name);
    const share = first.filter((name) => name === 'control').length / users.length;
    expect(second).toEqual(first);
    // 3:1 weights: 75% ± 3 standard errors (0.3%)
    expect(Math.abs(share - 0.75)).toBeLessThan(0.01);
    // Another experiment splits the same users independently.
    const other = { ...experiment, experimentId: 'exp-other' };
    const agree = users.filter((u, i) => assignVariant(other, u).name === first[i]).length / users.length;
    expect(agree).toBeCloseTo(0.75 ** 2 + 0.25 ** 2, 1);
  });

  it("rejects a recommendation id with a bad signature, another user's list or a position past its end", () => {
    const token = signRecommendationId(
      { surface: 'recommendations', userId: 'u1', model: 'ease', version: '0003', issuedAt: NOW, length: 5 },
      TEST_SIGNING_KEY,
    );
    expect(verifyRecommendationId(token, TEST_SIGNING_KEY)).toMatchObject({
      userId: 'u1',
      model: 'ease',
      length: 5,
    });
    const tampered = `${Buffer.from(JSON.stringify({ s: 'recommendations', u: 'u2', m: 'ease', v: '0003', t: NOW, n: 5 })).toString('base64url')}.${token.split('.')[1]}`;
    const problems = recommendationIdProblems(
      [
        { userId: 'u1', recommendationId: token, position: 5 },
        { userId: 'u2', recommendationId: token },
        { userId: 'u2', recommendationId: tampered },
        { userId: 'u1', recommendationId: token, position: 6 },
        { userId: 'u1', recommendationId: 'garbage' },
      ],
      TEST_SIGNING_KEY,
    );
    expect(problems.map((p) => p.field)).toEqual([
      'events[1].recommendationId',
      'events[2].recommendationId',
      'events[3].position',
      'events[4].recommendationId',
    ]);
    expect(problems[0].message).toContain("another user's list");
    expect(problems[1].message).toContain('bad signature');
  });

  it('declares the treatment the winner only when its always-valid lift interval excludes zero', () => {
    // Prepare: 2,000 users per arm with 10 impressions each; treatment plays twice as often.
    const arm = (variant: string, playsPerUser: number[]): VariantCounters => {
      const c = emptyCounters(variant);
      for (const p of playsPerUser) {
        c.users++;
        c.impressions += 10;
        c.impressionsSquared += 100;
        c.plays += p;
        c.playsSquared += p * p;
        c.playsImpressions += 10 * p;
        if (p > 0) c.usersPlayed++;
      }
      return c;
    };
    const pattern = (high: number) => Array.from({ length: 2000 }, (_, i) => (i % 4 < high ? 1 : 0));
    const experiment = plan();

    // Act
    const clear = experimentResults(
      experiment,
      [arm('control', pattern(1)), arm('treatment', pattern(2))],
      'running',
    );
    const tiny = experimentResults(
      experiment,
      [arm('control', pattern(1).slice(0, 40)), arm('treatment', pattern(2).slice(0, 40))],
      'running',
    );
    const same = experimentResults(
      experiment,
      [arm('control', pattern(2)), arm('treatment', pattern(2))],
      'running',
    );

    // Assess
    expect(clear.verdict).toBe('treatment');
    expect(clear.winner).toBe('treatment');
    expect(clear.variants[1].lift?.value).toBeCloseTo(1, 10);
    expect(clear.variants[1].lift?.interval?.low).toBeGreaterThan(0);
    expect(clear.variants[0].playRate.value).toBeCloseTo(0.025, 10);
    expect(tiny.verdict).toBe('not yet');
    expect(same.verdict).toBe('not yet');
    expect(same.sampleRatio.mismatch).toBe(false);
  });

  it('withholds the verdict when the traffic split is broken', () => {
    const c = {
      ...emptyCounters('control'),
      users: 6000,
      impressions: 60000,
      impressionsSquared: 600000,
      plays: 600,
      playsSquared: 600,
      playsImpressions: 6000,
    };
    const t = {
      ...emptyCounters('treatment'),
      users: 4000,
      impressions: 40000,
      impressionsSquared: 400000,
      plays: 1200,
      playsSquared: 1200,
      playsImpressions: 12000,
    };
    const results = experimentResults(plan(), [c, t], 'running');
    expect(results.sampleRatio.mismatch).toBe(true);
    expect(results.verdict).toBe('not yet');
  });
});

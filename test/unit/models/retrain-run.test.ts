import { describe, expect, it } from 'vitest';
import {
  isFullRun,
  NotEnoughDataError,
  nothingToTrainOn,
  requestedModels,
  runFamilies,
  runRetrain,
  withRetrainLease,
} from '#domain/models/retrain-run.ts';
import { InMemoryModelRecords } from '../../support/memory-models.ts';

describe('a retrain run over model families', () => {
  it('trains nothing on an empty store or after a deploy with models live, and runs the last step anyway', async () => {
    const ran: string[] = [];
    const said: string[] = [];
    const steps = (live: boolean, events: boolean) => ({
      families: { recommendations: async () => ran.push('recommendations') },
      anyModelLive: async () => live,
      presence: async () => ({ events, items: true }),
      last: { name: 'modelsLayer', step: async () => ran.push('layer'), onError: () => {} },
      log: { nothingToTrain: (reason: string) => said.push(reason), familyFailed: () => {} },
    });
    const empty = await runRetrain({ reason: 'schedule' }, steps(false, false));
    expect(empty.recommendations).toEqual({
      ok: true,
      result: { skipped: 'nothing to train on yet: no events' },
    });
    const redeploy = await runRetrain({ reason: 'deploy' }, steps(true, true));
    expect(redeploy.recommendations).toMatchObject({
      ok: true,
      result: { skipped: expect.stringContaining('re-attached') },
    });
    expect(ran).toEqual(['layer', 'layer']);
    expect(said).toHaveLength(2);
    const trained = await runRetrain({ reason: 'deploy' }, steps(false, true));
    expect(trained.recommendations.ok).toBe(true);
    expect(ran).toEqual(['layer', 'layer', 'recommendations', 'layer']);
  });

  it('reports a family with too little data as skipped with the reason, not as a failure', async () => {
    const errors: string[] = [];
    const outcomes = await runFamilies(
      {
        profiles: async () => {
          throw new NotEnoughDataError('profile training needs more than 10 users with 5+ events; got 3');
        },
      },
      {},
      (family) => errors.push(family),
    );
    expect(errors).toEqual([]);
    expect(outcomes.profiles).toEqual({
      ok: true,
      result: { skipped: 'profile training needs more than 10 users with 5+ events; got 3' },
    });
  });

  it('runs every family even when an earlier one fails, and reports each outcome', async () => {
    const ran: string[] = [];
    const errors: string[] = [];
    const outcomes = await runFamilies(
      {
        first: async () => {
          ran.push('first');
          throw new Error('no events');
        },
        second: async (request) => {
          ran.push('second');
          return { reason: request.reason };
        },
      },
      { reason: 'schedule' },
      (family) => errors.push(family),
    );
    expect(ran).toEqual(['first', 'second']);
    expect(errors).toEqual(['first']);
    expect(outcomes).toEqual({
      first: { ok: false, error: 'no events' },
      second: { ok: true, result: { reason: 'schedule' } },
    });
  });

  it('treats a run naming models as restricted', () => {
    expect(isFullRun({ reason: 'schedule' })).toBe(true);
    expect(isFullRun({ models: [] })).toBe(true);
    expect(isFullRun({ models: ['trending'] })).toBe(false);
  });

  it("asks each family only for the models it owns: all on a full run, none when only another family's are named", () => {
    const recommendations = ['popularity', 'trending', 'ease'] as const;
    const profiles = ['profile-segments', 'profile-anomaly'] as const;

    expect(requestedModels({ reason: 'schedule' }, recommendations)).toEqual([...recommendations]);
    expect(requestedModels({ models: ['trending', 'popularity'] }, recommendations)).toEqual([
      'popularity',
      'trending',
    ]);
    expect(requestedModels({ models: ['profile-anomaly'] }, recommendations)).toEqual([]);
    expect(requestedModels({ models: ['profile-anomaly'] }, profiles)).toEqual(['profile-anomaly']);
    expect(requestedModels({ models: ['no-such-model'] }, profiles)).toEqual([]);
  });
});

describe('the retrain lease', () => {
  const at = (iso: string) => new Date(iso);
  const lease = (now: string) => ({ now: at(now), leaseMs: 16 * 60_000 });

  it('refuses a second run while one holds the lease, says why, and frees the lease at the end', async () => {
    // Prepare: a run that is still working when the second asks.
    const runs = new InMemoryModelRecords();
    let release!: () => void;
    const first = withRetrainLease(
      runs,
      { runId: 'nightly', reason: 'schedule' },
      lease('2026-12-05T03:00:00Z'),
      () => new Promise<string>((resolve) => (release = () => resolve('trained'))),
    );
    await new Promise((resolve) => setImmediate(resolve));

    // Act
    const second = await withRetrainLease(
      runs,
      { runId: 'refresh', reason: 'schedule', models: ['trending'] },
      lease('2026-12-05T03:05:00Z'),
      async () => 'never',
    );
    release();
    const finished = await first;
    const third = await withRetrainLease(
      runs,
      { runId: 'manual', reason: 'manual' },
      lease('2026-12-05T03:10:00Z'),
      async () => 'ok',
    );

    // Assess
    expect(second).toEqual({
      ran: false,
      refusal: expect.stringMatching(/another retrain \(schedule, started 2026-12-05T03:00:00.000Z\)/),
    });
    expect(finished).toEqual({ ran: true, result: 'trained' });
    expect(third).toEqual({ ran: true, result: 'ok' });
    const { lastRun, lastRefused } = await runs.latestRuns();
    expect(lastRun).toMatchObject({ runId: 'manual', reason: 'manual', state: 'succeeded' });
    expect(lastRefused).toMatchObject({ reason: 'schedule', requestedAt: '2026-12-05T03:05:00.000Z' });
  });

  it('takes over the lease of a run that crashed once it expires, and records a failed run as failed', async () => {
    const runs = new InMemoryModelRecords();
    await runs.acquireRun(
      {
        runId: 'crashed',
        reason: 'schedule',
        startedAt: '2026-12-05T03:00:00.000Z',
        expiresAt: '2026-12-05T03:16:00.000Z',
        state: 'running',
      },
      at('2026-12-05T03:00:00Z'),
    );

    const before = await withRetrainLease(
      runs,
      { runId: 'early', reason: 'manual' },
      lease('2026-12-05T03:15:00Z'),
      async () => 1,
    );
    const failing = withRetrainLease(
      runs,
      { runId: 'late', reason: 'manual' },
      lease('2026-12-05T03:17:00Z'),
      async () => {
        throw new Error('boom');
      },
    );

    expect(before.ran).toBe(false);
    await expect(failing).rejects.toThrow('boom');
    expect((await runs.latestRuns()).lastRun).toMatchObject({ runId: 'late', state: 'failed' });
  });
});

describe('nothing to train on', () => {
  it('names what is missing, and nothing when both are there', () => {
    expect(nothingToTrainOn({ events: false, items: false })).toBe(
      'nothing to train on yet: no items and no events',
    );
    expect(nothingToTrainOn({ events: false, items: true })).toBe('nothing to train on yet: no events');
    expect(nothingToTrainOn({ events: true, items: true })).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { isFullRun, requestedModels, runFamilies } from '#domain/models/retrain-run.ts';

describe('a retrain run over model families', () => {
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

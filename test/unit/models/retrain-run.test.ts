import { describe, expect, it } from 'vitest';
import { isFullRun, runFamilies } from '#domain/models/retrain-run.ts';

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
});

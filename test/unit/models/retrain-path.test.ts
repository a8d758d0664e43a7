import { describe, expect, it } from 'vitest';
import { chooseRetrainPath, type StoredEventCount } from '#domain/models/retrain-path.ts';
import { DEPLOY_REASON } from '#domain/models/retrain-run.ts';

/** A store holding `count` events, which records whether it was asked. */
function storeOf(count: number) {
  const asked = { times: 0 };
  const events: StoredEventCount = {
    approximateEventCount: async () => {
      asked.times++;
      return count;
    },
  };
  return { events, asked };
}

describe('choosing the retrain path by the number of stored events', () => {
  it('runs a full retrain above the threshold on the distributed machine, at or below it in one function', async () => {
    const above = await chooseRetrainPath({ reason: 'schedule' }, storeOf(5_000_001).events, 5_000_000);
    const at = await chooseRetrainPath({ reason: 'schedule' }, storeOf(5_000_000).events, 5_000_000);
    expect(above).toEqual({ path: 'distributed', why: 'about 5000001 events, above 5000000' });
    expect(at.path).toBe('single');
  });

  it('keeps the trending refresh and a deploy run in one function whatever the size', async () => {
    const { events, asked } = storeOf(1e9);
    expect((await chooseRetrainPath({ reason: 'schedule', models: ['trending'] }, events, 1000)).path).toBe(
      'single',
    );
    expect((await chooseRetrainPath({ reason: DEPLOY_REASON }, events, 1000)).path).toBe('single');
    expect(asked.times).toBe(0);
  });

  it('takes a forced path without counting', async () => {
    const { events, asked } = storeOf(10);
    const forced = await chooseRetrainPath({ reason: 'manual', path: 'distributed' }, events, 1000);
    expect(forced.path).toBe('distributed');
    expect(asked.times).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import { generateDemoData } from '#domain/demo/generate.ts';
import { ProfileRegistry } from '#domain/profiles/registry.ts';
import { trainProfileModels } from '#domain/profiles/train.ts';

const DAY_MS = 86_400_000;
const DATA_END = Date.UTC(2026, 9, 1);
// A small audience keeps this fast; the shape (history ending weeks before the retrain) is the demo's.
const data = generateDemoData({ seed: 5, users: 300, items: 200, days: 60, now: DATA_END });

/** Paths of every non-finite number inside a JSON-like value. */
function nonFiniteNumbers(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path}=${value}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFiniteNumbers(v, `${path}[${i}]`));
  if (value && typeof value === 'object' && !(value instanceof Uint8Array))
    return Object.entries(value).flatMap(([k, v]) => nonFiniteNumbers(v, `${path}.${k}`));
  return [];
}

describe('churn metrics when training runs well after the data ends', () => {
  it('measures churn on labelled windows ending at the last event, so every metric is a finite number', () => {
    // Act: the retrain job trains at wall-clock time, here 59 days after the history ends.
    const result = trainProfileModels(
      { events: data.events, items: data.items, users: data.users, now: DATA_END + 59 * DAY_MS },
      { kMax: 6, anomalyTrees: 20 },
    );

    // Assess
    expect(result.metrics.churn.testRows).toBeGreaterThan(0);
    expect(nonFiniteNumbers(result.metrics)).toEqual([]);
    expect(nonFiniteNumbers(result.artifacts.churn.metadata)).toEqual([]);
    expect(result.artifacts.churn.metadata.trainedCutoff).toBeLessThanOrEqual(DATA_END);
  });

  it('leaves the churn AUC out (not NaN) when the held-out window has a single class', () => {
    // Prepare: 40 users who each come back every day up to the end, so every held-out row is "stayed".
    const events: InteractionEvent[] = [];
    for (let u = 0; u < 40; u++) {
      for (let d = 60; d >= 1; d--) {
        events.push({
          eventId: `e${u}-${d}`,
          userId: `daily${u}`,
          itemId: data.items[(u * 7 + d) % data.items.length].itemId,
          type: d % 3 === 0 ? 'play' : 'view',
          timestamp: DATA_END - d * DAY_MS + ((u * 37) % 24) * 3_600_000,
        });
      }
    }
    events.sort((a, b) => a.timestamp - b.timestamp);
    const result = trainProfileModels(
      { events, items: data.items, now: DATA_END },
      { kMax: 6, anomalyTrees: 20 },
    );

    // Assess: a held-out window of one class (every user stayed) has no ROC-AUC to report.
    const { testRows, testChurnRate } = result.metrics.churn;
    expect(testRows).toBeGreaterThan(0);
    expect(testChurnRate).toBe(0);
    expect(result.metrics.churn.auc).toBeUndefined();
    expect(nonFiniteNumbers(result.metrics)).toEqual([]);
    expect(nonFiniteNumbers(result.artifacts.churn.metadata)).toEqual([]);
  });
});

describe('ProfileRegistry.publish', () => {
  it('refuses a non-finite figure, naming it, before anything is written', async () => {
    // Prepare: stores that record any write.
    const writes: string[] = [];
    const never = (what: string) => async () => {
      writes.push(what);
      throw new Error(`unexpected ${what}`);
    };
    const registry = new ProfileRegistry(
      {
        getLive: never('getLive'),
        getVersion: never('getVersion'),
      } as never,
      { put: never('put'), get: never('get') } as never,
    );
    const trained = trainProfileModels(
      { events: data.events, items: data.items, users: data.users, now: DATA_END },
      { kMax: 6, anomalyTrees: 20 },
    );

    // Act / Assess
    await expect(
      registry.publish(trained.artifacts.churn, {
        metrics: { auc: Number.NaN, trainRows: 3 },
        trainMs: 1,
        dataCutoff: DATA_END,
      }),
    ).rejects.toThrow(/metrics\.auc.*NaN/);
    expect(writes).toEqual([]);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import { countEvent, type CountingDeps } from '#domain/experiments/counting.ts';
import { type ListIdentity, signRecommendationId } from '#domain/experiments/recommendation-id.ts';
import { MemoryAttributionRecords, MemoryCounters } from '../../support/memory-experiments.ts';
import { TEST_SIGNING_KEY, testKey } from '../../support/list-attribution.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 1);

const list = (overrides: Partial<ListIdentity> = {}): string =>
  signRecommendationId(
    {
      surface: 'recommendations',
      userId: 'u1',
      model: 'ease',
      version: '0001',
      issuedAt: T0,
      length: 10,
      experimentId: 'exp-1',
      variant: 'treatment',
      ...overrides,
    },
    TEST_SIGNING_KEY,
  );

let n = 0;
const event = (type: InteractionEvent['type'], extra: Partial<InteractionEvent> = {}): InteractionEvent => ({
  eventId: `e${++n}`,
  userId: 'u1',
  itemId: 'i1',
  type,
  timestamp: T0,
  ...extra,
});

describe('counting streamed events into experiments', () => {
  let records: MemoryAttributionRecords;
  let counters: MemoryCounters;
  let deps: CountingDeps;

  beforeEach(() => {
    records = new MemoryAttributionRecords();
    counters = new MemoryCounters(records);
    deps = { key: testKey, records, counters, windowMs: 24 * HOUR };
  });

  it('counts an impression once however often the stream delivers it', async () => {
    // Prepare
    const impression = event('impression', { recommendationId: list(), position: 3 });

    // Act
    const first = await countEvent(impression, deps);
    const again = await countEvent(impression, deps);

    // Assess
    expect([first, again]).toEqual(['counted', 'already counted']);
    const [row] = await counters.read('exp-1');
    expect(row).toMatchObject({ variant: 'treatment', users: 1, impressions: 1, impressionsSquared: 1 });
    expect(await records.latestExposure('u1', 'i1')).toMatchObject({ position: 3, shownAt: T0 });
  });

  it('credits a play without an id to the newest list that showed the item within the window', async () => {
    // Prepare: two lists showed i1 (the older outside any experiment); the newer two hours before the play
    const older = list({ experimentId: undefined, variant: undefined });
    await countEvent(event('impression', { recommendationId: older, timestamp: T0 - 5 * HOUR }), deps);
    const newer = list({ issuedAt: T0 - 2 * HOUR });
    await countEvent(
      event('impression', { recommendationId: newer, position: 2, timestamp: T0 - 2 * HOUR }),
      deps,
    );

    // Act
    const outcome = await countEvent(event('play', { eventId: 'p1' }), deps);

    // Assess
    expect(outcome).toBe('counted');
    expect(records.attributions.get('p1')).toMatchObject({
      rule: 'window',
      recommendationId: newer,
      position: 2,
    });
    const rows = await counters.read('exp-1');
    const treatment = rows.find((r) => r.variant === 'treatment');
    // One counted impression then a play: Σp·i gains the user's 1 impression.
    expect(treatment).toMatchObject({
      impressions: 1,
      plays: 1,
      usersPlayed: 1,
      playsSquared: 1,
      playsImpressions: 1,
    });
  });

  it('leaves a play outside the window unattributed and uncounted', async () => {
    await countEvent(event('impression', { recommendationId: list(), timestamp: T0 - 25 * HOUR }), deps);

    const outcome = await countEvent(event('play', { eventId: 'late' }), deps);

    expect(outcome).toBe('unattributed');
    expect(records.attributions.has('late')).toBe(false);
    expect((await counters.read('exp-1'))[0].plays).toBe(0);
  });

  it("records an explicit id's attribution but keeps a caller-chosen model out of the figures", async () => {
    const outcome = await countEvent(
      event('click', { eventId: 'c1', recommendationId: list({ explicitModel: true }), position: 1 }),
      deps,
    );

    expect(outcome).toBe('attributed');
    expect(records.attributions.get('c1')).toMatchObject({ rule: 'explicit', position: 1 });
    expect(await counters.read('exp-1')).toEqual([]);
  });

  it('ignores an id signed with another key', async () => {
    const forged = signRecommendationId(
      {
        surface: 'recommendations',
        userId: 'u1',
        model: 'ease',
        version: '1',
        issuedAt: T0,
        length: 10,
        experimentId: 'exp-1',
        variant: 'treatment',
      },
      new Uint8Array(32).fill(9),
    );

    expect(await countEvent(event('play', { recommendationId: forged }), deps)).toBe('unattributed');
    expect(await counters.read('exp-1')).toEqual([]);
  });

  it('keeps per-user sums exact: a user with 3 impressions and 2 plays adds 9 and 4 to the squares', async () => {
    const id = list();
    for (let i = 0; i < 3; i++)
      await countEvent(event('impression', { recommendationId: id, itemId: `i${i}` }), deps);
    for (let i = 0; i < 2; i++)
      await countEvent(event('play', { recommendationId: id, itemId: `i${i}` }), deps);

    const [row] = await counters.read('exp-1');

    expect(row).toMatchObject({
      users: 1,
      impressions: 3,
      plays: 2,
      impressionsSquared: 9,
      playsSquared: 4,
      playsImpressions: 6,
      usersPlayed: 1,
    });
  });
});

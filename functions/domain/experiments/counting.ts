/**
 * What happens to each new event on the stream: an impression records which list showed the item;
 * a click or play is attributed (by its recommendationId, else to the newest list that showed the
 * item to the same user within the window) and the attribution stored; an attributed event of an
 * experiment's list then adds to that variant's counters, once per event however often the stream
 * delivers it.
 */
import type { InteractionEvent } from '#domain/catalog/types.ts';
import {
  InvalidRecommendationIdError,
  type ListIdentity,
  type RecommendationIdKey,
  verifyRecommendationId,
} from './recommendation-id.ts';
import { emptyCounters, type VariantCounters } from './results.ts';

/** Which list showed an item to a user, last. */
export interface Exposure {
  itemId: string;
  recommendationId: string;
  position?: number;
  /** Epoch ms of the impression. */
  shownAt: number;
}

/** How a click or play was credited: `explicit` carried its id, `window` was shown the item before. */
export interface Attribution {
  eventId: string;
  itemId: string;
  type: 'click' | 'play';
  rule: 'explicit' | 'window';
  recommendationId: string;
  position?: number;
  /** Epoch ms of the event. */
  at: number;
}

/** One user's counted events in one experiment (kept per user, erased with the user). */
export interface UserTally {
  variant: string;
  impressions: number;
  clicks: number;
  plays: number;
}

export type CounterIncrements = Omit<VariantCounters, 'variant'>;

/** Per-user records, erased with the user. */
export interface AttributionRecords {
  latestExposure(userId: string, itemId: string): Promise<Exposure | undefined>;
  /** Keeps the newest exposure of the item (an older one arriving late changes nothing). */
  recordExposure(userId: string, exposure: Exposure): Promise<void>;
  recordAttribution(userId: string, attribution: Attribution): Promise<void>;
  tally(userId: string, experimentId: string): Promise<UserTally | undefined>;
}

/** Thrown by `CounterStore.add` when the user's tally changed after it was read. */
export class TallyChangedError extends Error {}

/** One event's effect on a user's tally and on its variant's counters. */
export interface CountedChange {
  experimentId: string;
  userId: string;
  eventId: string;
  before: UserTally | undefined;
  after: UserTally;
  increments: CounterIncrements;
}

export interface CounterStore {
  /**
   * Atomically: marks the event counted, moves the user's tally from `before` to `after` and adds
   * `increments` to the variant's counters. Returns false, changing nothing, when the event was
   * counted before; throws TallyChangedError when the tally is no longer `before`.
   */
  add(change: CountedChange): Promise<boolean>;
  read(experimentId: string): Promise<VariantCounters[]>;
}

/**
 * The change one counted event makes: the user's tally after it, and what the variant's sums gain
 * ((n+1)² - n² = 2n + 1 keeps the sums of squares exact without reading them).
 */
export function countedChange(
  before: UserTally | undefined,
  variant: string,
  type: 'impression' | 'click' | 'play',
): { after: UserTally; increments: CounterIncrements } {
  const { impressions: i, clicks: c, plays: p } = before ?? { impressions: 0, clicks: 0, plays: 0 };
  const { variant: _, ...zero } = emptyCounters(variant);
  const increments: CounterIncrements = { ...zero, users: before ? 0 : 1 };
  const after: UserTally = { variant: before?.variant ?? variant, impressions: i, clicks: c, plays: p };
  if (type === 'impression') {
    after.impressions++;
    Object.assign(increments, {
      impressions: 1,
      impressionsSquared: 2 * i + 1,
      clicksImpressions: c,
      playsImpressions: p,
    });
  } else if (type === 'click') {
    after.clicks++;
    Object.assign(increments, {
      clicks: 1,
      clicksSquared: 2 * c + 1,
      clicksImpressions: i,
      usersClicked: c === 0 ? 1 : 0,
    });
  } else {
    after.plays++;
    Object.assign(increments, {
      plays: 1,
      playsSquared: 2 * p + 1,
      playsImpressions: i,
      usersPlayed: p === 0 ? 1 : 0,
    });
  }
  return { after, increments };
}

export interface CountingDeps {
  key: RecommendationIdKey;
  records: AttributionRecords;
  counters: CounterStore;
  /** The attribution window, ms. */
  windowMs: number;
}

export type CountOutcome = 'ignored' | 'unattributed' | 'attributed' | 'counted' | 'already counted';

/** The list an event is credited to, and by which rule; undefined when none. */
async function attribute(
  event: InteractionEvent,
  deps: CountingDeps,
  key: Uint8Array,
): Promise<
  { list: ListIdentity; recommendationId: string; position?: number; rule: Attribution['rule'] } | undefined
> {
  if (event.recommendationId) {
    try {
      const list = verifyRecommendationId(event.recommendationId, key);
      return { list, recommendationId: event.recommendationId, position: event.position, rule: 'explicit' };
    } catch (error) {
      // POST /events refused forged ids; one signed with a retired key is simply not attributed.
      if (error instanceof InvalidRecommendationIdError) return undefined;
      throw error;
    }
  }
  if (event.type === 'impression') return undefined;
  const exposure = await deps.records.latestExposure(event.userId, event.itemId);
  if (!exposure) return undefined;
  const age = event.timestamp - exposure.shownAt;
  if (age < 0 || age > deps.windowMs) return undefined;
  try {
    const list = verifyRecommendationId(exposure.recommendationId, key);
    return { list, recommendationId: exposure.recommendationId, position: exposure.position, rule: 'window' };
  } catch {
    return undefined;
  }
}

/** Applies one new event (see the module comment); safe to call again with the same event. */
export async function countEvent(event: InteractionEvent, deps: CountingDeps): Promise<CountOutcome> {
  if (event.type !== 'impression' && event.type !== 'click' && event.type !== 'play') return 'ignored';
  const key = await deps.key.current();
  const credited = await attribute(event, deps, key);
  if (!credited) return 'unattributed';
  if (event.type === 'impression')
    await deps.records.recordExposure(event.userId, {
      itemId: event.itemId,
      recommendationId: credited.recommendationId,
      ...(credited.position === undefined ? {} : { position: credited.position }),
      shownAt: event.timestamp,
    });
  else
    await deps.records.recordAttribution(event.userId, {
      eventId: event.eventId,
      itemId: event.itemId,
      type: event.type,
      rule: credited.rule,
      recommendationId: credited.recommendationId,
      ...(credited.position === undefined ? {} : { position: credited.position }),
      at: event.timestamp,
    });
  const { experimentId, variant, explicitModel } = credited.list;
  // A list whose model the caller named is outside the experiment's figures.
  if (!experimentId || !variant || explicitModel) return 'attributed';
  for (let attempt = 0; ; attempt++) {
    const before = await deps.records.tally(event.userId, experimentId);
    const { after, increments } = countedChange(before, variant, event.type);
    try {
      const added = await deps.counters.add({
        experimentId,
        userId: event.userId,
        eventId: event.eventId,
        before,
        after,
        increments,
      });
      return added ? 'counted' : 'already counted';
    } catch (error) {
      // Another delivery moved the tally between the read and the write: read it again.
      if (!(error instanceof TallyChangedError) || attempt >= 4) throw error;
    }
  }
}

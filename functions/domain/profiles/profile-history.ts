/**
 * A user's history as a stored tally: the profile retrain folds every event before a cut (the start
 * of a UTC day) into one small record per user, and a profile read continues it with the events since
 * the cut. The read then needs only the events after the cut and those of the recent-activity window
 * (28 days), whatever the length of the history.
 */
import type { InteractionEvent, Item, UserAttributes } from '#domain/catalog/types.ts';
import {
  type ActivityTally,
  closeDay,
  creditItems,
  DAY_MS,
  emptyTally,
  type FeatureTally,
  foldEvents,
  INTEREST_HALF_LIFE_DAYS,
  type IntensityTally,
  type RhythmTally,
} from './feature-tally.ts';
import { featuresOfTally, type ProfileFeatures, recentCounts, sortedBefore, upperBound } from './features.ts';

/** The longest window a feature counts events in one by one (eventsPrevious21Days ends 28 days back). */
export const RECENT_WINDOW_MS = 28 * DAY_MS;
/** Items whose weight a history keeps to rank the top items (the profile shows 10). */
const CARRIED_ITEMS = 50;
/** Genres and tags a history keeps, the heaviest first (a user's vocabulary is rarely near this). */
const CARRIED_NAMES = 200;
/**
 * Interest weights below this are dropped from a stored history: they have halved over 330 times
 * (about 19 years without a newer event), and DynamoDB refuses numbers smaller than 1e-130.
 */
export const NEGLIGIBLE_INTEREST = 1e-100;
/**
 * Characters of item ids a history keeps to tell a returning item from a new one; beyond it (a user
 * with thousands of distinct items) later items are counted as new, so distinctItems may over-count.
 */
const TRACKED_ITEM_CHARS = 64_000;

/** Everything the features need from a user's events before `cut`, as plain data (storable as JSON). */
export interface ProfileHistory {
  userId: string;
  /** Epoch ms, the start of a UTC day: the history holds every event before it, none after. */
  cut: number;
  /** The activity tally, with the distinct items as ids (up to TRACKED_ITEM_CHARS characters in all). */
  activity: Omit<ActivityTally, 'distinctItems'> & { itemIds: string[] };
  rhythm: RhythmTally;
  /** The intensity tally with its day closed (no day or hour state) and gap bucket -> number of gaps. */
  intensity: Omit<
    IntensityTally,
    'day' | 'dayItems' | 'dayHours' | 'dayPlaySeconds' | 'hour' | 'hourEvents' | 'gapBuckets'
  > & {
    gapBuckets: Record<string, number>;
  };
  /** Interest decayed to `cut`. */
  interests: {
    genres: Record<string, number>;
    tags: Record<string, number>;
    topItems: Record<string, number>;
  };
}

/** The start of the UTC day of `time` (epoch ms): where the retrain cuts histories. */
export function historyCutOf(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}

/** The history of one user's events before `cut` (`sorted` in time order, none at or after `cut`). */
export function historyOf(
  userId: string,
  sorted: readonly InteractionEvent[],
  itemsById: ReadonlyMap<string, Item>,
  cut: number,
): ProfileHistory {
  const { activity, rhythm, intensity, interests } = foldEvents(emptyTally(cut), sorted);
  // The next event is on a later day and hour: close the day now, and no day or hour state is kept.
  closeDay(intensity);
  const { genres, tags } = creditItems(interests, itemsById);
  const itemIds: string[] = [];
  let chars = 0;
  for (const id of activity.distinctItems) {
    if (chars + id.length > TRACKED_ITEM_CHARS) break;
    itemIds.push(id);
    chars += id.length;
  }
  const { distinctItems, untrackedItems, ...counts } = activity;
  const {
    day: _day,
    dayItems: _dayItems,
    dayHours: _dayHours,
    dayPlaySeconds: _dayPlaySeconds,
    hour: _hour,
    hourEvents: _hourEvents,
    gapBuckets,
    ...peaks
  } = intensity;
  return {
    userId,
    cut,
    activity: {
      ...counts,
      eventCounts: { ...activity.eventCounts },
      itemIds,
      untrackedItems: distinctItems.size + untrackedItems - itemIds.length,
    },
    rhythm: { hourCounts: [...rhythm.hourCounts], dayCounts: [...rhythm.dayCounts] },
    intensity: { ...peaks, gapBuckets: Object.fromEntries(gapBuckets) },
    interests: {
      genres: heaviest(genres, CARRIED_NAMES),
      tags: heaviest(tags, CARRIED_NAMES),
      topItems: heaviest(new Map([...interests.itemWeights].filter(([, w]) => w > 0)), CARRIED_ITEMS),
    },
  };
}

/** The history of every user with events before `cut` (`byUser` lists in time order), one at a time. */
export function* historiesAt(
  byUser: ReadonlyMap<string, readonly InteractionEvent[]>,
  itemsById: ReadonlyMap<string, Item>,
  cut: number,
): Generator<ProfileHistory> {
  for (const [userId, events] of byUser) {
    const end = upperBound(events, cut);
    if (end > 0) yield historyOf(userId, events.slice(0, end), itemsById, cut);
  }
}

/** A tally holding `history`, with its interest decayed on to `asOf` (epoch ms, after the cut). */
export function restoreTally(history: ProfileHistory, asOf: number): FeatureTally {
  const tally = emptyTally(asOf);
  const { activity, intensity, interests } = history;
  const { itemIds, untrackedItems, eventCounts, ...counts } = activity;
  tally.activity = {
    ...counts,
    eventCounts: { ...tally.activity.eventCounts, ...eventCounts },
    distinctItems: new Set(itemIds),
    untrackedItems,
  };
  tally.rhythm = { hourCounts: [...history.rhythm.hourCounts], dayCounts: [...history.rhythm.dayCounts] };
  const { gapBuckets, ...peaks } = intensity;
  tally.intensity = {
    ...tally.intensity,
    ...peaks,
    gapBuckets: new Map(Object.entries(gapBuckets).map(([bucket, n]) => [Number(bucket), n])),
  };
  const decay = 0.5 ** ((asOf - history.cut) / DAY_MS / INTEREST_HALF_LIFE_DAYS);
  const decayed = (weights: Record<string, number>) =>
    new Map(Object.entries(weights).map(([name, w]) => [name, w * decay]));
  tally.interests.creditedGenres = decayed(interests.genres);
  tally.interests.creditedTags = decayed(interests.tags);
  tally.interests.carriedItems = decayed(interests.topItems);
  return tally;
}

/**
 * Features at `asOf` from a stored history (or none: the whole history is in `events`) and the events
 * read after it. `events` must hold every event since the cut and those of the RECENT_WINDOW_MS before
 * `asOf`; events before the cut are used only for the recent-window counts.
 */
export function featuresFromHistory(
  userId: string,
  history: ProfileHistory | undefined,
  events: readonly InteractionEvent[],
  itemsById: ReadonlyMap<string, Item>,
  asOf: number,
  attributes?: UserAttributes,
): ProfileFeatures {
  const sorted = sortedBefore(events, asOf);
  const tally = history ? restoreTally(history, asOf) : emptyTally(asOf);
  foldEvents(tally, history ? sorted.slice(upperBound(sorted, history.cut)) : sorted);
  return featuresOfTally(userId, tally, itemsById, asOf, { recent: recentCounts(sorted, asOf), attributes });
}

/** The `limit` heaviest entries by absolute weight, as a record; negligible ones are left out. */
function heaviest(weights: ReadonlyMap<string, number>, limit: number): Record<string, number> {
  return Object.fromEntries(
    [...weights]
      .filter(([, w]) => Math.abs(w) >= NEGLIGIBLE_INTEREST)
      .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit),
  );
}

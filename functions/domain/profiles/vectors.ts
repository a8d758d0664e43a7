/**
 * Numeric vectors the three profile models read. Each encoder is named and versioned by its column
 * list, which travels in the model metadata so serving encodes exactly as training did.
 */
import type { SpendTier } from './feature-tally.ts';
import type { ProfileFeatures } from './features.ts';

const SPEND_LEVEL: Record<SpendTier, number> = { none: 0, low: 1, medium: 2, high: 3 };

/** Columns of the anomaly vector: intensity signals, log-scaled so a bot's extremes stay finite. */
export const ANOMALY_COLUMNS = [
  'log_max_distinct_items_per_day',
  'log_max_events_per_hour',
  'max_active_hours_per_day',
  'log_max_play_hours_per_day',
  'impossible_watch_share',
  'log_events_per_active_day',
  'log_median_gap_seconds',
] as const;

/** Anomaly-model input for one profile. */
export function anomalyVector(f: ProfileFeatures): number[] {
  return [
    Math.log1p(f.intensity.maxDistinctItemsPerDay),
    Math.log1p(f.intensity.maxEventsPerHour),
    f.intensity.maxActiveHoursPerDay,
    Math.log1p(f.intensity.maxPlaySecondsPerDay / 3600),
    f.intensity.impossibleWatchShare,
    Math.log1p(f.activity.eventsPerActiveDay),
    Math.log1p(f.intensity.medianGapSeconds),
  ];
}

/** Columns of the churn vector: recency, frequency, trend and engagement at the cut-off. */
export const CHURN_COLUMNS = [
  'log_recency_days',
  'log_active_days',
  'log_total_events',
  'log_events_last_7_days',
  'log_events_previous_21_days',
  'recent_share',
  'active_days_per_week',
  'completion_rate',
  'log_tenure_days',
  'log_sessions',
  'spend_level',
  'like_share',
] as const;

/** Churn-model input for one profile. */
export function churnVector(f: ProfileFeatures): number[] {
  const a = f.activity;
  const recentAndPrevious = a.eventsLast7Days + a.eventsPrevious21Days;
  return [
    Math.log1p(a.recencyDays ?? 60),
    Math.log1p(a.activeDays),
    Math.log1p(a.totalEvents),
    Math.log1p(a.eventsLast7Days),
    Math.log1p(a.eventsPrevious21Days),
    recentAndPrevious > 0 ? a.eventsLast7Days / recentAndPrevious : 0,
    a.activeDaysPerWeek,
    a.completionRate,
    Math.log1p(a.tenureDays),
    Math.log1p(a.sessions),
    SPEND_LEVEL[f.spend.tier],
    a.totalEvents > 0 ? (a.eventCounts.like + a.eventCounts.complete) / a.totalEvents : 0,
  ];
}

/** Rhythm and engagement columns of the segment vector; genre columns follow, one per vocabulary genre. */
export const SEGMENT_BASE_COLUMNS = [
  'morning_share',
  'afternoon_share',
  'evening_share',
  'late_night_share',
  'weekend_share',
  'log_events_per_active_day',
  'active_days_per_week',
  'completion_rate',
  'spend_level',
] as const;

/** Segment column names for a genre vocabulary. */
export function segmentColumns(genres: readonly string[]): string[] {
  return [...SEGMENT_BASE_COLUMNS, ...genres.map((g) => `genre:${g}`)];
}

/** Segment-model input for one profile; `genres` is the vocabulary fixed at training. */
export function segmentVector(f: ProfileFeatures, genres: readonly string[]): number[] {
  const h = f.rhythm.hourShares;
  const sum = (from: number, to: number): number => {
    let s = 0;
    for (let i = from; i < to; i++) s += h[i];
    return s;
  };
  const genreWeight = new Map(f.interests.genres.map((g) => [g.name, g.weight]));
  return [
    sum(5, 12),
    sum(12, 17),
    sum(17, 22),
    f.rhythm.lateNightShare,
    f.rhythm.weekendShare,
    Math.log1p(f.activity.eventsPerActiveDay),
    f.activity.activeDaysPerWeek,
    f.activity.completionRate,
    SPEND_LEVEL[f.spend.tier],
    ...genres.map((g) => genreWeight.get(g) ?? 0),
  ];
}

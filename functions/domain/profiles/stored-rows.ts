/**
 * When a user's stored rows are worth a write: the profile read and both retrain paths decide here.
 *
 * A retrain computes every user's summary and history, but most of them are what is already stored:
 * a history changes only when the user had events since its cut, and a summary only when an answer
 * moved past what a reader would notice. Writes cost ten times reads in DynamoDB (per unit, and a
 * unit holds 1 KB against 4 KB), so the retrains read what is stored and write only what differs.
 */
import { DAY_MS } from './feature-tally.ts';
import type { StoredProfileSummary } from './ports.ts';
import type { ProfileHistory } from './profile-history.ts';

/**
 * How long a stored history lives after its cut (DynamoDB TTL; readers ignore an expired one). A user with no new events keeps theirs, so it outlives many nightly runs; an expired or
 * missing one is written again by the next retrain, so a deleted user's tally does not linger.
 */
export const HISTORY_LIFETIME_DAYS = 35;
/**
 * A history this close to expiring is rewritten even if unchanged, so an idle user's history is
 * renewed before it expires (about once every four weeks) and reads never fall back to every event.
 */
export const HISTORY_RENEW_DAYS = 7;

/** What a retrain needs to know of a stored history to decide whether to replace it. */
export interface HistoryStamp {
  cut: number;
  /** The user's events the history holds (its tally's totalEvents). */
  totalEvents: number;
  /** Epoch ms the row expires at. */
  expiresAt: number;
}

/** Epoch ms a history cut at `cut` expires at. */
export const historyExpiryOf = (cut: number): number => cut + HISTORY_LIFETIME_DAYS * DAY_MS;

/**
 * Whether the stored history still holds everything `next` (computed at a later or equal cut) does:
 * no event arrived between the two cuts and none was added before the old one (a backfill), which the
 * event count shows, and the stored row is not about to expire. A read continues a history from its
 * own cut, so an older cut with the same events gives the same features.
 */
export function historyIsCurrent(
  stamp: HistoryStamp | undefined,
  next: ProfileHistory,
  now: number,
): boolean {
  return (
    stamp !== undefined &&
    stamp.cut <= next.cut &&
    stamp.totalEvents === next.activity.totalEvents &&
    stamp.expiresAt - now > HISTORY_RENEW_DAYS * DAY_MS
  );
}

/** Anomaly scores closer than this to the stored one are not rewritten. */
const ANOMALY_SCORE_TOLERANCE = 0.05;
/** Churn probabilities closer than this to the stored one are not rewritten (recency drifts it daily). */
const CHURN_TOLERANCE = 0.1;

/**
 * Whether `next` differs from the stored summary enough to write it: another segment, flag,
 * confidence or shilling answer, or a score past its tolerance (a segment's label alone is not: it is
 * the live model's, which listings answer with). The profile read also rewrites a row scored by other
 * model versions (`versionsMatter`), so reading a user refreshes their row; a retrain does not, or it
 * would rewrite every user each time it publishes (segment ids keep their meaning across versions,
 * see alignSegments).
 */
export function summaryChanged(
  stored: StoredProfileSummary | undefined,
  next: StoredProfileSummary,
  options: { versionsMatter: boolean },
): boolean {
  if (!stored) return true;
  return (
    stored.segmentId !== next.segmentId ||
    stored.flagged !== next.flagged ||
    stored.lowConfidence !== next.lowConfidence ||
    !sameShilling(stored, next) ||
    Math.abs((stored.anomalyScore ?? 0) - (next.anomalyScore ?? 0)) > ANOMALY_SCORE_TOLERANCE ||
    Math.abs((stored.churnProbability ?? 0) - (next.churnProbability ?? 0)) > CHURN_TOLERANCE ||
    (options.versionsMatter && !sameVersions(stored.modelVersions, next.modelVersions))
  );
}

/** The same shilling verdict, whichever model version gave it (scores within the anomaly tolerance). */
function sameShilling(a: StoredProfileSummary, b: StoredProfileSummary): boolean {
  if (!a.shilling || !b.shilling) return !a.shilling === !b.shilling;
  return (
    a.shilling.flagged === b.shilling.flagged &&
    a.shilling.reason === b.shilling.reason &&
    a.shilling.pushedItemId === b.shilling.pushedItemId &&
    (a.shilling.score === undefined) === (b.shilling.score === undefined) &&
    Math.abs((a.shilling.score ?? 0) - (b.shilling.score ?? 0)) <= ANOMALY_SCORE_TOLERANCE
  );
}

/** Whether two sets of profile model versions are the same. */
export function sameVersions(
  a: StoredProfileSummary['modelVersions'],
  b: StoredProfileSummary['modelVersions'],
): boolean {
  return a.segments === b.segments && a.anomaly === b.anomaly && a.churn === b.churn;
}

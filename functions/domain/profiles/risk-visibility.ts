/**
 * Risk scores (anomaly, churn, shilling) are for the platform's operators: a profile or segment listing
 * read without admin rights carries none of them. The one place that says which fields those are.
 */
import type { StoredProfileSummary } from './ports.ts';
import type { AudienceProfile } from './scoring.ts';

/** The profile with its anomaly and churn answers withheld (null, as for a user no model scored). */
export const withoutRiskScores = (profile: AudienceProfile): AudienceProfile => ({
  ...profile,
  anomaly: null,
  churn: null,
  shilling: null,
});

/** A segment member's summary without its anomaly score, flag and churn probability. */
export function summaryWithoutRiskScores<S extends StoredProfileSummary>(
  summary: S,
): Omit<S, 'anomalyScore' | 'flagged' | 'churnProbability' | 'shilling'> {
  const {
    anomalyScore: _score,
    flagged: _flagged,
    churnProbability: _churn,
    shilling: _shilling,
    ...rest
  } = summary;
  return rest;
}

/**
 * Whether a newly trained profile model may replace the live one: absolute floors, and no regression
 * beyond a tolerance against the live version's own measurement.
 */
import type { ProfileMetrics } from './train.ts';

export interface GateDecision {
  promote: boolean;
  /** Why it was (not) promoted, one line per check. */
  reasons: string[];
}

export const PROFILE_GATE = {
  /** Churn ROC-AUC on the held-out window must reach this… */
  minChurnAuc: 0.6,
  /** …and not fall more than this below the live model's. */
  maxChurnAucDrop: 0.02,
  /** Fewer held-out rows than this cannot judge churn; such a model is not promoted over a live one. */
  minChurnTestRows: 50,
  /** Segments must be separated at least this well (silhouette). */
  minSilhouette: 0.02,
  /** The anomaly flag may not fire on more than this share of users. */
  maxFlaggedShare: 0.05,
};

/** Decision per profile model from the candidate's metrics and the live versions' metrics. */
export function gateProfileModels(
  candidate: ProfileMetrics,
  live: {
    segments?: Record<string, unknown>;
    anomaly?: Record<string, unknown>;
    churn?: Record<string, unknown>;
  },
  gate = PROFILE_GATE,
): { segments: GateDecision; anomaly: GateDecision; churn: GateDecision } {
  const segments =
    candidate.segments.silhouette >= gate.minSilhouette
      ? pass(`silhouette ${fixed(candidate.segments.silhouette)} >= ${gate.minSilhouette}`)
      : fail(`silhouette ${fixed(candidate.segments.silhouette)} < ${gate.minSilhouette}`);
  const anomaly =
    candidate.anomaly.flaggedShare <= gate.maxFlaggedShare
      ? pass(`flags ${fixed(candidate.anomaly.flaggedShare)} of users <= ${gate.maxFlaggedShare}`)
      : fail(`flags ${fixed(candidate.anomaly.flaggedShare)} of users > ${gate.maxFlaggedShare}`);
  const churn = gateChurn(candidate.churn, live.churn, gate);
  return { segments, anomaly, churn };
}

function gateChurn(
  candidate: ProfileMetrics['churn'],
  live: Record<string, unknown> | undefined,
  gate: typeof PROFILE_GATE,
): GateDecision {
  const liveAuc = typeof live?.auc === 'number' ? live.auc : undefined;
  if (!(candidate.testRows >= gate.minChurnTestRows) || !Number.isFinite(candidate.auc)) {
    return liveAuc === undefined
      ? pass(`only ${candidate.testRows} held-out rows; promoted because nothing is live yet`)
      : fail(`only ${candidate.testRows} held-out rows (< ${gate.minChurnTestRows}); keeping the live model`);
  }
  if (candidate.auc < gate.minChurnAuc)
    return fail(`churn ROC-AUC ${fixed(candidate.auc)} < ${gate.minChurnAuc}`);
  if (liveAuc !== undefined && candidate.auc < liveAuc - gate.maxChurnAucDrop) {
    return fail(
      `churn ROC-AUC ${fixed(candidate.auc)} is more than ${gate.maxChurnAucDrop} below live ${fixed(liveAuc)}`,
    );
  }
  return pass(
    `churn ROC-AUC ${fixed(candidate.auc)}${liveAuc === undefined ? '' : ` (live ${fixed(liveAuc)})`}`,
  );
}

const pass = (reason: string): GateDecision => ({ promote: true, reasons: [reason] });
const fail = (reason: string): GateDecision => ({ promote: false, reasons: [reason] });
const fixed = (v: number): string => v.toFixed(4);

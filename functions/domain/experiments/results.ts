/**
 * An experiment's results from its counters: per variant the volumes, click-through and play rate
 * per impression (users as the independent units) and per user, the lift of plays per impression
 * against the control with its always-valid interval, a verdict, and the traffic-split check.
 */
import { type Experiment, type ExperimentStatus, plannedUsersOf } from './experiment.ts';
import {
  alwaysValidInterval,
  type Interval,
  normalInterval,
  plannedMixtureVariance,
  ratioEstimate,
  sampleRatioMismatch,
  wilsonInterval,
} from './statistics.ts';

/**
 * One variant's aggregates, as the counting keeps them: totals, how many users clicked or played
 * at all, and the per-user sums of squares and products the delta method needs. No user id.
 */
export interface VariantCounters {
  variant: string;
  users: number;
  impressions: number;
  clicks: number;
  plays: number;
  usersClicked: number;
  usersPlayed: number;
  /** Σ over users of impressions², clicks², plays², clicks·impressions, plays·impressions. */
  impressionsSquared: number;
  clicksSquared: number;
  playsSquared: number;
  clicksImpressions: number;
  playsImpressions: number;
}

export const emptyCounters = (variant: string): VariantCounters => ({
  variant,
  users: 0,
  impressions: 0,
  clicks: 0,
  plays: 0,
  usersClicked: 0,
  usersPlayed: 0,
  impressionsSquared: 0,
  clicksSquared: 0,
  playsSquared: 0,
  clicksImpressions: 0,
  playsImpressions: 0,
});

export interface Estimate {
  value: number | null;
  /** 95% interval; null when there is not enough data. */
  interval: Interval | null;
}

export interface VariantResult {
  name: string;
  model: string;
  weight: number;
  users: number;
  impressions: number;
  clicks: number;
  plays: number;
  clickThroughRate: Estimate;
  playRate: Estimate;
  usersClickedRate: Estimate;
  usersPlayedRate: Estimate;
  /** Relative lift of plays per impression against the control (treatments only), always-valid 95%. */
  lift?: Estimate;
}

export type Verdict = 'control' | 'treatment' | 'not yet';

export interface ExperimentResults {
  experimentId: string;
  status: ExperimentStatus;
  control: string;
  primaryMetric: 'playRate';
  method: string;
  variants: VariantResult[];
  verdict: Verdict;
  /** The treatment that won, when the verdict is `treatment`. */
  winner?: string;
  sampleRatio: { chiSquare: number; pValue: number; mismatch: boolean };
}

/** How the lift and verdict are computed, for the `method` field; `plannedUsers` tunes the mixture. */
export const methodOf = (plannedUsers: number): string =>
  `always-valid 95% confidence sequence (normal-mixture mSPRT, Johari et al. 2017) on the log ratio of plays per impression, delta-method variance over users; mixture tightest at ${plannedUsers} planned users (Waudby-Smith et al. 2024)`;

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
const finiteInterval = (i: Interval): Interval | null =>
  Number.isFinite(i.low) && Number.isFinite(i.high) ? i : null;

function perImpression(c: VariantCounters, metric: 'clicks' | 'plays') {
  return ratioEstimate({
    users: c.users,
    x: c[metric],
    y: c.impressions,
    xx: metric === 'clicks' ? c.clicksSquared : c.playsSquared,
    yy: c.impressionsSquared,
    xy: metric === 'clicks' ? c.clicksImpressions : c.playsImpressions,
  });
}

function rateEstimate(c: VariantCounters, metric: 'clicks' | 'plays'): Estimate {
  const { estimate, standardError } = perImpression(c, metric);
  return { value: finite(estimate), interval: finiteInterval(normalInterval(estimate, standardError)) };
}

const userShare = (successes: number, users: number): Estimate => ({
  value: users > 0 ? successes / users : null,
  interval: users > 0 ? wilsonInterval(successes, users) : null,
});

/**
 * The log-ratio of plays per impression, treatment over control, and its always-valid interval,
 * with the mixture tuned to `plannedUsers` (the two variants' users together).
 */
export function liftOf(
  treatment: VariantCounters,
  control: VariantCounters,
  plannedUsers: number,
): { lift: Estimate; logInterval: Interval } {
  const t = perImpression(treatment, 'plays');
  const c = perImpression(control, 'plays');
  const logRatio = Math.log(t.estimate) - Math.log(c.estimate);
  const variance = (t.standardError / t.estimate) ** 2 + (c.standardError / c.estimate) ** 2;
  const tau2 = plannedMixtureVariance(variance, treatment.users + control.users, plannedUsers);
  const logInterval = alwaysValidInterval(logRatio, variance, 0.05, tau2);
  const interval = { low: Math.expm1(logInterval.low), high: Math.expm1(logInterval.high) };
  return { lift: { value: finite(Math.expm1(logRatio)), interval: finiteInterval(interval) }, logInterval };
}

/** The results an experiment's counters say, at `status`. */
export function experimentResults(
  experiment: Experiment,
  counters: VariantCounters[],
  status: ExperimentStatus,
): ExperimentResults {
  const byName = new Map(counters.map((c) => [c.variant, c]));
  const [control, ...treatments] = experiment.variants.map(
    (v) => byName.get(v.name) ?? emptyCounters(v.name),
  );
  const plannedUsers = plannedUsersOf(experiment);
  const decided = treatments.map((t) => ({ name: t.variant, ...liftOf(t, control, plannedUsers) }));
  const variants: VariantResult[] = experiment.variants.map((variant, index) => {
    const c = index === 0 ? control : treatments[index - 1];
    return {
      name: variant.name,
      model: variant.model,
      weight: variant.weight,
      users: c.users,
      impressions: c.impressions,
      clicks: c.clicks,
      plays: c.plays,
      clickThroughRate: rateEstimate(c, 'clicks'),
      playRate: rateEstimate(c, 'plays'),
      usersClickedRate: userShare(c.usersClicked, c.users),
      usersPlayedRate: userShare(c.usersPlayed, c.users),
      ...(index > 0 ? { lift: decided[index - 1].lift } : {}),
    };
  });
  const sampleRatio = sampleRatioMismatch(
    [control, ...treatments].map((c) => c.users),
    experiment.variants.map((v) => v.weight),
  );
  const winners = decided
    .filter((d) => d.logInterval.low > 0)
    .sort((a, b) => b.logInterval.low - a.logInterval.low);
  const controlWins = decided.length > 0 && decided.every((d) => d.logInterval.high < 0);
  // A broken split makes every comparison suspect: no verdict until it is explained.
  const verdict: Verdict = sampleRatio.mismatch
    ? 'not yet'
    : winners.length > 0
      ? 'treatment'
      : controlWins
        ? 'control'
        : 'not yet';
  return {
    experimentId: experiment.experimentId,
    status,
    control: control.variant,
    primaryMetric: 'playRate',
    method: methodOf(plannedUsers),
    variants,
    verdict,
    ...(verdict === 'treatment' ? { winner: winners[0].name } : {}),
    sampleRatio,
  };
}

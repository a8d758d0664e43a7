/**
 * The statistics of experiment results, over aggregates only (sums per variant, never per-user
 * rows): Wilson intervals for per-user proportions, the delta method for per-impression rates
 * whose impressions cluster by user, an always-valid confidence sequence for the lift (so looking
 * every day does not inflate false positives), and a chi-square test of the traffic split.
 */

/** The 97.5% standard normal quantile: two-sided 95% intervals. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval of a proportion `successes / n` (95%); [0, 1] when n is 0. */
export function wilsonInterval(successes: number, n: number, z = Z_95): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Per-user sums of a ratio metric x/y (plays per impression): users, the sums of x, y, their
 * squares and their product. Enough for the estimate and its delta-method variance.
 */
export interface RatioSums {
  users: number;
  x: number;
  y: number;
  xx: number;
  yy: number;
  xy: number;
}

/**
 * Sum(x)/Sum(y) and its standard error by the delta method, treating users as the independent
 * units (Deng, Knoblich, Lu 2018, "Applying the Delta Method in Metric Analytics", KDD).
 * The standard error is NaN with fewer than two users or no impressions.
 */
export function ratioEstimate(sums: RatioSums): { estimate: number; standardError: number } {
  const { users: n } = sums;
  if (sums.y === 0) return { estimate: Number.NaN, standardError: Number.NaN };
  const r = sums.x / sums.y;
  if (n < 2) return { estimate: r, standardError: Number.NaN };
  const meanX = sums.x / n;
  const meanY = sums.y / n;
  const varX = (sums.xx - n * meanX * meanX) / (n - 1);
  const varY = (sums.yy - n * meanY * meanY) / (n - 1);
  const covXY = (sums.xy - n * meanX * meanY) / (n - 1);
  const variance = Math.max(0, varX - 2 * r * covXY + r * r * varY) / (n * meanY * meanY);
  return { estimate: r, standardError: Math.sqrt(variance) };
}

/** estimate ± z·se. */
export const normalInterval = (estimate: number, standardError: number, z = Z_95): Interval => ({
  low: estimate - z * standardError,
  high: estimate + z * standardError,
});

/**
 * The mixture variance τ² that makes the always-valid interval narrowest when `plannedUsers` users
 * have been seen, for an estimate whose variance is `variance` at `users` users (variance ∝ 1/users).
 * The interval's half-width² is V (1 + r)/r · (2 ln(1/α) + ln(1 + r)) with r = τ²/V; it is smallest
 * near r = 2 ln(1/α) + ln(1 + 2 ln(1/α)) (≈ 7.9 at α = 5%), so τ² = σ² ρ² with σ² = V · users the
 * per-user variance and ρ² = (2 ln(1/α) + ln(1 + 2 ln(1/α))) / plannedUsers: Waudby-Smith, Arbour,
 * Sinha, Kennedy and Ramdas, "Time-uniform central limit theory and asymptotic confidence sequences"
 * (Annals of Statistics, 2024), the rule GrowthBook's sequential testing uses. The mixture is fixed
 * by the plan, never by the effect seen; the width is flat near the optimum (1.27x the narrowest at a
 * tenth of the plan, 1.07x at ten times it), so a rough plan costs little.
 */
export function plannedMixtureVariance(
  variance: number,
  users: number,
  plannedUsers: number,
  alpha = 0.05,
): number {
  const twoLogInverseAlpha = 2 * Math.log(1 / alpha);
  const rho2 = (twoLogInverseAlpha + Math.log(1 + twoLogInverseAlpha)) / plannedUsers;
  return variance * users * rho2;
}

/**
 * The always-valid (1 - alpha) confidence sequence of an effect θ whose estimate is approximately
 * N(θ, variance): the normal-mixture sequential probability ratio test (mSPRT) of Johari, Koomen,
 * Pekelis and Walsh, "Peeking at A/B Tests" (KDD 2017; Operations Research 2022), inverted.
 * With mixture N(0, τ²) (`tau2` = τ²) the likelihood ratio against θ0 is
 *   Λ = sqrt(V / (V + τ²)) · exp(τ² (θ̂ - θ0)² / (2 V (V + τ²))),
 * and {θ0 : Λ < 1/alpha} is θ̂ ± sqrt(V (V + τ²) / τ² · (2 ln(1/alpha) + ln((V + τ²) / V))).
 * The probability that it ever excludes the true θ, over all looks, is at most alpha.
 */
export function alwaysValidInterval(
  estimate: number,
  variance: number,
  alpha: number,
  tau2: number,
): Interval {
  if (!(variance > 0) || !(tau2 > 0) || !Number.isFinite(estimate))
    return { low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY };
  const half = Math.sqrt(
    ((variance * (variance + tau2)) / tau2) *
      (2 * Math.log(1 / alpha) + Math.log((variance + tau2) / variance)),
  );
  return { low: estimate - half, high: estimate + half };
}

/** The mixture likelihood ratio Λ of θ̂ against θ0 = 0 (reject when ≥ 1/alpha). */
export function mixtureLikelihoodRatio(estimate: number, variance: number, tau2: number): number {
  return (
    Math.sqrt(variance / (variance + tau2)) *
    Math.exp((tau2 * estimate * estimate) / (2 * variance * (variance + tau2)))
  );
}

/** ln Γ(x), Lanczos approximation (g = 7, n = 9), for x > 0. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const xm = x - 1;
  let a = c[0];
  const t = xm + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (xm + i);
  return 0.5 * Math.log(2 * Math.PI) + (xm + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Q(a, x) = Γ(a, x) / Γ(a): the regularized upper incomplete gamma function. */
function upperRegularizedGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    // The series of P(a, x), then Q = 1 - P.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 500 && Math.abs(term) > Math.abs(sum) * 1e-15; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.max(0, 1 - sum * front);
  }
  // Lentz's continued fraction of Q(a, x).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return front * h;
}

/** P(X ≥ x) for X chi-square with `df` degrees of freedom. */
export const chiSquareSurvival = (x: number, df: number): number => upperRegularizedGamma(df / 2, x / 2);

/**
 * A p-value this small on the traffic split means assignment or logging is broken (Fabijan et al.,
 * "Diagnosing Sample Ratio Mismatch in Online Controlled Experiments", KDD 2019, use 0.0005).
 */
export const SRM_P_VALUE = 0.001;

/** Pearson's chi-square test of the users per variant against the configured weights. */
export function sampleRatioMismatch(
  users: readonly number[],
  weights: readonly number[],
): { chiSquare: number; pValue: number; mismatch: boolean } {
  const n = users.reduce((a, b) => a + b, 0);
  const total = weights.reduce((a, b) => a + b, 0);
  let chiSquare = 0;
  let cells = 0;
  users.forEach((observed, i) => {
    const expected = (n * weights[i]) / total;
    if (expected > 0) {
      chiSquare += (observed - expected) ** 2 / expected;
      cells++;
    }
  });
  if (n === 0 || cells < 2) return { chiSquare: 0, pValue: 1, mismatch: false };
  const pValue = chiSquareSurvival(chiSquare, cells - 1);
  return { chiSquare, pValue, mismatch: pValue < SRM_P_VALUE };
}

/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS) on standardised columns,
 * then folded back to raw-column coefficients so serving needs no separate scaling step.
 */
import { fitStandardiser } from './kmeans.ts';

export interface LogisticModel {
  /** Coefficients on the raw (unstandardised) columns. */
  coefficients: number[];
  intercept: number;
}

export interface LogisticOptions {
  /** Inverse regularisation strength, as scikit-learn's C (default 1). */
  c?: number;
  maxIterations?: number;
}

/** Fits P(y=1|x) = σ(w·x + b); `labels` are 0/1. */
export function trainLogisticRegression(
  rows: readonly number[][],
  labels: readonly number[],
  options: LogisticOptions = {},
): LogisticModel {
  const n = rows.length;
  const s = fitStandardiser(rows);
  const d = s.mean.length;
  const x = rows.map((row) => row.map((v, j) => (v - s.mean[j]) / s.scale[j]));
  const lambda = 1 / (options.c ?? 1);
  // Parameters: d weights then the intercept (not regularised).
  const beta = new Array<number>(d + 1).fill(0);
  for (let iteration = 0; iteration < (options.maxIterations ?? 50); iteration++) {
    const gradient = new Array<number>(d + 1).fill(0);
    const hessian = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      let z = beta[d];
      for (let j = 0; j < d; j++) z += beta[j] * xi[j];
      const p = sigmoid(z);
      const residual = p - labels[i];
      const w = Math.max(p * (1 - p), 1e-10);
      for (let j = 0; j <= d; j++) {
        const xj = j < d ? xi[j] : 1;
        gradient[j] += residual * xj;
        const row = hessian[j];
        for (let m = 0; m <= j; m++) row[m] += w * xj * (m < d ? xi[m] : 1);
      }
    }
    for (let j = 0; j <= d; j++) for (let m = 0; m < j; m++) hessian[m][j] = hessian[j][m];
    for (let j = 0; j < d; j++) {
      gradient[j] += lambda * beta[j];
      hessian[j][j] += lambda;
    }
    const step = solveSymmetric(hessian, gradient);
    let change = 0;
    for (let j = 0; j <= d; j++) {
      beta[j] -= step[j];
      change = Math.max(change, Math.abs(step[j]));
    }
    if (change < 1e-8) break;
  }
  const coefficients = beta.slice(0, d).map((w, j) => w / s.scale[j]);
  let intercept = beta[d];
  for (let j = 0; j < d; j++) intercept -= (beta[j] * s.mean[j]) / s.scale[j];
  return { coefficients, intercept };
}

/** P(y=1) for one raw row. */
export function predictLogistic(model: LogisticModel, row: readonly number[]): number {
  let z = model.intercept;
  for (let j = 0; j < row.length; j++) z += model.coefficients[j] * row[j];
  return sigmoid(z);
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Solves A x = b for symmetric positive-definite A by Cholesky decomposition. */
function solveSymmetric(a: number[][], b: number[]): number[] {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i][j];
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j][j];
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i][k] * y[k];
    y[i] = sum / l[i][i];
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= l[k][i] * x[k];
    x[i] = sum / l[i][i];
  }
  return x;
}

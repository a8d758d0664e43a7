/**
 * DynamoDB (and JSON) cannot hold NaN or Infinity, and DynamoDB refuses magnitudes below 1e-130 or
 * from 1e126 ("Number underflow"/"overflow"). Profile writes check their numbers first so a bad figure
 * is refused with the field's name instead of the service's generic error.
 */

/** The smallest non-zero magnitude DynamoDB stores. */
const SMALLEST_STORABLE = 1e-130;
/** The first magnitude DynamoDB refuses as too large. */
const TOO_LARGE = 1e126;

const storable = (n: number) =>
  Number.isFinite(n) && (n === 0 || (Math.abs(n) >= SMALLEST_STORABLE && Math.abs(n) < TOO_LARGE));

/** Paths (e.g. `metrics.auc`) of every number DynamoDB cannot store inside a plain object, array or number. */
export function nonFiniteNumberPaths(value: unknown, path: string): string[] {
  if (typeof value === 'number') return storable(value) ? [] : [`${path} is ${value}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFiniteNumberPaths(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    return Object.entries(value).flatMap(([key, v]) => nonFiniteNumberPaths(v, `${path}.${key}`));
  }
  return [];
}

/** Throws a RangeError naming every number in `value` DynamoDB cannot store (`what` names the record being written). */
export function assertFiniteNumbers(value: unknown, path: string, what: string): void {
  const problems = nonFiniteNumberPaths(value, path);
  if (problems.length > 0) {
    throw new RangeError(
      `refusing to store ${what}: ${problems.join(', ')} (DynamoDB stores 0 and finite magnitudes from 1e-130 to below 1e126)`,
    );
  }
}

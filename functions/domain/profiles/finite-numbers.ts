/**
 * DynamoDB (and JSON) cannot hold NaN or Infinity. Profile writes check their numbers first so a bad
 * figure is refused with the field's name instead of the SDK's generic "NaN is not allowed".
 */

/** Paths (e.g. `metrics.auc`) of every NaN or infinite number inside a plain object, array or number. */
export function nonFiniteNumberPaths(value: unknown, path: string): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path} is ${value}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFiniteNumberPaths(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    return Object.entries(value).flatMap(([key, v]) => nonFiniteNumberPaths(v, `${path}.${key}`));
  }
  return [];
}

/** Throws a RangeError naming every non-finite number in `value` (`what` names the record being written). */
export function assertFiniteNumbers(value: unknown, path: string, what: string): void {
  const problems = nonFiniteNumberPaths(value, path);
  if (problems.length > 0) {
    throw new RangeError(
      `refusing to store ${what}: ${problems.join(', ')} (only finite numbers can be stored)`,
    );
  }
}

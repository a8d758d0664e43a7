/**
 * How closely two trainings agree on the same users: the adjusted Rand index of two segmentations
 * (Hubert and Arabie 1985; 1 = the same partition, about 0 = chance) and Spearman's rank
 * correlation of two score lists (average ranks for ties).
 */

/** Adjusted Rand index of two labelings of the same rows (labels are small non-negative integers). */
export function adjustedRandIndex(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`labelings of ${a.length} and ${b.length} rows`);
  const pairs = (n: number) => (n * (n - 1)) / 2;
  const table = new Map<string, number>();
  const rows = new Map<number, number>();
  const columns = new Map<number, number>();
  a.forEach((x, i) => {
    const key = `${x},${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rows.set(x, (rows.get(x) ?? 0) + 1);
    columns.set(b[i], (columns.get(b[i]) ?? 0) + 1);
  });
  const sum = (counts: Iterable<number>) => [...counts].reduce((s, n) => s + pairs(n), 0);
  const index = sum(table.values());
  const rowPairs = sum(rows.values());
  const columnPairs = sum(columns.values());
  const expected = (rowPairs * columnPairs) / pairs(a.length);
  const maximum = (rowPairs + columnPairs) / 2;
  return maximum === expected ? 1 : (index - expected) / (maximum - expected);
}

/** Ranks 1..n of `values`, ties sharing their average rank. */
function averageRanks(values: readonly number[]): Float64Array {
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end++;
    for (let k = start; k <= end; k++) ranks[order[k]] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return ranks;
}

/** Spearman's rank correlation of two score lists over the same rows, -1..1. */
export function spearmanCorrelation(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`score lists of ${a.length} and ${b.length} rows`);
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const mean = (a.length + 1) / 2;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < a.length; i++) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    va += (ra[i] - mean) ** 2;
    vb += (rb[i] - mean) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}

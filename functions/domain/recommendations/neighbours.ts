/**
 * Sparse item-item neighbour tables: for each item, its top-N related items and weights. Content
 * similarity serves through them, so its artifact stays small (n x N, not n x n); EASE serves its
 * dense weights instead (ease.ts).
 */

export interface NeighbourTable {
  /** Items (columns of the catalog) covered. */
  itemCount: number;
  /** Neighbours kept per item. */
  width: number;
  /** itemCount x width neighbour indices; -1 pads rows with fewer neighbours. */
  indices: Int32Array;
  /** itemCount x width weights (0 where padded). */
  weights: Float32Array;
}

/** Scores every item for a history: sum over history items of weight x neighbour weight. */
export function scoreNeighbours(
  table: NeighbourTable,
  history: ArrayLike<number>,
  historyWeights: ArrayLike<number>,
): Float64Array {
  const scores = new Float64Array(table.itemCount);
  for (let h = 0; h < history.length; h++) {
    const i = history[h];
    if (i < 0 || i >= table.itemCount) continue;
    const w = historyWeights[h];
    const base = i * table.width;
    for (let j = 0; j < table.width; j++) {
      const target = table.indices[base + j];
      if (target < 0) break;
      scores[target] += w * table.weights[base + j];
    }
  }
  return scores;
}

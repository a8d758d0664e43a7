/**
 * Sparse item-item neighbour tables: for each item, its top-N related items and weights. EASE
 * and content similarity both serve through them, so artifacts stay small (n x N, not n x n).
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

/** Keeps, for each row of a dense row-major n x m matrix, the `width` largest positive entries. */
export function sparsifyRows(
  dense: ArrayLike<number>,
  rows: number,
  cols: number,
  width: number,
  columnIndex: (c: number) => number = (c) => c,
  itemCount = cols,
  rowIndex: (r: number) => number = (r) => r,
): NeighbourTable {
  const indices = new Int32Array(itemCount * width).fill(-1);
  const weights = new Float32Array(itemCount * width);
  const candIdx = new Int32Array(cols);
  for (let r = 0; r < rows; r++) {
    let count = 0;
    const base = r * cols;
    for (let c = 0; c < cols; c++) if (dense[base + c] > 0) candIdx[count++] = c;
    const cand = Array.from(candIdx.subarray(0, count));
    cand.sort((a, b) => dense[base + b] - dense[base + a] || a - b);
    const out = rowIndex(r) * width;
    for (let j = 0; j < Math.min(width, cand.length); j++) {
      indices[out + j] = columnIndex(cand[j]);
      weights[out + j] = dense[base + cand[j]];
    }
  }
  return { itemCount, width, indices, weights };
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

/** Artifact size of a table (bytes), indices as int32 and weights as float32. */
export function neighbourTableBytes(table: NeighbourTable): number {
  return table.indices.byteLength + table.weights.byteLength;
}

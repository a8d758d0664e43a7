/** Top-k selection over dense score arrays, the TypeScript reference for the graphs' TopK. */

export interface Ranked {
  index: number;
  score: number;
}

/**
 * The k highest finite scores, best first; ties broken by lower index (as onnxruntime's TopK).
 * Entries whose score is -Infinity (excluded) are never returned.
 */
export function topK(scores: ArrayLike<number>, k: number): Ranked[] {
  // A small binary min-heap of size k: O(n log k).
  const heapIdx = new Int32Array(k);
  const heapVal = new Float64Array(k);
  let size = 0;
  const worse = (va: number, ia: number, vb: number, ib: number) => va < vb || (va === vb && ia > ib);
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i];
    if (v === Number.NEGATIVE_INFINITY || Number.isNaN(v)) continue;
    if (size < k) {
      let c = size++;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!worse(v, i, heapVal[parent], heapIdx[parent])) break;
        heapVal[c] = heapVal[parent];
        heapIdx[c] = heapIdx[parent];
        c = parent;
      }
      heapVal[c] = v;
      heapIdx[c] = i;
    } else if (k > 0 && worse(heapVal[0], heapIdx[0], v, i)) {
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= size) break;
        const r = l + 1;
        const m = r < size && worse(heapVal[r], heapIdx[r], heapVal[l], heapIdx[l]) ? r : l;
        if (!worse(heapVal[m], heapIdx[m], v, i)) break;
        heapVal[c] = heapVal[m];
        heapIdx[c] = heapIdx[m];
        c = m;
      }
      heapVal[c] = v;
      heapIdx[c] = i;
    }
  }
  const out: Ranked[] = [];
  for (let j = 0; j < size; j++) out.push({ index: heapIdx[j], score: heapVal[j] });
  return out.sort((a, b) => b.score - a.score || a.index - b.index);
}

/**
 * Content-based similarity: TF-IDF over each item's title, description, genres and tags, cosine
 * similarity between whole items, top-N neighbours kept per item. Needs no interactions, so it
 * serves similar-items and new items nobody has touched yet.
 */
import type { Item } from '#domain/catalog/types.ts';
import type { NeighbourTable } from './neighbours.ts';
import { topK } from './top-k.ts';

export interface ContentOptions {
  /** Neighbours kept per item. */
  neighbours: number;
  /** Field weights: a genre or tag says more than a title word. */
  fieldWeights: { title: number; description: number; genre: number; tag: number };
}

export const DEFAULT_CONTENT_OPTIONS: ContentOptions = {
  neighbours: 50,
  fieldWeights: { title: 1, description: 0.5, genre: 2, tag: 1.5 },
};

export interface ContentModel {
  kind: 'content';
  options: ContentOptions;
  itemIds: string[];
  table: NeighbourTable;
}

const STOP_WORDS = new Set(
  'a an and of the in on to for with is it at by from or as la le el de les'.split(' '),
);

/** Lower-case word tokens; drops a trailing `(1995)` year and stop words. */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/\(\d{4}\)\s*$/, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 1 && !STOP_WORDS.has(t));
}

/** Weighted term counts of one item; genres and tags are whole-phrase terms with a prefix. */
export function itemTerms(item: Item, weights: ContentOptions['fieldWeights']): Map<string, number> {
  const terms = new Map<string, number>();
  const add = (term: string, w: number) => terms.set(term, (terms.get(term) ?? 0) + w);
  for (const t of tokenize(item.title)) add(`w:${t}`, weights.title);
  for (const t of tokenize(item.description ?? '')) add(`w:${t}`, weights.description);
  for (const g of item.genres) add(`g:${g.toLowerCase()}`, weights.genre);
  for (const tag of item.tags) {
    add(`t:${tag.toLowerCase()}`, weights.tag);
    for (const t of tokenize(tag)) add(`w:${t}`, weights.tag / 2);
  }
  return terms;
}

/** Trains the TF-IDF neighbour table over `items`, in `itemIds` order (items missing there are ignored). */
export function trainContent(
  items: readonly Item[],
  itemIds: readonly string[],
  options: ContentOptions = DEFAULT_CONTENT_OPTIONS,
): ContentModel {
  const position = new Map(itemIds.map((id, i) => [id, i]));
  const n = itemIds.length;
  const vectors: Map<string, number>[] = Array.from({ length: n }, () => new Map());
  for (const item of items) {
    const i = position.get(item.itemId);
    if (i !== undefined) vectors[i] = itemTerms(item, options.fieldWeights);
  }
  const documentFrequency = new Map<string, number>();
  for (const v of vectors)
    for (const term of v.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  // Term ids and per-item L2-normalised TF-IDF rows, as typed arrays (CSR).
  const termId = new Map<string, number>();
  for (const term of documentFrequency.keys()) termId.set(term, termId.size);
  const rowPtr = new Int32Array(n + 1);
  vectors.forEach((v, i) => {
    rowPtr[i + 1] = rowPtr[i] + v.size;
  });
  const rowTerms = new Int32Array(rowPtr[n]);
  const rowWeights = new Float32Array(rowPtr[n]);
  vectors.forEach((v, i) => {
    let p = rowPtr[i];
    let norm = 0;
    for (const [term, tf] of v) {
      const w = (1 + Math.log(tf)) * Math.log((1 + n) / (1 + (documentFrequency.get(term) ?? 0)));
      rowTerms[p] = termId.get(term)!;
      rowWeights[p++] = w;
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (let q = rowPtr[i]; q < rowPtr[i + 1]; q++) rowWeights[q] /= norm;
  });
  // Inverted index (term -> items), CSR as well.
  const termCount = termId.size;
  const postPtr = new Int32Array(termCount + 1);
  for (const t of rowTerms) postPtr[t + 1]++;
  for (let t = 0; t < termCount; t++) postPtr[t + 1] += postPtr[t];
  const fill = postPtr.slice(0, termCount);
  const postItems = new Int32Array(rowTerms.length);
  const postWeights = new Float32Array(rowTerms.length);
  for (let i = 0; i < n; i++) {
    for (let q = rowPtr[i]; q < rowPtr[i + 1]; q++) {
      const slot = fill[rowTerms[q]]++;
      postItems[slot] = i;
      postWeights[slot] = rowWeights[q];
    }
  }
  const maxPostings = Math.max(2, Math.floor(n / 2));
  const width = options.neighbours;
  const indices = new Int32Array(n * width).fill(-1);
  const weights = new Float32Array(n * width);
  const acc = new Float64Array(n);
  const touched = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let q = rowPtr[i]; q < rowPtr[i + 1]; q++) {
      const t = rowTerms[q];
      const w = rowWeights[q];
      // A term in most items says little (idf near 0) and costs O(n) per item: skip it.
      if (postPtr[t + 1] - postPtr[t] > maxPostings) continue;
      for (let p = postPtr[t]; p < postPtr[t + 1]; p++) {
        const other = postItems[p];
        if (other === i) continue;
        if (acc[other] === 0) touched[count++] = other;
        acc[other] += w * postWeights[p];
      }
    }
    const ranked = topTouched(acc, touched, count, width);
    for (let j = 0; j < ranked.length; j++) {
      indices[i * width + j] = ranked[j];
      weights[i * width + j] = acc[ranked[j]];
    }
    for (let c = 0; c < count; c++) acc[touched[c]] = 0;
  }
  return {
    kind: 'content',
    options,
    itemIds: [...itemIds],
    table: { itemCount: n, width, indices, weights },
  };
}

/** The `width` touched items with the highest accumulated score, best first (ties: lower index). */
function topTouched(acc: Float64Array, touched: Int32Array, count: number, width: number): number[] {
  const scores = new Float64Array(count);
  for (let c = 0; c < count; c++) scores[c] = acc[touched[c]];
  return topK(scores, width)
    .map((r) => touched[r.index])
    .sort((a, b) => acc[b] - acc[a] || a - b);
}

/**
 * Content-based similarity: TF-IDF over each item's title, description, genres and tags, cosine
 * similarity between whole items, top-N neighbours kept per item. Needs no interactions, so it
 * serves similar-items and new items nobody has touched yet.
 */
import type { Item } from '#domain/catalog/types.ts';
import type { NeighbourTable } from './neighbours.ts';

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
  // Inverted index of L2-normalised TF-IDF weights.
  const postings = new Map<string, { item: number; w: number }[]>();
  vectors.forEach((v, i) => {
    const weighted: [string, number][] = [];
    let norm = 0;
    for (const [term, tf] of v) {
      const w = (1 + Math.log(tf)) * Math.log((1 + n) / (1 + (documentFrequency.get(term) ?? 0)));
      weighted.push([term, w]);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [term, w] of weighted) {
      const list = postings.get(term) ?? [];
      list.push({ item: i, w: w / norm });
      postings.set(term, list);
    }
  });
  const width = options.neighbours;
  const indices = new Int32Array(n * width).fill(-1);
  const weights = new Float32Array(n * width);
  const acc = new Float64Array(n);
  const touched: number[] = [];
  const termsOf: [string, number][][] = Array.from({ length: n }, () => []);
  for (const [term, list] of postings) for (const { item, w } of list) termsOf[item].push([term, w]);
  for (let i = 0; i < n; i++) {
    touched.length = 0;
    for (const [term, w] of termsOf[i]) {
      for (const other of postings.get(term) ?? []) {
        if (other.item === i) continue;
        if (acc[other.item] === 0) touched.push(other.item);
        acc[other.item] += w * other.w;
      }
    }
    touched.sort((a, b) => acc[b] - acc[a] || a - b);
    for (let j = 0; j < Math.min(width, touched.length); j++) {
      indices[i * width + j] = touched[j];
      weights[i * width + j] = acc[touched[j]];
    }
    for (const t of touched) acc[t] = 0;
  }
  return {
    kind: 'content',
    options,
    itemIds: [...itemIds],
    table: { itemCount: n, width, indices, weights },
  };
}

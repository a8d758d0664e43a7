/** The reasons an answer gives per item, each named after what produced the item. */
import type { CatalogSnapshot } from '../artifact.ts';
import type { GraphResult, History } from './scoring.ts';

/** The reason of an item chosen by all-time popularity. */
export const POPULAR_WITH_EVERYONE = 'popular with everyone';

/**
 * "because you watched <title>": the history item that contributed most to result `j` (EASE
 * reports contributions), else the most recent history item sharing a genre with it.
 */
export function personalReason(
  catalog: CatalogSnapshot,
  history: History,
  item: number,
  j: number,
  result: GraphResult,
): string {
  let best = -1;
  if (result.contributions) {
    const k = result.indices.length;
    let top = 0;
    for (let h = 0; h < history.items.length; h++) {
      const c = result.contributions[h * Math.max(k, 1) + j];
      if (c > top) {
        top = c;
        best = history.items[h];
      }
    }
  }
  if (best < 0) {
    // Otherwise: the most recent... history item sharing a genre (history is in aggregation order).
    const genres = new Set(catalog.genres[item]);
    best = history.items.find((h) => catalog.genres[h].some((g) => genres.has(g))) ?? history.items[0];
  }
  return `because you watched ${catalog.titles[best]}`;
}

/**
 * "trending in <genre>": a genre the caller filtered on when the item has one (matched without
 * case, as the filter is), else its first.
 */
export function trendingReason(catalog: CatalogSnapshot, i: number, filtered?: readonly string[]): string {
  const genres = catalog.genres[i];
  const wanted = filtered?.map((g) => g.toLowerCase());
  const genre = genres.find((g) => wanted?.includes(g.toLowerCase())) ?? genres[0];
  return genre ? `trending in ${genre}` : 'trending now';
}

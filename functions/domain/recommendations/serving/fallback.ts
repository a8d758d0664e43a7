/**
 * The fallback: what serving answers before any model exists (a fresh deploy, a first start), or
 * when none can be loaded. It is computed from what is stored, honestly named (`model: 'fallback'`,
 * each reason saying why), and bounded: the most-played items among the newest events of a window
 * (at most `maxEvents`), then the newest items of the catalog, `poolSize` items in all, computed at
 * most once per `ttlMs` per container and shared by every request meanwhile.
 */
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { aggregateEvents, DEFAULT_EVENT_WEIGHTS, type EventWeights } from '../interactions.ts';
import type { ItemFilters, RecommendedItem } from './scoring.ts';

/** Port: the bounded catalog reads the fallback needs (adapter: dynamo-catalog-reads.ts). */
export interface FallbackCatalog {
  /** The newest events, newest first: at most `max`, none older than `since` (epoch ms). */
  newestEvents(since: number, max: number): Promise<InteractionEvent[]>;
  /** The items of these ids that exist. */
  items(ids: string[]): Promise<Item[]>;
  /** The `max` newest items of the catalog, newest first. */
  newestItems(max: number): Promise<Item[]>;
}

/** How a fallback item was chosen; each is said in its reason. */
export type FallbackBasis = 'most played this week' | 'newest in the catalog';

export interface FallbackItem {
  item: Pick<Item, 'itemId' | 'title' | 'genres' | 'playable'>;
  /** Users who played it in the window (0 for an item chosen as newest). */
  plays: number;
  basis: FallbackBasis;
}

/** The fallback's candidates, best first. */
export interface FallbackPool {
  items: FallbackItem[];
}

export const EMPTY_FALLBACK: FallbackPool = { items: [] };

export interface FallbackOptions {
  /** How long a computed pool is reused, ms. */
  ttlMs: number;
  /** Candidates kept. */
  poolSize: number;
  /** Newest events read at most. */
  maxEvents: number;
  /** How far back plays count, ms. */
  windowMs: number;
  eventWeights?: EventWeights;
  now?: () => number;
}

export const DEFAULT_FALLBACK_OPTIONS: FallbackOptions = {
  ttlMs: 60_000,
  poolSize: 500,
  maxEvents: 20_000,
  windowMs: 7 * 86_400_000,
};

/** The fallback pool, computed from the catalog at most once per TTL; concurrent callers share one read. */
export class FallbackRanking {
  private cached?: { pool: FallbackPool; at: number };
  private pending?: Promise<FallbackPool>;
  private readonly options: FallbackOptions;

  constructor(
    private readonly catalog: FallbackCatalog,
    options: Partial<FallbackOptions> = {},
  ) {
    this.options = { ...DEFAULT_FALLBACK_OPTIONS, ...options };
  }

  async pool(): Promise<FallbackPool> {
    const now = (this.options.now ?? Date.now)();
    if (this.cached && now - this.cached.at < this.options.ttlMs) return this.cached.pool;
    this.pending ??= this.compute(now)
      .then((pool) => {
        this.cached = { pool, at: now };
        return pool;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private async compute(now: number): Promise<FallbackPool> {
    const { poolSize, maxEvents, windowMs } = this.options;
    const events = await this.catalog.newestEvents(now - windowMs, maxEvents);
    const plays = new Map<string, number>();
    for (const x of aggregateEvents(events, this.options.eventWeights ?? DEFAULT_EVENT_WEIGHTS)) {
      if (x.weight > 0) plays.set(x.itemId, (plays.get(x.itemId) ?? 0) + 1);
    }
    const top = [...plays].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, poolSize);
    const found = new Map((await this.catalog.items(top.map(([id]) => id))).map((i) => [i.itemId, i]));
    const items: FallbackItem[] = top.flatMap(([id, count]) => {
      const item = found.get(id);
      return item ? [{ item, plays: count, basis: 'most played this week' as const }] : [];
    });
    if (items.length < poolSize) {
      const taken = new Set(items.map((x) => x.item.itemId));
      for (const item of await this.catalog.newestItems(poolSize)) {
        if (items.length >= poolSize) break;
        if (!taken.has(item.itemId)) items.push({ item, plays: 0, basis: 'newest in the catalog' });
      }
    }
    return { items };
  }
}

/** Why the fallback answers, said in every reason. */
export type FallbackCause = 'no model trained yet' | 'no model could be loaded';

/** The pool's best `k` passing `filters`, `exclude`d ids left out, each with its basis and cause. */
export function fallbackItems(
  pool: FallbackPool,
  k: number,
  filters: ItemFilters,
  cause: FallbackCause,
  exclude: ReadonlySet<string> = new Set(),
): RecommendedItem[] {
  const include = filters.genres?.length ? new Set(filters.genres.map((g) => g.toLowerCase())) : undefined;
  const drop = filters.excludeGenres?.length
    ? new Set(filters.excludeGenres.map((g) => g.toLowerCase()))
    : undefined;
  const playable = (item: FallbackItem['item']) =>
    filters.playableIds ? filters.playableIds.has(item.itemId) : item.playable === true;
  const out: RecommendedItem[] = [];
  for (const { item, plays, basis } of pool.items) {
    if (out.length >= k) break;
    const genres = item.genres.map((g) => g.toLowerCase());
    if (exclude.has(item.itemId)) continue;
    if (include && !genres.some((g) => include.has(g))) continue;
    if (drop && genres.some((g) => drop.has(g))) continue;
    if (filters.playableOnly && !playable(item)) continue;
    out.push({ itemId: item.itemId, score: plays, reason: `${basis}; ${cause}` });
  }
  return out;
}

/** The model name and version a fallback answer carries. */
export const FALLBACK_MODEL = { model: 'fallback', version: 'none' } as const;

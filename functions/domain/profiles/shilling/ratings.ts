/**
 * The user x item rating matrix the shilling features read. An explicit rating (`rate`) is used as
 * given (the user's latest for the item); without one, the strongest implicit signal stands for a
 * rating on a 1..5 scale, so a push made of likes or purchases is seen like one made of 5-star ratings.
 */
import type { EventType, InteractionEvent } from '#domain/catalog/types.ts';

/** The rating an implicit signal stands for (a dislike outweighs everything else on the item). */
const IMPLIED_RATING: Record<Exclude<EventType, 'rate' | 'impression'>, number> = {
  like: 5,
  purchase: 5,
  complete: 4.5,
  play: 4,
  view: 3,
  click: 3,
  skip: 2,
  dislike: 1,
};

/** One user's ratings, by item index ascending. */
export interface UserRatings {
  items: Int32Array;
  ratings: Float64Array;
  /** When the user first arrived on each item (epoch ms). */
  arrivals: Float64Array;
}

export interface RatingMatrix {
  userIds: string[];
  itemIds: string[];
  users: UserRatings[];
  /** Per item: its raters (user indices ascending) and their ratings. */
  raters: Int32Array[];
  itemRatings: Float64Array[];
  itemMean: Float64Array;
  /** Sample standard deviation (0 with one rating). */
  itemSd: Float64Array;
  /** Mean and standard deviation of every rating. */
  globalMean: number;
  globalSd: number;
  /** Lowest and highest rating seen: the scale attacks push to and nuke from. */
  scale: { min: number; max: number };
}

interface Cell {
  rating: number;
  explicitAt: number;
  arrival: number;
}

/** Builds the matrix from events (any order); users and items are indexed in order of first appearance. */
export function buildRatingMatrix(events: readonly InteractionEvent[]): RatingMatrix {
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const cells: Map<number, Cell>[] = [];
  for (const event of events) {
    let u = userIndex.get(event.userId);
    if (u === undefined) {
      u = userIndex.size;
      userIndex.set(event.userId, u);
      cells.push(new Map());
    }
    let i = itemIndex.get(event.itemId);
    if (i === undefined) {
      i = itemIndex.size;
      itemIndex.set(event.itemId, i);
    }
    mergeSignal(cells[u], i, event);
  }
  const users = cells.map(toUserRatings);
  return withItemStatistics([...userIndex.keys()], [...itemIndex.keys()], users);
}

function mergeSignal(userCells: Map<number, Cell>, item: number, event: InteractionEvent): void {
  const explicit = event.type === 'rate' && event.value !== undefined && Number.isFinite(event.value);
  // An impression is the platform's doing, not the user's: it implies no rating.
  const implied =
    event.type === 'rate' || event.type === 'impression' ? undefined : IMPLIED_RATING[event.type];
  const cell = userCells.get(item);
  if (!cell) {
    if (!explicit && implied === undefined) return;
    userCells.set(item, {
      rating: explicit ? (event.value as number) : (implied as number),
      explicitAt: explicit ? event.timestamp : Number.NEGATIVE_INFINITY,
      arrival: event.timestamp,
    });
    return;
  }
  cell.arrival = Math.min(cell.arrival, event.timestamp);
  if (explicit) {
    // The latest explicit rating wins over an older one and over any implicit signal.
    if (event.timestamp >= cell.explicitAt) {
      cell.rating = event.value as number;
      cell.explicitAt = event.timestamp;
    }
  } else if (implied !== undefined && cell.explicitAt === Number.NEGATIVE_INFINITY) {
    cell.rating = event.type === 'dislike' || cell.rating === 1 ? 1 : Math.max(cell.rating, implied);
  }
}

function toUserRatings(userCells: Map<number, Cell>): UserRatings {
  const items = Int32Array.from(userCells.keys()).sort();
  return {
    items,
    ratings: Float64Array.from(items, (i) => (userCells.get(i) as Cell).rating),
    arrivals: Float64Array.from(items, (i) => (userCells.get(i) as Cell).arrival),
  };
}

function withItemStatistics(userIds: string[], itemIds: string[], users: UserRatings[]): RatingMatrix {
  const n = itemIds.length;
  const counts = new Int32Array(n);
  for (const u of users) for (const i of u.items) counts[i]++;
  const raters = Array.from(counts, (c) => new Int32Array(c));
  const itemRatings = Array.from(counts, (c) => new Float64Array(c));
  const fill = new Int32Array(n);
  let sum = 0;
  let sumSq = 0;
  let total = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  users.forEach((u, index) => {
    u.items.forEach((i, k) => {
      const r = u.ratings[k];
      raters[i][fill[i]] = index;
      itemRatings[i][fill[i]++] = r;
      sum += r;
      sumSq += r * r;
      total++;
      if (r < min) min = r;
      if (r > max) max = r;
    });
  });
  const itemMean = new Float64Array(n);
  const itemSd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const values = itemRatings[i];
    const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    itemMean[i] = mean;
    itemSd[i] =
      values.length > 1
        ? Math.sqrt(values.reduce((a, r) => a + (r - mean) ** 2, 0) / (values.length - 1))
        : 0;
  }
  const globalMean = total > 0 ? sum / total : 0;
  return {
    userIds,
    itemIds,
    users,
    raters,
    itemRatings,
    itemMean,
    itemSd,
    globalMean,
    globalSd: total > 1 ? Math.sqrt(Math.max(0, sumSq / total - globalMean ** 2)) : 0,
    scale: total > 0 ? { min, max } : { min: 1, max: 5 },
  };
}

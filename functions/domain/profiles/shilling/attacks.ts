/**
 * Profile-injection ("shilling") attacks on a rating log, for measuring the detector: the classic
 * push attacks of Lam and Riedl (2004) and Burke et al. (2005) - random, average, bandwagon and
 * segment - each fake profile rating one target item at the top of the scale plus selected and filler
 * items, and posting with the timing habits of a real user of the log.
 */
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import {
  createRandom,
  cumulativeOf,
  pickWeighted,
  type Random,
  shuffleInPlace,
} from '#domain/random/seeded.ts';
import { buildRatingMatrix, type RatingMatrix } from './ratings.ts';

export const ATTACK_TYPES = ['random', 'average', 'bandwagon', 'segment'] as const;
export type AttackType = (typeof ATTACK_TYPES)[number];

export interface AttackOptions {
  type: AttackType;
  /** Fake profiles as a share of the log's users (0.03 = 3%). */
  attackSize: number;
  /** Filler items per fake profile as a share of the rated items (0.03 = 3%). */
  fillerSize: number;
  /** Selected items of bandwagon and segment attacks (the most popular overall, or of the target's genre). */
  selectedItems?: number;
  /** The attack runs within this many days before the log's end (default 30). */
  campaignDays?: number;
  /**
   * How filler items are drawn: `uniform` (the classic models: any rated item alike) or `popular`
   * (in proportion to their ratings, as an attacker who copies real users' tastes would).
   */
  fillerFrom?: 'uniform' | 'popular';
  /** The pushed item; by default one with 5-20 ratings and a mean below the global mean. */
  targetItemId?: string;
  seed?: number;
}

export interface InjectedAttack {
  /** The original events plus the fake profiles' `rate` events, in time order. */
  events: InteractionEvent[];
  attackerIds: string[];
  targetItemId: string;
  /** Epoch ms the campaign starts at (its events are at or after it). */
  campaignStart: number;
}

const DAY_MS = 86_400_000;

/** Adds an attack to `events` (a rating log): fake users with their `rate` events. */
export function injectAttack(
  events: readonly InteractionEvent[],
  items: readonly Item[],
  options: AttackOptions,
): InjectedAttack {
  const random = createRandom(options.seed ?? 7);
  const matrix = buildRatingMatrix(events);
  const rated = matrix.itemIds.map((_, i) => i).filter((i) => matrix.raters[i].length > 0);
  const target = options.targetItemId
    ? matrix.itemIds.indexOf(options.targetItemId)
    : chooseTarget(matrix, random);
  if (target < 0) throw new RangeError(`target item ${options.targetItemId} has no ratings in the log`);
  const selected = selectedItemsOf(matrix, items, target, options);
  const attackers = Math.max(1, Math.round(matrix.userIds.length * options.attackSize));
  const fillerCount = Math.max(1, Math.round(rated.length * options.fillerSize));
  const logEnd = events.reduce((latest, e) => Math.max(latest, e.timestamp), Number.NEGATIVE_INFINITY);
  const campaignStart = logEnd - (options.campaignDays ?? 30) * DAY_MS;
  const templates = timingTemplates(matrix);
  const out = events.slice();
  const attackerIds: string[] = [];
  for (let a = 0; a < attackers; a++) {
    const userId = `shill-${options.type}-${a + 1}`;
    attackerIds.push(userId);
    const excluded = new Set([target, ...selected]);
    const filler =
      options.fillerFrom === 'popular'
        ? sampleByPopularity(matrix, rated, fillerCount, excluded, random)
        : sampleDistinct(rated, fillerCount, excluded, random);
    const profile: [number, number][] = [
      [target, matrix.scale.max],
      ...selected.map((i): [number, number] => [i, matrix.scale.max]),
      ...filler.map((i): [number, number] => [i, fillerRating(matrix, options.type, i, random)]),
    ];
    shuffleInPlace(profile, random);
    const times = timesLike(templates, profile.length, campaignStart, logEnd, random);
    profile.forEach(([item, rating], k) => {
      out.push({
        eventId: `${userId}-${k}`,
        userId,
        itemId: matrix.itemIds[item],
        type: 'rate',
        value: rating,
        timestamp: times[k],
      });
    });
  }
  out.sort((x, y) => x.timestamp - y.timestamp);
  return { events: out, attackerIds, targetItemId: matrix.itemIds[target], campaignStart };
}

/**
 * A push target as attackers pick one: little known (5-20 ratings) and rated below the global mean;
 * in a small log without such items, one of the ten least rated items below the mean.
 */
function chooseTarget(matrix: RatingMatrix, random: Random): number {
  const belowMean = matrix.itemIds
    .map((_, i) => i)
    .filter((i) => matrix.raters[i].length > 0 && matrix.itemMean[i] < matrix.globalMean);
  const typical = belowMean.filter((i) => matrix.raters[i].length >= 5 && matrix.raters[i].length <= 20);
  const leastRated = [...belowMean].sort(
    (a, b) => matrix.raters[a].length - matrix.raters[b].length || a - b,
  );
  const candidates = typical.length > 0 ? typical : leastRated.slice(0, 10);
  if (candidates.length === 0) throw new RangeError('no rated item below the mean rating to push');
  return random.pick(candidates);
}

/** Bandwagon: the most rated items; segment: the most rated of the target's first genre; else none. */
function selectedItemsOf(
  matrix: RatingMatrix,
  items: readonly Item[],
  target: number,
  options: AttackOptions,
): number[] {
  const count = options.selectedItems ?? 10;
  const byPopularity = (pool: number[]) =>
    pool
      .filter((i) => i !== target)
      .sort((a, b) => matrix.raters[b].length - matrix.raters[a].length || a - b)
      .slice(0, count);
  const all = matrix.itemIds.map((_, i) => i);
  if (options.type === 'bandwagon') return byPopularity(all);
  if (options.type !== 'segment') return [];
  const genres = new Map(items.map((item) => [item.itemId, item.genres]));
  const segment = genres.get(matrix.itemIds[target])?.[0];
  return byPopularity(
    all.filter((i) => segment !== undefined && genres.get(matrix.itemIds[i])?.includes(segment)),
  );
}

/** A filler rating: random ~ N(global mean, sd), average ~ N(item mean, item sd), segment = the scale's bottom. */
function fillerRating(matrix: RatingMatrix, type: AttackType, item: number, random: Random): number {
  if (type === 'segment') return matrix.scale.min;
  const [mean, sd] =
    type === 'average' && matrix.raters[item].length > 1
      ? [matrix.itemMean[item], matrix.itemSd[item]]
      : [matrix.globalMean, matrix.globalSd];
  return onScale(matrix, mean + sd * random.normal());
}

/** Rounded to the scale's half steps and clamped to it, as a rating form would. */
function onScale(matrix: RatingMatrix, value: number): number {
  return Math.min(matrix.scale.max, Math.max(matrix.scale.min, Math.round(value * 2) / 2));
}

/** Each real user's rating times relative to their first, in order (the habits attackers copy). */
function timingTemplates(matrix: RatingMatrix): number[][] {
  return matrix.users
    .map((u) => Array.from(u.arrivals).sort((a, b) => a - b))
    .filter((times) => times.length > 1)
    .map((times) => times.map((t) => t - times[0]));
}

/**
 * `count` times copied from a real user's rhythm: their gaps between ratings, starting at a random
 * moment of the campaign (a shorter template is repeated, with the gap that started it).
 */
function timesLike(
  templates: number[][],
  count: number,
  campaignStart: number,
  logEnd: number,
  random: Random,
): number[] {
  const long = templates.filter((t) => t.length >= count);
  const template = random.pick(long.length > 0 ? long : templates);
  const gaps = template.slice(1).map((t, k) => t - template[k]);
  const start = campaignStart + random.next() * (logEnd - campaignStart) * 0.8;
  const times = [start];
  for (let k = 1; k < count; k++) times.push(times[k - 1] + gaps[(k - 1) % gaps.length]);
  // A template longer than the campaign is compressed into it: the order and relative gaps stay.
  const span = times[count - 1] - start;
  const room = logEnd - start;
  return span > room ? times.map((t) => start + ((t - start) * room) / span) : times.map(Math.round);
}

function sampleDistinct(pool: number[], count: number, excluded: Set<number>, random: Random): number[] {
  const picked = new Set<number>();
  const limit = Math.min(count, pool.length - excluded.size);
  while (picked.size < limit) {
    const i = random.pick(pool);
    if (!excluded.has(i)) picked.add(i);
  }
  return [...picked];
}

/** `count` distinct items drawn in proportion to their number of ratings. */
function sampleByPopularity(
  matrix: RatingMatrix,
  pool: number[],
  count: number,
  excluded: Set<number>,
  random: Random,
): number[] {
  const cumulative = cumulativeOf(pool.map((i) => (excluded.has(i) ? 0 : matrix.raters[i].length)));
  const picked = new Set<number>();
  const limit = Math.min(count, pool.length - excluded.size);
  while (picked.size < limit) picked.add(pool[pickWeighted(cumulative, random)]);
  return [...picked];
}

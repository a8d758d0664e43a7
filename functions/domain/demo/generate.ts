/**
 * Synthetic but realistic demo data: a catalogue, users with attributes, and ~60 days of interaction
 * events with long-tail popularity, genre tastes, daily and weekly rhythms, sessions, an event-type
 * funnel, churned users and a few planted bots. Deterministic for a given seed.
 */
import type { EventType, InteractionEvent, Item, UserAttributes } from '#domain/catalog/types.ts';
import {
  createRandom,
  cumulativeOf,
  pickWeighted,
  type Random,
  shuffleInPlace,
} from '#domain/random/seeded.ts';
import {
  CHARACTERS,
  COUNTRIES,
  GENDERS,
  GENRES,
  PLACES,
  PLANS,
  PLOTS,
  TAGS_BY_GENRE,
  TITLE_ADJECTIVES,
  TITLE_NOUNS,
} from './vocabulary.ts';

export interface DemoOptions {
  seed?: number;
  items?: number;
  users?: number;
  days?: number;
  /** Epoch ms the event history ends at; defaults to a fixed date so output is reproducible. */
  now?: number;
  /** Share of users planted as bots (default 0.01). */
  botShare?: number;
  /** Share of users who stop being active well before `now` (default 0.15). */
  churnShare?: number;
  /** Prefix of user ids, so several generated batches can be combined (default `u`). */
  userIdPrefix?: string;
  /** Seed of the catalogue alone, so batches with different user seeds share one catalogue (default: `seed`). */
  catalogueSeed?: number;
}

export interface DemoData {
  items: Item[];
  users: UserAttributes[];
  events: InteractionEvent[];
  /** What was planted, for evaluation: bot accounts and users whose activity was made to stop. */
  truth: { botUserIds: string[]; churnedUserIds: string[] };
}

/** 2026-10-01T00:00:00Z: the default end of the demo history. */
export const DEMO_NOW = Date.UTC(2026, 9, 1);

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const PURCHASE_PRICES_MINOR = [299, 399, 499, 999, 1499];

type Rhythm = 'evening' | 'late-night' | 'weekend' | 'morning' | 'family';

/** Peak hour (UTC) and spread (hours) of each rhythm's session starts. */
const RHYTHM_HOURS: Record<Rhythm, { peak: number; spread: number; weekendBoost: number }> = {
  evening: { peak: 20.5, spread: 1.6, weekendBoost: 1.2 },
  'late-night': { peak: 24.5, spread: 1.5, weekendBoost: 1.3 },
  weekend: { peak: 15, spread: 3.5, weekendBoost: 4 },
  morning: { peak: 7.5, spread: 1.2, weekendBoost: 0.7 },
  family: { peak: 17.5, spread: 2, weekendBoost: 2.2 },
};
const RHYTHMS = Object.keys(RHYTHM_HOURS) as Rhythm[];

interface UserPlan {
  user: UserAttributes;
  rhythm: Rhythm;
  genreCumulative: Float64Array;
  sessionsPerDay: number;
  itemsPerSession: number;
  completionBias: number;
  purchaseRate: number;
  firstDay: number;
  /** Day index after which the user is silent (exclusive); `days` for users who stay. */
  stopDay: number;
  isBot: boolean;
}

/** Generates the demo catalogue, users and events; pure and deterministic for a given seed. */
export function generateDemoData(options: DemoOptions = {}): DemoData {
  const seed = options.seed ?? 42;
  const itemCount = options.items ?? 1200;
  const userCount = options.users ?? 2000;
  const days = options.days ?? 60;
  const now = options.now ?? DEMO_NOW;
  const botShare = options.botShare ?? 0.01;
  const churnShare = options.churnShare ?? 0.15;
  const prefix = options.userIdPrefix ?? 'u';
  const random = createRandom(seed);
  const startMs = now - days * DAY_MS;

  const catalogue = buildCatalogue(
    itemCount,
    now,
    options.catalogueSeed === undefined ? random : createRandom(options.catalogueSeed),
  );
  const plans = planUsers(userCount, days, startMs, botShare, churnShare, prefix, random);

  const events: Omit<InteractionEvent, 'eventId'>[] = [];
  for (const plan of plans) {
    if (plan.isBot) simulateBot(plan, catalogue, days, startMs, random, events);
    else simulateUser(plan, catalogue, days, startMs, random, events);
  }
  const inWindow = events.filter((event) => event.timestamp < now && event.timestamp >= startMs);
  inWindow.sort(
    (a, b) => a.timestamp - b.timestamp || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0),
  );
  const width = String(inWindow.length).length;
  const finalEvents: InteractionEvent[] = inWindow.map((event, index) => ({
    eventId: `evt-${seed}-${prefix}-${String(index).padStart(width, '0')}`,
    ...event,
  }));

  return {
    items: catalogue.items,
    users: plans.map((plan) => plan.user),
    events: finalEvents,
    truth: {
      botUserIds: plans.filter((p) => p.isBot).map((p) => p.user.userId),
      churnedUserIds: plans.filter((p) => !p.isBot && p.stopDay < days).map((p) => p.user.userId),
    },
  };
}

interface Catalogue {
  items: Item[];
  /** Popularity-weighted cumulative sampler over all items. */
  allCumulative: Float64Array;
  /** Per genre: item indices and their popularity-weighted cumulative sampler. */
  byGenre: { indices: number[]; cumulative: Float64Array }[];
}

function buildCatalogue(count: number, now: number, random: Random): Catalogue {
  const ranks = shuffleInPlace(
    Array.from({ length: count }, (_, i) => i),
    random,
  );
  const popularity = new Float64Array(count);
  const items: Item[] = [];
  const usedTitles = new Set<string>();
  const byGenreIndices: number[][] = GENRES.map(() => []);
  for (let i = 0; i < count; i++) {
    // Zipf-like: the item at popularity rank r is chosen with weight 1/(r+1)^1.1.
    popularity[i] = 1 / (ranks[i] + 1) ** 1.1;
    const genreCount = 1 + (random.next() < 0.5 ? 1 : 0) + (random.next() < 0.2 ? 1 : 0);
    const genreIndices = new Set<number>();
    while (genreIndices.size < genreCount) genreIndices.add(random.int(GENRES.length));
    const genres = [...genreIndices].map((g) => GENRES[g]);
    for (const g of genreIndices) byGenreIndices[g].push(i);
    const tagPool = genres.flatMap((g) => TAGS_BY_GENRE[g]);
    const tags = [...new Set(Array.from({ length: 2 + random.int(3) }, () => random.pick(tagPool)))];
    const title = uniqueTitle(random, usedTitles);
    const kind = random.next();
    const durationSec =
      kind < 0.7
        ? 60 * (80 + random.int(90))
        : kind < 0.92
          ? 60 * (20 + random.int(40))
          : 60 * (5 + random.int(10));
    const releaseMs = now - Math.floor(random.next() ** 2 * 60 * 365) * DAY_MS;
    items.push({
      itemId: `i${String(i + 1).padStart(5, '0')}`,
      title,
      description: `${capitalise(random.pick(CHARACTERS))} ${random.pick(PLOTS)} in this ${genres
        .map((g) => g.toLowerCase())
        .join(' and ')} story set in ${random.pick(PLACES)}.`,
      genres,
      tags,
      releaseDate: new Date(releaseMs).toISOString().slice(0, 10),
      durationSec,
      playable: random.next() < 0.3,
    });
  }
  return {
    items,
    allCumulative: cumulativeOf(popularity),
    byGenre: byGenreIndices.map((indices) => ({
      indices,
      cumulative: cumulativeOf(indices.map((i) => popularity[i])),
    })),
  };
}

function uniqueTitle(random: Random, used: Set<string>): string {
  for (let attempt = 0; ; attempt++) {
    const shape = random.int(4);
    const adjective = random.pick(TITLE_ADJECTIVES);
    const noun = random.pick(TITLE_NOUNS);
    let title =
      shape === 0
        ? `The ${adjective} ${noun}`
        : shape === 1
          ? `${noun} of ${random.pick(PLACES)}`
          : shape === 2
            ? `${adjective} ${noun}`
            : `The ${noun} in ${random.pick(PLACES)}`;
    if (attempt > 3) title = `${title} ${['II', 'III', 'Returns', 'Reborn', 'Rising'][random.int(5)]}`;
    if (attempt > 8) title = `${title} (${1950 + random.int(75)})`;
    if (!used.has(title)) {
      used.add(title);
      return title;
    }
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function planUsers(
  count: number,
  days: number,
  startMs: number,
  botShare: number,
  churnShare: number,
  prefix: string,
  random: Random,
): UserPlan[] {
  const botCount = Math.max(count >= 50 ? 1 : 0, Math.round(count * botShare));
  const order = shuffleInPlace(
    Array.from({ length: count }, (_, i) => i),
    random,
  );
  const botIndices = new Set(order.slice(0, botCount));
  const width = Math.max(5, String(count).length);
  const plans: UserPlan[] = [];
  for (let i = 0; i < count; i++) {
    const rhythm = random.pick(RHYTHMS);
    const age = rhythm === 'family' ? 30 + random.int(20) : 16 + random.int(60);
    const genreWeights = new Float64Array(GENRES.length).fill(0.15);
    const favourites = 1 + random.int(3);
    for (let f = 0; f < favourites; f++) genreWeights[random.int(GENRES.length)] += 2 + 4 * random.next();
    if (rhythm === 'family') {
      genreWeights[GENRES.indexOf('Family')] += 5;
      genreWeights[GENRES.indexOf('Animation')] += 4;
    }
    if (rhythm === 'late-night') genreWeights[GENRES.indexOf('Horror')] += 3;
    // Log-normal activity: most users are light, a few are heavy.
    const sessionsPerDay = Math.min(2.5, 0.12 * Math.exp(0.75 * random.normal()));
    const joinsLate = random.next() < 0.2;
    const firstDay = joinsLate ? random.int(Math.max(1, days - 14)) : 0;
    const churns = !botIndices.has(i) && random.next() < churnShare;
    // Churners go silent between 50 and 8 days before the end of the history.
    const stopDay = churns ? Math.max(firstDay + 3, days - 8 - random.int(Math.max(1, days - 18))) : days;
    const spend = random.next();
    plans.push({
      user: {
        userId: `${prefix}${String(i + 1).padStart(width, '0')}`,
        age,
        gender: GENDERS[random.next() < 0.48 ? 0 : random.next() < 0.95 ? 1 : 2],
        country: COUNTRIES[Math.min(COUNTRIES.length - 1, Math.floor(random.next() ** 2 * COUNTRIES.length))],
        plan: PLANS[pickWeighted([0.35, 0.6, 0.85, 1], random)],
        createdAt: new Date(startMs + firstDay * DAY_MS).toISOString(),
      },
      rhythm,
      genreCumulative: cumulativeOf(genreWeights),
      sessionsPerDay,
      itemsPerSession: 1.5 + 3 * random.next(),
      completionBias: 0.3 + 0.5 * random.next(),
      purchaseRate: spend < 0.7 ? 0 : spend < 0.95 ? 0.02 : 0.08,
      firstDay,
      stopDay: Math.min(days, stopDay),
      isBot: botIndices.has(i),
    });
  }
  return plans;
}

function simulateUser(
  plan: UserPlan,
  catalogue: Catalogue,
  days: number,
  startMs: number,
  random: Random,
  out: Omit<InteractionEvent, 'eventId'>[],
): void {
  const hours = RHYTHM_HOURS[plan.rhythm];
  const seen = new Set<number>();
  for (let day = plan.firstDay; day < Math.min(days, plan.stopDay); day++) {
    const dayStart = startMs + day * DAY_MS;
    const weekday = new Date(dayStart).getUTCDay();
    const weekend = weekday === 0 || weekday === 6 || weekday === 5;
    // Churners fade out over their last two weeks before going silent.
    const fade = plan.stopDay < days ? Math.min(1, 0.25 + (plan.stopDay - day) / 14) : 1;
    const rate = plan.sessionsPerDay * (weekend ? hours.weekendBoost : 1) * fade;
    const sessions = random.poisson(rate);
    for (let s = 0; s < sessions; s++) {
      const hour = hours.peak + hours.spread * random.normal();
      let t = dayStart + Math.floor(((hour + 48) % 24) * HOUR_MS);
      const itemsInSession = 1 + random.poisson(plan.itemsPerSession - 1);
      for (let k = 0; k < itemsInSession; k++) {
        const index = chooseItem(plan, catalogue, seen, random);
        const item = catalogue.items[index];
        const duration = item.durationSec ?? 3600;
        const emit = (type: EventType, value?: number): void => {
          out.push(
            value === undefined
              ? { userId: plan.user.userId, itemId: item.itemId, type, timestamp: t }
              : {
                  userId: plan.user.userId,
                  itemId: item.itemId,
                  type,
                  value,
                  timestamp: t,
                },
          );
        };
        emit('view');
        t += 5_000 + random.int(60_000);
        const playChance = seen.has(index) ? 0.3 : 0.62;
        seen.add(index);
        if (random.next() < playChance) {
          const completes = random.next() < plan.completionBias;
          const watched = Math.round(
            duration * (completes ? 0.92 + 0.08 * random.next() : 0.05 + 0.6 * random.next()),
          );
          emit('play', watched);
          t += watched * 1000;
          if (completes) emit('complete', duration);
          else if (random.next() < 0.35) emit('skip');
          const taste = random.next();
          if (taste < 0.1) emit(completes ? 'like' : 'dislike');
          else if (taste < 0.16)
            emit('rate', Math.max(1, Math.min(5, Math.round((completes ? 4 : 2.5) + random.normal()))));
          if (random.next() < plan.purchaseRate) emit('purchase', random.pick(PURCHASE_PRICES_MINOR));
        } else if (random.next() < 0.25) {
          emit('skip');
        }
        t += 20_000 + random.int(120_000);
      }
    }
  }
}

function chooseItem(plan: UserPlan, catalogue: Catalogue, seen: Set<number>, random: Random): number {
  for (let attempt = 0; attempt < 3; attempt++) {
    let index: number;
    if (random.next() < 0.25) {
      index = pickWeighted(catalogue.allCumulative, random);
    } else {
      const genre = catalogue.byGenre[pickWeighted(plan.genreCumulative, random)];
      if (genre.indices.length === 0) continue;
      index = genre.indices[pickWeighted(genre.cumulative, random)];
    }
    // Rewatches happen, but less often than fresh picks.
    if (!seen.has(index) || random.next() < 0.2) return index;
  }
  return pickWeighted(catalogue.allCumulative, random);
}

/**
 * A bot: on a few days it touches hundreds of distinct items, in tight bursts, often round the clock,
 * and often reports watch time no human could have (full durations seconds apart).
 */
function simulateBot(
  plan: UserPlan,
  catalogue: Catalogue,
  days: number,
  startMs: number,
  random: Random,
  out: Omit<InteractionEvent, 'eventId'>[],
): void {
  const roundTheClock = random.next() < 0.7;
  const impossibleWatch = random.next() < 0.7 || !roundTheClock;
  const activeDays = 2 + random.int(5);
  const firstDay = random.int(Math.max(1, days - activeDays));
  const itemCount = catalogue.items.length;
  for (let d = 0; d < activeDays; d++) {
    const dayStart = startMs + (firstDay + d) * DAY_MS;
    const target = 150 + random.int(250);
    const startHour = roundTheClock ? 0 : random.int(14);
    const spanHours = roundTheClock ? 24 : 6 + random.int(4);
    const bursts = 8 + random.int(12);
    const perBurst = Math.ceil(target / bursts);
    for (let b = 0; b < bursts; b++) {
      let t =
        dayStart + Math.floor(((startHour + (spanHours * (b + random.next())) / bursts) % 24) * HOUR_MS);
      for (let k = 0; k < perBurst; k++) {
        const item = catalogue.items[random.int(itemCount)];
        out.push({ userId: plan.user.userId, itemId: item.itemId, type: 'view', timestamp: t });
        t += 1_000 + random.int(4_000);
        if (random.next() < 0.6) {
          const duration = item.durationSec ?? 3600;
          const watched = impossibleWatch ? duration : Math.round(duration * 0.05 * random.next());
          out.push({
            userId: plan.user.userId,
            itemId: item.itemId,
            type: 'play',
            value: watched,
            timestamp: t,
          });
          t += 1_000 + random.int(8_000);
        }
      }
    }
  }
}

/**
 * The experiment simulator behind `npm run simulate`: a population replayed against a platform
 * started for the run (throwaway state, in-memory DynamoDB) through its public API. The history is
 * split by time; each sampled user gets its past as events, and on each simulated day asks for
 * recommendations, sends an impression per item shown, and plays the shown items that are in its
 * held-back future. Two variants (popularity vs the default model, or the default twice for A/A)
 * run as an experiment; the results endpoint's verdict and lift are reported beside the offline
 * ratio of the two models' hits on the same users' futures.
 */
import { chunks } from '#adapters/dynamodb/client.ts';
import { DynamoEventStore, DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { createRandom, shuffleInPlace } from '#domain/random/seeded.ts';
import { scheduledEvent } from './event-bus.ts';
import { inParallel } from './worker-pool.ts';
import { type LocalPlatform, startPlatform } from './platform.ts';

const DAY_MS = 86_400_000;
/** Share of the history (by time) the models train on; the rest is the users' future. */
const TRAIN_SHARE = 0.8;
/** Longest wait for the counters to catch up with what was sent (ms). */
const COUNT_WAIT_MS = 300_000;

export interface SimulationOptions {
  days: number;
  /** Users per run. */
  users: number;
  seed: number;
  /** Same model in both variants: the verdict should stay `not yet`. */
  aa: boolean;
  /** Runs with seeds seed, seed+1, ...; each a new experiment on fresh user ids. */
  seeds: number;
  k?: number;
  log?: (line: string) => void;
}

export interface SimulationRun {
  seed: number;
  control: string;
  treatment: string;
  verdict: string;
  /** Relative lift of plays per impression, treatment over control, and its always-valid interval. */
  lift: number | null;
  liftInterval: { low: number; high: number } | null;
  /** Offline: hits@k of the treatment's model over the control's on the same users' futures, minus 1. */
  offlineLift: number | null;
  /** As the results endpoint counted them. */
  users: number;
  impressions: number;
  plays: number;
  /** As the simulator sent them (the counts above must match). */
  posted: { impressions: number; plays: number };
  sampleRatioMismatch: boolean;
}

interface Api {
  // biome-ignore lint/suspicious/noExplicitAny: the simulator reads a few fields of JSON answers, as a client would
  call<T = any>(method: string, path: string, body?: unknown): Promise<T>;
}

function apiOf(platform: LocalPlatform): Api {
  return {
    async call(method, path, body) {
      const response = await fetch(`${platform.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${text.slice(0, 300)}`);
      return text ? JSON.parse(text) : undefined;
    },
  };
}

/**
 * Each user's history split by time: their oldest TRAIN_SHARE of events are the past the models
 * train on, the rest their future. Per user rather than at one global date: in MovieLens most users
 * rate in one burst, so a global cut leaves only a few dozen users with both a past and a future.
 */
export function splitByTime(events: readonly InteractionEvent[]) {
  const byUser = new Map<string, InteractionEvent[]>();
  for (const e of events) byUser.set(e.userId, [...(byUser.get(e.userId) ?? []), e]);
  const past: InteractionEvent[] = [];
  const future = new Map<string, Set<string>>();
  for (const [user, own] of byUser) {
    own.sort((a, b) => a.timestamp - b.timestamp);
    const cut = Math.floor(own.length * TRAIN_SHARE);
    past.push(...own.slice(0, cut));
    if (cut > 0 && cut < own.length) future.set(user, new Set(own.slice(cut).map((e) => e.itemId)));
  }
  return { past, future };
}

/** Runs the simulation on a platform it starts and stops; one result per seed. */
export async function simulate(
  data: { items: Item[]; events: InteractionEvent[] },
  options: SimulationOptions,
): Promise<SimulationRun[]> {
  const log = options.log ?? (() => {});
  const platform = await startPlatform({
    mediaConvert: false,
    env: { EXPERIMENTS_REFRESH_MS: '0', MODEL_REFRESH_MS: '0', RECS_FALLBACK_TTL_MS: '0' },
  });
  try {
    const { past, future } = splitByTime(data.events);
    const events = new DynamoEventStore(platform.names.EVENTS_TABLE);
    const items = new DynamoItemStore(platform.names.ITEMS_TABLE);
    for (const batch of chunks(data.items, 100)) await items.putAll(batch);
    await events.load(past);
    log(`loaded ${data.items.length} items and ${past.length} past events; training`);
    await platform.runtime.invoke('retrain', scheduledEvent({ reason: 'simulate' }, new Date()));
    const api = apiOf(platform);
    const defaultModel: string = (await api.call('GET', '/models')).defaultModel;
    const candidates = [...new Set(past.map((e) => e.userId))].filter((u) => future.has(u)).sort();
    const runs: SimulationRun[] = [];
    for (let seed = options.seed; seed < options.seed + options.seeds; seed++) {
      const run = await simulateRun(platform, api, { past, future, candidates, defaultModel, seed }, options);
      log(
        `seed ${seed}: ${run.verdict}, lift ${run.lift?.toFixed(3)}, offline ${run.offlineLift?.toFixed(3)}`,
      );
      runs.push(run);
    }
    return runs;
  } finally {
    await platform.stop();
  }
}

/** Requests in flight at once: enough to keep the gateway and DynamoDB Local busy on two cores. */
const CONCURRENCY = 8;

interface RunContext {
  past: InteractionEvent[];
  future: Map<string, Set<string>>;
  candidates: string[];
  defaultModel: string;
  seed: number;
}

async function simulateRun(
  platform: LocalPlatform,
  api: Api,
  context: RunContext,
  options: SimulationOptions,
): Promise<SimulationRun> {
  const k = options.k ?? 10;
  const { seed } = context;
  // Fresh ids per run: earlier runs' plays must not shape this one's lists.
  const sampled = shuffleInPlace([...context.candidates], createRandom(seed)).slice(0, options.users);
  const chosen = new Set(sampled);
  const idOf = (user: string) => `s${seed}-${user}`;
  const history = context.past
    .filter((e) => chosen.has(e.userId))
    .map((e) => ({ ...e, userId: idOf(e.userId), eventId: `s${seed}-${e.eventId}` }));
  await new DynamoEventStore(platform.names.EVENTS_TABLE).load(history);
  const futures = new Map(sampled.map((u) => [idOf(u), new Set(context.future.get(u))]));
  const control = options.aa ? context.defaultModel : 'popularity';
  const treatment = context.defaultModel;
  const hits = await offlineHits(api, futures, { control, treatment }, k);
  options.log?.(`seed ${seed}: ${futures.size} users; offline hits ${hits.control} vs ${hits.treatment}`);

  const experiment = await api.call('POST', '/experiments', {
    name: `simulation seed ${seed}`,
    surface: 'recommendations',
    variants: [
      { name: 'control', model: control, weight: 1 },
      { name: 'treatment', model: treatment, weight: 1 },
    ],
    // The plan is the population the run will see: the interval is tuned to it before any event.
    plannedUsers: futures.size,
  });
  const posted = await replayDays(api, futures, { days: options.days, k, log: options.log });
  await platform.settle();
  const results = await countedResults(api, experiment.experimentId, posted);
  await api.call('POST', `/experiments/${experiment.experimentId}/stop`);
  const treated = results.variants[1];
  const total = (field: 'users' | 'impressions' | 'plays') =>
    results.variants.reduce((sum: number, v: Record<string, number>) => sum + v[field], 0);
  return {
    seed,
    control,
    treatment,
    verdict: results.verdict,
    lift: treated.lift?.value ?? null,
    liftInterval: treated.lift?.interval ?? null,
    offlineLift: hits.control > 0 ? hits.treatment / hits.control - 1 : null,
    users: total('users'),
    impressions: total('impressions'),
    plays: total('plays'),
    posted,
    sampleRatioMismatch: results.sampleRatio.mismatch,
  };
}

/** Both models' hits@k on the same futures, asked with ?model= (outside any experiment). */
async function offlineHits(
  api: Api,
  futures: Map<string, Set<string>>,
  models: { control: string; treatment: string },
  k: number,
): Promise<{ control: number; treatment: number }> {
  const hits = { control: 0, treatment: 0 };
  const asks = [...futures].flatMap(([user, items]) =>
    (['control', 'treatment'] as const).map((arm) => ({ user, items, arm })),
  );
  await inParallel(asks, CONCURRENCY, async ({ user, items, arm }) => {
    const list = await api.call('GET', `/users/${user}/recommendations?k=${k}&model=${models[arm]}`);
    hits[arm] += list.items.filter((item: { itemId: string }) => items.has(item.itemId)).length;
  });
  return hits;
}

/**
 * Each simulated day, each user asks for k recommendations, sends an impression per item with the
 * list's id and position, and plays the shown items in its future (each item once). Returns what
 * was sent.
 */
async function replayDays(
  api: Api,
  futures: Map<string, Set<string>>,
  { days, k, log }: { days: number; k: number; log?: (line: string) => void },
): Promise<{ impressions: number; plays: number }> {
  const start = Date.now() - days * DAY_MS;
  const posted = { impressions: 0, plays: 0 };
  for (let day = 0; day < days; day++) {
    const at = start + day * DAY_MS;
    await inParallel([...futures], CONCURRENCY, async ([user, items]) => {
      const list = await api.call('GET', `/users/${user}/recommendations?k=${k}`);
      const shown = list.items.map((item: { itemId: string; position: number }) => ({
        userId: user,
        itemId: item.itemId,
        recommendationId: list.recommendationId,
        position: item.position,
      }));
      const plays = shown
        .filter((event: { itemId: string }) => items.has(event.itemId))
        .map((event: { itemId: string }) => ({ ...event, type: 'play', timestamp: at + 60_000 }));
      for (const play of plays) items.delete(play.itemId);
      if (shown.length === 0) return;
      posted.impressions += shown.length;
      posted.plays += plays.length;
      await api.call('POST', '/events', {
        events: [
          ...shown.map((event: object) => ({ ...event, type: 'impression', timestamp: at })),
          ...plays,
        ],
      });
    });
    log?.(`day ${day + 1}/${days}: ${posted.impressions} impressions and ${posted.plays} plays sent`);
  }
  return posted;
}

/** The results once the stream counted everything sent (waits at most COUNT_WAIT_MS for a backlog). */
async function countedResults(
  api: Api,
  experimentId: string,
  posted: { impressions: number; plays: number },
  // biome-ignore lint/suspicious/noExplicitAny: the results answer, read as a client would
): Promise<any> {
  const resultsPath = `/experiments/${experimentId}/results`;
  let results = await api.call('GET', resultsPath);
  const countedOf = (field: 'impressions' | 'plays') =>
    results.variants.reduce((sum: number, v: Record<string, number>) => sum + v[field], 0);
  for (
    const deadline = Date.now() + COUNT_WAIT_MS;
    Date.now() < deadline &&
    (countedOf('impressions') < posted.impressions || countedOf('plays') < posted.plays);
  ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    results = await api.call('GET', resultsPath);
  }
  return results;
}

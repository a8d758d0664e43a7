/**
 * Offline quality of the profile models: churn ROC-AUC on a held-out later window, anomaly ROC-AUC on
 * planted bots (demo data) and on bots injected into a real rating log (MovieLens), segment silhouette.
 */
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import type { DemoData } from '#domain/demo/generate.ts';
import { createRandom } from '#domain/random/seeded.ts';
import { featuresOfSorted, groupEventsByUser } from './features.ts';
import { isolationScore } from './isolation-forest.ts';
import { rocAuc } from './roc-auc.ts';
import {
  DEFAULT_PROFILE_TRAINING_CONFIG,
  type ProfileMetrics,
  type ProfileTrainingConfig,
  trainAnomaly,
  trainProfileModels,
} from './train.ts';
import { anomalyVector } from './vectors.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface AnomalyQuality {
  users: number;
  bots: number;
  rocAuc: number;
  threshold: number;
  /** Flagged bots / bots. */
  recall: number;
  /** Flagged bots / flagged users. */
  precision: number;
}

export interface DemoEvaluation {
  churn: {
    rocAuc: number;
    trainRows: number;
    testRows: number;
    testChurnRate: number;
    horizonDays: number;
    algorithm: string;
    candidates: { algorithm: string; auc?: number }[];
  };
  anomaly: AnomalyQuality;
  segments: { k: number; silhouette: number; inertia: number; labels: string[] };
  trainMs: number;
}

/** Trains on demo data and measures all three models against what the generator planted. */
export function evaluateOnDemoData(
  data: DemoData,
  now: number,
  config: Partial<ProfileTrainingConfig> = {},
): DemoEvaluation {
  const started = performance.now();
  const result = trainProfileModels(
    { events: data.events, items: data.items, users: data.users, now },
    config,
  );
  const trainMs = performance.now() - started;
  const bots = new Set(data.truth.botUserIds);
  const ids = [...result.features.keys()];
  const scores = ids.map((id) =>
    isolationScore(result.reference.anomaly.forest, anomalyVector(result.features.get(id)!)),
  );
  return {
    churn: {
      rocAuc: result.metrics.churn.auc ?? Number.NaN,
      ...pick(result.metrics.churn),
      horizonDays: result.artifacts.churn.metadata.horizonDays,
    },
    anomaly: anomalyQuality(ids, scores, bots, result.metrics.anomaly.threshold),
    segments: {
      k: result.metrics.segments.k,
      silhouette: result.metrics.segments.silhouette,
      inertia: result.metrics.segments.inertia,
      labels: result.artifacts.segments.metadata.segments.map((s) => `${s.label} (${s.size})`),
    },
    trainMs,
  };
}

function pick(m: ProfileMetrics['churn']) {
  return {
    trainRows: m.trainRows,
    testRows: m.testRows,
    testChurnRate: m.testChurnRate,
    algorithm: m.algorithm,
    candidates: m.candidates,
  };
}

function anomalyQuality(
  ids: string[],
  scores: number[],
  bots: ReadonlySet<string>,
  threshold: number,
): AnomalyQuality {
  const labels = ids.map((id) => (bots.has(id) ? 1 : 0));
  const flagged = ids.filter((_, i) => scores[i] >= threshold);
  const flaggedBots = flagged.filter((id) => bots.has(id)).length;
  return {
    users: ids.length,
    bots: bots.size,
    rocAuc: rocAuc(scores, labels),
    threshold,
    recall: bots.size > 0 ? flaggedBots / bots.size : Number.NaN,
    precision: flagged.length > 0 ? flaggedBots / flagged.length : Number.NaN,
  };
}

export interface BotInjection {
  /** The original events plus the bots' events, in time order. */
  events: InteractionEvent[];
  botUserIds: string[];
}

/**
 * Adds `count` bot accounts to a real log. Half are scrapers (hundreds of distinct items a day spread
 * round the clock), half burst raters (tight bursts of dozens of events seconds apart, several a day).
 * They use the log's own event type (e.g. `rate` for MovieLens) so only behaviour gives them away.
 */
export function injectBots(
  events: readonly InteractionEvent[],
  itemIds: readonly string[],
  options: { count: number; seed?: number; type?: InteractionEvent['type'] },
): BotInjection {
  const random = createRandom(options.seed ?? 99);
  const type = options.type ?? 'rate';
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    if (e.timestamp < first) first = e.timestamp;
    if (e.timestamp > last) last = e.timestamp;
  }
  const out = events.slice();
  const botUserIds: string[] = [];
  for (let b = 0; b < options.count; b++) {
    const userId = `injected-bot-${b + 1}`;
    botUserIds.push(userId);
    const scraper = b % 2 === 0;
    const days = 2 + random.int(4);
    const firstDay = Math.floor((first + random.next() * Math.max(0, last - first - days * DAY_MS)) / DAY_MS);
    let sequence = 0;
    const emit = (timestamp: number): void => {
      sequence++;
      out.push({
        eventId: `${userId}-${sequence}`,
        userId,
        itemId: itemIds[random.int(itemIds.length)],
        type,
        ...(type === 'rate' ? { value: random.next() < 0.5 ? 5 : 1 + random.int(5) } : {}),
        timestamp,
      });
    };
    for (let d = 0; d < days; d++) {
      const dayStart = (firstDay + d) * DAY_MS;
      if (scraper) {
        const perDay = 300 + random.int(400);
        for (let k = 0; k < perDay; k++) emit(dayStart + Math.floor(random.next() * DAY_MS));
      } else {
        const bursts = 6 + random.int(7);
        for (let burst = 0; burst < bursts; burst++) {
          let t = dayStart + Math.floor(random.next() * 23 * HOUR_MS);
          const size = 40 + random.int(41);
          for (let k = 0; k < size; k++) {
            emit(t);
            t += 1_000 + random.int(3_000);
          }
        }
      }
    }
  }
  out.sort((a, b) => a.timestamp - b.timestamp);
  return { events: out, botUserIds };
}

/**
 * Anomaly ROC-AUC on a real log with injected bots: profiles as of the log's end, isolation forest
 * trained unsupervised on everyone (bots included, as in production).
 */
export function evaluateAnomalyWithInjectedBots(
  events: readonly InteractionEvent[],
  items: readonly Item[],
  options: { botShare?: number; seed?: number; config?: Partial<ProfileTrainingConfig> } = {},
): AnomalyQuality {
  const userCount = new Set(events.map((e) => e.userId)).size;
  const count = Math.max(5, Math.round(userCount * (options.botShare ?? 0.02)));
  const injected = injectBots(
    events,
    items.map((i) => i.itemId),
    { count, seed: options.seed ?? 99 },
  );
  const itemsById = new Map(items.map((i) => [i.itemId, i]));
  const now = injected.events[injected.events.length - 1].timestamp + 1;
  const profiles = [...groupEventsByUser(injected.events)].map(([userId, list]) =>
    featuresOfSorted(userId, list, itemsById, now),
  );
  const config = { ...DEFAULT_PROFILE_TRAINING_CONFIG, ...options.config };
  const { forest, metadata } = trainAnomaly(profiles, config, now);
  const scores = profiles.map((f) => isolationScore(forest, anomalyVector(f)));
  return anomalyQuality(
    profiles.map((f) => f.userId),
    scores,
    new Set(injected.botUserIds),
    metadata.threshold,
  );
}

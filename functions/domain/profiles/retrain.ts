/**
 * The profile part of the retrain job: read everything, train the segment, anomaly and churn models
 * and run the shilling detector, gate each against its live version, publish (promoting those that
 * pass), then score every user into the profiles table and store each user's history.
 */
import type { EventStore, ItemStore, UserStore } from '#domain/catalog/ports.ts';
import type { InteractionEvent, Item, UserAttributes } from '#domain/catalog/types.ts';
import { feed, loadSession } from '#domain/onnx/session.ts';
import { groupEventsByUser, type ProfileFeatures } from './features.ts';
import { completeVersions, liveProfileVersions, liveProfileModels, loadLiveScorer } from './live-scorer.ts';
import { PROFILE_MODEL_NAMES, type ShillingModelMetadata } from './model-artifacts.ts';
import type {
  ProfileHistoryStore,
  ProfileModelRegistry,
  ProfileStore,
  PublishedProfileModel,
  ShillingAnswer,
} from './ports.ts';
import { historiesAt, historyCutOf, type ProfileHistory } from './profile-history.ts';
import { assembleProfile } from './scoring.ts';
import { toSummary } from './service.ts';
import { historyIsCurrent, summaryChanged } from './stored-rows.ts';
import type { ShillingVerdict } from './shilling/detector.ts';
import { type ShillingTraining, trainShillingModel } from './shilling/model.ts';
import { type ProfileTrainingConfig, type ProfileTrainingResult, trainProfileModels } from './train.ts';

export interface ProfileRetrainResult {
  /** What each model's publish did (version and the shared gate's decision). */
  published: {
    segments: PublishedProfileModel;
    anomaly: PublishedProfileModel;
    churn: PublishedProfileModel;
    shilling: PublishedProfileModel;
  };
  live: { segments?: string; anomaly?: string; churn?: string; shilling?: string };
  metrics: ProfileTrainingResult['metrics'] & { shilling: ShillingTraining['metrics'] };
  scoredUsers: number;
  /** Scored users whose stored summary changed enough to be written (summaryChanged). */
  summariesWritten: number;
  /** Users with a history, those whose stored history was replaced, and the cut (epoch ms) they end at. */
  histories: { users: number; written: number; cut: number };
  trainMs: number;
}

export interface ProfileRetrainStores {
  events: EventStore;
  items: ItemStore;
  users: UserStore;
  profiles: ProfileStore;
  histories: ProfileHistoryStore;
}

/** Rows written per batch call (summaries and histories), so a large audience is not held twice. */
const WRITE_BATCH = 5000;

/** Retrains, gates, publishes and re-scores; `now` is the instant the training data ends at (epoch ms). */
export async function retrainProfiles(
  stores: ProfileRetrainStores,
  registry: ProfileModelRegistry,
  options: { now: number; config?: Partial<ProfileTrainingConfig> },
): Promise<ProfileRetrainResult> {
  const [events, items, users] = await Promise.all([
    collect<InteractionEvent>(stores.events.scan()),
    collect<Item>(stores.items.scan()),
    collect<UserAttributes>(stores.users.scan()),
  ]);
  const liveModels = await liveProfileModels(registry);
  const started = performance.now();
  const trained = trainProfileModels(
    { events, items, users, now: options.now, live: liveModels },
    options.config,
  );
  const shilling = trainShillingModel(events, options.now);
  const trainMs = performance.now() - started;
  const published = await publishAll(registry, trained, shilling, { trainMs, dataCutoff: options.now });
  const live = await liveProfileVersions(registry);
  const answers = await shillingAnswers(registry, published.shilling, shilling);
  const summaries = await scoreProfiles(stores.profiles, registry, [...trained.features.values()], answers);
  const histories = await storeHistories(
    stores.histories,
    events,
    items,
    historyCutOf(options.now),
    options.now,
  );
  return {
    published,
    live,
    metrics: { ...trained.metrics, shilling: shilling.metrics },
    scoredUsers: summaries.scored,
    summariesWritten: summaries.written,
    histories,
    trainMs,
  };
}

/** The gate figures of one candidate: an absent figure (no AUC measurable) is left out, and the gate then rejects it. */
function gateFigures(
  metrics: Record<string, number | undefined>,
  run: { trainMs: number; dataCutoff: number },
) {
  return {
    metrics: Object.fromEntries(Object.entries(metrics).filter(([, v]) => v !== undefined)) as Record<
      string,
      number
    >,
    ...run,
  };
}

/**
 * Publishes the segment, anomaly and churn candidates with their gate figures, one after another
 * (each moves one pointer); the single and the distributed retrain both publish through it.
 */
export async function publishProfileModels(
  registry: ProfileModelRegistry,
  trained: ProfileTrainingResult,
  run: { trainMs: number; dataCutoff: number },
): Promise<Omit<ProfileRetrainResult['published'], 'shilling'>> {
  const { segments, anomaly, churn } = trained.metrics;
  return {
    segments: await registry.publish(
      trained.artifacts.segments,
      gateFigures(
        {
          silhouette: segments.silhouette,
          k: segments.k,
          inertia: segments.inertia,
          users: segments.trainedUsers,
        },
        run,
      ),
    ),
    anomaly: await registry.publish(
      trained.artifacts.anomaly,
      gateFigures(
        {
          separation: anomaly.separation,
          threshold: anomaly.threshold,
          flaggedShare: anomaly.flaggedShare,
          users: anomaly.trainedUsers,
        },
        run,
      ),
    ),
    churn: await registry.publish(
      trained.artifacts.churn,
      gateFigures(
        {
          auc: churn.auc,
          trainRows: churn.trainRows,
          testRows: churn.testRows,
          churnRate: churn.testChurnRate,
        },
        run,
      ),
    ),
  };
}

/** The three profile candidates, then the shilling detector's. */
async function publishAll(
  registry: ProfileModelRegistry,
  trained: ProfileTrainingResult,
  shilling: ShillingTraining,
  run: { trainMs: number; dataCutoff: number },
): Promise<ProfileRetrainResult['published']> {
  return {
    ...(await publishProfileModels(registry, trained, run)),
    shilling: await registry.publish(shilling.artifact, gateFigures({ ...shilling.metrics }, run)),
  };
}

/**
 * Each user's shilling answer from the live shilling model: this run's verdicts when its candidate
 * went live (scores from the exported graph), else the flagged accounts the live version recorded.
 */
async function shillingAnswers(
  registry: ProfileModelRegistry,
  published: PublishedProfileModel,
  run: ShillingTraining,
): Promise<{ answerOf(userId: string): ShillingAnswer | undefined }> {
  if (published.status === 'live') {
    const modelVersion = published.version;
    const scores = await scoreWithGraph(run.artifact.onnx, run.detection.verdicts);
    const byUser = new Map(
      run.detection.verdicts.map((v, k): [string, ShillingAnswer] => [
        v.userId,
        {
          flagged: v.flagged,
          score: Math.round(scores[k] * 10_000) / 10_000,
          ...(v.flagged ? { reason: v.reason, pushedItemId: v.pushedItemId } : {}),
          modelVersion,
        },
      ]),
    );
    return { answerOf: (userId) => byUser.get(userId) ?? { flagged: false, modelVersion } };
  }
  return liveShillingAnswers(registry);
}

/**
 * Each user's shilling answer as the live shilling model recorded it (its flagged accounts); no
 * answer when no shilling model is live.
 */
export async function liveShillingAnswers(
  registry: ProfileModelRegistry,
): Promise<{ answerOf(userId: string): ShillingAnswer | undefined }> {
  const liveVersion = (await registry.liveVersions())[PROFILE_MODEL_NAMES.shilling];
  if (!liveVersion) return { answerOf: () => undefined };
  const { metadata } = (await registry.load<ShillingModelMetadata>(PROFILE_MODEL_NAMES.shilling, liveVersion))
    .artifact;
  const flagged = new Map(metadata.flaggedUsers.map((f) => [f.userId, f]));
  return {
    answerOf: (userId) => {
      const f = flagged.get(userId);
      return f
        ? {
            flagged: true,
            score: f.score,
            reason: f.reason,
            pushedItemId: f.pushedItemId,
            modelVersion: liveVersion,
          }
        : { flagged: false, modelVersion: liveVersion };
    },
  };
}

/** Scores of the verdicts' evidence through the exported shilling graph (onnxruntime), in order. */
async function scoreWithGraph(
  bytes: Uint8Array,
  verdicts: readonly ShillingVerdict[],
): Promise<Float32Array> {
  if (verdicts.length === 0) return new Float32Array(0);
  const session = await loadSession(bytes);
  try {
    const evidence = new Float32Array(verdicts.length * 2);
    verdicts.forEach((v, k) => {
      evidence[2 * k] = v.ownSuspicion;
      evidence[2 * k + 1] = v.groupEvidence;
    });
    const out = await session.run({ evidence: feed.float32(evidence, [verdicts.length, 2]) });
    return out.score.data as Float32Array;
  } finally {
    await session.release();
  }
}

/**
 * Scores these users' features with the live segment, anomaly and churn models, in batches, and
 * writes the summaries that differ from the stored ones (summaryChanged); returns how many users were
 * scored and how many rows written (none while a model has no live version).
 */
export async function scoreProfiles(
  profilesStore: Pick<ProfileStore, 'putAll' | 'getAll'>,
  registry: ProfileModelRegistry,
  profiles: readonly ProfileFeatures[],
  shilling: { answerOf(userId: string): ShillingAnswer | undefined },
): Promise<{ scored: number; written: number }> {
  const liveVersions = completeVersions(await liveProfileVersions(registry));
  if (!liveVersions) return { scored: 0, written: 0 };
  let scored = 0;
  let written = 0;
  const scorer = await loadLiveScorer(registry, liveVersions);
  try {
    for (let i = 0; i < profiles.length; i += WRITE_BATCH) {
      const batch = profiles.slice(i, i + WRITE_BATCH);
      const [answers, stored] = await Promise.all([
        scorer.score(batch),
        profilesStore.getAll(batch.map((f) => f.userId)),
      ]);
      const summaries = batch
        .map((f, j) =>
          toSummary(
            assembleProfile(
              f,
              { answers: answers[j], scorer },
              { versions: liveVersions, shilling: shilling.answerOf(f.userId) },
            ),
            liveVersions,
          ),
        )
        .filter((x) => x !== undefined);
      const changed = summaries.filter((s) =>
        summaryChanged(stored.get(s.userId), s, { versionsMatter: false }),
      );
      await profilesStore.putAll(changed);
      scored += summaries.length;
      written += changed.length;
    }
  } finally {
    await scorer.release();
  }
  return { scored, written };
}

/**
 * Folds every user's events before `cut` into their history and stores those that differ from the
 * stored one (historyIsCurrent; `now` is the run's instant, for the renewal of old rows).
 */
export async function storeHistories(
  store: Pick<ProfileHistoryStore, 'putAll' | 'stampsOf'>,
  events: readonly InteractionEvent[],
  items: readonly Item[],
  cut: number,
  now: number,
): Promise<{ users: number; written: number; cut: number }> {
  const itemsById = new Map(items.map((item) => [item.itemId, item]));
  let batch: ProfileHistory[] = [];
  let users = 0;
  let written = 0;
  const flush = async () => {
    const stamps = await store.stampsOf(batch.map((h) => h.userId));
    const changed = batch.filter((h) => !historyIsCurrent(stamps.get(h.userId), h, now));
    await store.putAll(changed);
    users += batch.length;
    written += changed.length;
    batch = [];
  };
  for (const history of historiesAt(groupEventsByUser(events), itemsById, cut)) {
    batch.push(history);
    if (batch.length === WRITE_BATCH) await flush();
  }
  await flush();
  return { users, written, cut };
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) for (const row of page) out.push(row);
  return out;
}

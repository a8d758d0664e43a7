/**
 * Retraining: read events and the catalog, train every model on the older part of a time-based
 * holdout, measure candidates and the live versions on the newer part, then record each
 * candidate through the registry's quality gate. Shipped artifacts are retrained on all events, so
 * the newest behaviour (and trending) is in them; the gate's figures come from the holdout. A live
 * version is re-measured on the new holdout only when it never saw it (its data cut-off is older);
 * otherwise the gate uses the figures recorded when it was trained.
 */
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import {
  type ArtifactStore,
  DEFAULT_GATE_POLICY,
  type GatePolicy,
  livePointersOf,
  type ModelRecordStore,
  type ModelVersion,
  publishCandidate,
} from '#domain/models/registry.ts';
import { type ModelName, PERSONAL_MODELS } from './artifact.ts';
import { DENSE_EASE_MODELS, denseEaseSkips } from './dense-ease-limit.ts';
import { globalTimeSplit, relevantByUser } from './evaluation.ts';
import {
  aggregateEvents,
  DEFAULT_EVENT_WEIGHTS,
  type EventWeights,
  type WeightedInteraction,
} from './interactions.ts';
import { discountFlaggedUsers } from './shilling-discount.ts';
import {
  DEFAULT_TRAINING_OPTIONS,
  evaluateArtifacts,
  type ModelEvaluation,
  type TrainedArtifact,
  type TrainingOptions,
  trainAllModels,
} from './training.ts';

/** Port: where retraining reads its inputs (the events and items tables in AWS). */
export interface TrainingSources {
  /** Every stored event from `since` (epoch ms) on; every one when absent (the TTL bounds how far back). */
  loadEvents(since?: number): Promise<InteractionEvent[]>;
  loadItems(): Promise<Item[]>;
}

export interface RetrainOptions {
  training: TrainingOptions;
  eventWeights: EventWeights;
  /** Share of the newest events held out for the gate. */
  holdout: number;
  /** Cut-off for the ranking metrics. */
  k: number;
  gate: GatePolicy;
  /** Ship the holdout-trained artifacts instead of retraining on all events (halves the time). */
  shipHoldoutModels: boolean;
  /** How far back a run of only RECENT_ONLY_MODELS reads events, ms. */
  recentWindowMs: number;
  /** Weight kept by the events of accounts flagged as shilling (0 = ignored; see shilling-discount.ts). */
  flaggedUserWeight: number;
}

/**
 * Models trained from the newest window of events alone: trending's sums decay with half-lives of
 * 1 h to 30 days, so a run of only these (the 15-minute refresh) reads `recentWindowMs` of events,
 * not every event, and corrects its sums for the part left unread.
 */
export const RECENT_ONLY_MODELS: readonly ModelName[] = ['trending'];

export const DEFAULT_RETRAIN_OPTIONS: RetrainOptions = {
  training: DEFAULT_TRAINING_OPTIONS,
  eventWeights: DEFAULT_EVENT_WEIGHTS,
  holdout: 0.2,
  k: 10,
  gate: DEFAULT_GATE_POLICY,
  shipHoldoutModels: false,
  recentWindowMs: 30 * 86_400_000,
  flaggedUserWeight: 0,
};

export interface RetrainReport {
  events: number;
  items: number;
  trainedAt: string;
  /** Wall time, ms. */
  durationMs: number;
  versions: ModelVersion[];
  defaultModel?: string;
  /** Holdout figures of the live versions, re-measured this run (absent when not loadable). */
  liveFigures: Partial<Record<ModelName, Record<string, number>>>;
  /** Models not trained this run, each with the reason; their live versions stay. */
  skipped: Partial<Record<ModelName, string>>;
}

export interface RetrainDependencies {
  sources: TrainingSources;
  records: ModelRecordStore;
  artifacts: ArtifactStore;
  now?: () => Date;
  options?: Partial<RetrainOptions>;
  /** Hook for the caller's logger. */
  log?: (message: string, details?: Record<string, unknown>) => void;
  /** Accounts the live shilling model flagged, whose events are discounted; absent = none. */
  flaggedUsers?: () => Promise<ReadonlySet<string>>;
  /** The function's memory, MB: dense EASE models that would not fit it are skipped; absent = no check. */
  memoryMb?: number;
}

function figures(e: ModelEvaluation): Record<string, number> {
  return { ...e.metrics, scoringMs: e.scoringMs };
}

/** The data of one run: raw events, the catalog, and the events aggregated per (user, item). */
export interface TrainingData {
  events: InteractionEvent[];
  items: Item[];
  interactions: WeightedInteraction[];
}

/** The gate's holdout: train on `train`, measure on what users did after `cut` (epoch ms). */
export interface Holdout {
  train: WeightedInteraction[];
  cut: number;
  /** Per user, the items first met after the cut: the relevant set of the ranking metrics. */
  relevant: Map<string, Set<string>>;
}

/**
 * Trains, evaluates and gates every recommendation model; returns what was recorded. The steps:
 * load, split for the gate, train candidates, train the shipped artifacts, then gate and publish
 * (shared with the distributed retrain's reduce).
 */
export async function retrainRecommendationModels(deps: RetrainDependencies): Promise<RetrainReport> {
  const started = performance.now();
  const options = { ...DEFAULT_RETRAIN_OPTIONS, ...deps.options };
  const now = (deps.now ?? (() => new Date()))();
  const recentOnly = options.training.models.every((name) => RECENT_ONLY_MODELS.includes(name));
  const since = recentOnly ? now.getTime() - options.recentWindowMs : undefined;
  const prepared = await prepareTrainingData(deps, options, now, since);
  const report = (versions: ModelVersion[], extra: Partial<RetrainReport> = {}): RetrainReport => ({
    events: prepared.data.events.length,
    items: prepared.data.items.length,
    trainedAt: now.toISOString(),
    durationMs: performance.now() - started,
    versions,
    liveFigures: {},
    skipped: {},
    ...extra,
  });
  if (!prepared.holdout) return report([]);
  const { data, holdout } = prepared;
  const { training, skipped } = withoutOversizedModels(
    options.training,
    data.items.length,
    deps,
    options.shipHoldoutModels,
  );
  const candidates = await trainAllModels(
    { interactions: holdout.train, items: data.items, now: holdout.cut, since },
    training,
  );
  const shipped = options.shipHoldoutModels
    ? candidates
    : await trainAllModels(
        { interactions: data.interactions, items: data.items, now: now.getTime(), since },
        training,
      );
  const published = await gateAndPublish(deps, {
    candidates,
    shipped,
    holdout,
    trainedAt: now,
    dataCutoff: options.shipHoldoutModels ? holdout.cut - 1 : newestTimestamp(data.interactions),
    options,
  });
  return report(published.versions, { ...published, skipped });
}

/**
 * Matrices of items² x 4 bytes a single-path run holds beside one dense solve's measured five,
 * counted from trainAllModels (not measured): a pass's session EASE solve (ease-session, or hybrid's)
 * runs beside that pass's EASE artifact, and the shipped pass's solves beside the candidates' dense
 * artifacts (EASE, session EASE, hybrid). Every model: 3 + 1 = 4.
 */
export function singlePathHeldMatrices(models: readonly ModelName[], shipsCandidates: boolean): number {
  const dense = models.filter((name) => (DENSE_EASE_MODELS as readonly ModelName[]).includes(name)).length;
  const sessionAfterEase =
    models.includes('ease') && (models.includes('ease-session') || models.includes('hybrid'));
  return (shipsCandidates ? 0 : dense) + (sessionAfterEase ? 1 : 0);
}

/** The run's models less the dense EASE ones its memory cannot hold (each logged with the reason). */
function withoutOversizedModels(
  training: TrainingOptions,
  catalogItems: number,
  deps: Pick<RetrainDependencies, 'memoryMb' | 'log'>,
  /** The run ships its holdout candidates (one training pass, not two). */
  shipsCandidates: boolean,
): { training: TrainingOptions; skipped: Partial<Record<ModelName, string>> } {
  if (deps.memoryMb === undefined) return { training, skipped: {} };
  const held = singlePathHeldMatrices(training.models, shipsCandidates);
  const skipped = denseEaseSkips(training, catalogItems, deps.memoryMb, held);
  for (const [model, reason] of Object.entries(skipped))
    deps.log?.('retrain: model skipped', { model, reason });
  return { training: { ...training, models: training.models.filter((name) => !(name in skipped)) }, skipped };
}

/** Epoch ms of the newest interaction (0 when none). */
export const newestTimestamp = (interactions: readonly WeightedInteraction[]): number =>
  interactions.reduce((max, x) => Math.max(max, x.timestamp), 0);

/**
 * The data of one run, flagged accounts discounted, and the gate's holdout; no holdout when there
 * is nothing to train on (no positive event or no item), which is logged as such.
 */
export async function prepareTrainingData(
  deps: Pick<RetrainDependencies, 'sources' | 'flaggedUsers' | 'log'>,
  options: Pick<RetrainOptions, 'eventWeights' | 'flaggedUserWeight' | 'holdout'>,
  now: Date,
  since?: number,
): Promise<{ data: TrainingData; holdout?: Holdout }> {
  const log = deps.log ?? (() => {});
  const flagged = (await deps.flaggedUsers?.()) ?? new Set<string>();
  const data = await loadTrainingData(deps.sources, options.eventWeights, since);
  data.interactions = discountFlaggedUsers(data.interactions, flagged, options.flaggedUserWeight);
  if (!data.interactions.some((x) => x.weight > 0) || data.items.length === 0) {
    log('retrain: nothing to train on (no positive events or no items); live models unchanged', {
      events: data.events.length,
      items: data.items.length,
    });
    return { data };
  }
  const holdout = splitForGate(data.interactions, options.holdout, now);
  log('retrain: data', {
    events: data.events.length,
    items: data.items.length,
    train: holdout.train.length,
    test: data.interactions.length - holdout.train.length,
    flaggedUsers: flagged.size,
  });
  return { data, holdout };
}

/** What a run hands the gate: candidates trained on the holdout's train part, and the artifacts to ship. */
export interface GateInput {
  candidates: readonly TrainedArtifact[];
  /** One per candidate (the candidates themselves when the run ships holdout-trained models). */
  shipped: readonly TrainedArtifact[];
  holdout: Holdout;
  trainedAt: Date;
  /** Epoch ms of the newest event in the shipped artifacts. */
  dataCutoff: number;
  options: Pick<RetrainOptions, 'k' | 'gate'>;
}

/**
 * Measures the candidates and the live versions on the holdout, records every shipped artifact
 * through the registry gate (live when it wins), then makes the best live personal model the default.
 */
export async function gateAndPublish(
  deps: Pick<RetrainDependencies, 'records' | 'artifacts' | 'log'>,
  input: GateInput,
): Promise<Pick<RetrainReport, 'versions' | 'defaultModel' | 'liveFigures'>> {
  const log = deps.log ?? (() => {});
  const { holdout, options } = input;
  const evaluations = await evaluateArtifacts(input.candidates, holdout.train, holdout.relevant, options.k);
  const liveFigures = await measureLiveVersions(deps, input.candidates, holdout, options.k, log);
  const versions: ModelVersion[] = [];
  for (const artifact of input.shipped) {
    const version = await publishCandidate(
      deps.records,
      deps.artifacts,
      {
        name: artifact.name,
        bytes: artifact.bytes,
        trainMs: artifact.trainMs,
        trainedAt: input.trainedAt,
        dataCutoff: input.dataCutoff,
        metrics: figures(evaluations.find((e) => e.name === artifact.name)!),
        liveMetricsNow: liveFigures[artifact.name],
      },
      options.gate,
    );
    log('retrain: recorded', { model: version.name, version: version.version, gate: version.gate });
    versions.push(version);
  }
  const defaultModel = await chooseDefaultModel(deps.records, versions, liveFigures, options.gate.metric);
  return { versions, defaultModel, liveFigures };
}

/** Reads the events (from `since` on, when given) and the catalog, and aggregates the events per (user, item). */
async function loadTrainingData(
  sources: TrainingSources,
  weights: EventWeights,
  since: number | undefined,
): Promise<TrainingData> {
  const [events, items] = await Promise.all([sources.loadEvents(since), sources.loadItems()]);
  return { events, items, interactions: aggregateEvents(events, weights) };
}

/** The newest `share` of interactions held out by time; items a user met before the cut are not relevant. */
export function splitForGate(interactions: WeightedInteraction[], share: number, now: Date): Holdout {
  const split = globalTimeSplit(interactions, share);
  return holdoutOf(split.train, split.test, split.test[0]?.timestamp ?? now.getTime());
}

/** The holdout of a time split at `cut` (epoch ms): what each user met after it and not before. */
export function holdoutOf(
  train: WeightedInteraction[],
  test: readonly WeightedInteraction[],
  cut: number,
): Holdout {
  const seenInTrain = new Set(train.map((x) => `${x.userId}\u0000${x.itemId}`));
  const relevant = relevantByUser(test.filter((x) => !seenInTrain.has(`${x.userId}\u0000${x.itemId}`)));
  return { train, cut, relevant };
}

/**
 * Re-measures a live version on this holdout only if it never saw the holdout (trained on data
 * older than the cut); otherwise its figures would be inflated, and its recorded ones are used.
 */
async function measureLiveVersions(
  deps: Pick<RetrainDependencies, 'records' | 'artifacts'>,
  candidates: readonly TrainedArtifact[],
  holdout: Holdout,
  k: number,
  log: NonNullable<RetrainDependencies['log']>,
): Promise<RetrainReport['liveFigures']> {
  const liveFigures: RetrainReport['liveFigures'] = {};
  const { live } = await livePointersOf(
    deps.records,
    candidates.map((c) => c.name),
  );
  for (const candidate of candidates) {
    const pointer = live.get(candidate.name);
    if (!pointer) continue;
    const record = await deps.records.getVersion(candidate.name, pointer.version);
    if (!record || record.dataCutoff === undefined || record.dataCutoff >= holdout.cut) continue;
    try {
      const bytes = await deps.artifacts.get(record.artifactKey);
      const [measured] = await evaluateArtifacts(
        [{ name: candidate.name, bytes, trainMs: record.trainMs }],
        holdout.train,
        holdout.relevant,
        k,
      );
      liveFigures[candidate.name] = figures(measured);
    } catch (error) {
      log('retrain: live version could not be re-measured; its recorded figures are used', {
        model: candidate.name,
        version: pointer.version,
        error: String(error),
      });
    }
  }
  return liveFigures;
}

/** Makes the best personal model now live, on this holdout, the default; returns its name. */
async function chooseDefaultModel(
  records: ModelRecordStore,
  versions: readonly ModelVersion[],
  liveFigures: RetrainReport['liveFigures'],
  metric: string,
): Promise<ModelName | undefined> {
  const { live } = await livePointersOf(records, PERSONAL_MODELS);
  const scoreOf = (name: ModelName, version: string) => {
    const fresh = versions.find((v) => v.name === name && v.version === version);
    return fresh ? fresh.metrics[metric] : liveFigures[name]?.[metric];
  };
  const ranked = PERSONAL_MODELS.flatMap((name) => {
    const pointer = live.get(name);
    return pointer ? [{ name, value: scoreOf(name, pointer.version) ?? Number.NEGATIVE_INFINITY }] : [];
  }).sort((a, b) => b.value - a.value);
  if (ranked[0]) await records.setDefaultModel(ranked[0].name);
  return ranked[0]?.name;
}

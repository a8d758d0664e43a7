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
import { globalTimeSplit, relevantByUser } from './evaluation.ts';
import { aggregateEvents, DEFAULT_EVENT_WEIGHTS, type EventWeights } from './interactions.ts';
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
  /** Every stored event (the events table's TTL bounds how far back). */
  loadEvents(): Promise<InteractionEvent[]>;
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
  /** Weight kept by the events of accounts flagged as shilling (0 = ignored; see shilling-discount.ts). */
  flaggedUserWeight: number;
}

export const DEFAULT_RETRAIN_OPTIONS: RetrainOptions = {
  training: DEFAULT_TRAINING_OPTIONS,
  eventWeights: DEFAULT_EVENT_WEIGHTS,
  holdout: 0.2,
  k: 10,
  gate: DEFAULT_GATE_POLICY,
  shipHoldoutModels: false,
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
}

function figures(e: ModelEvaluation): Record<string, number> {
  return { ...e.metrics, scoringMs: e.scoringMs };
}

/** Trains, evaluates and gates every recommendation model; returns what was recorded. */
export async function retrainRecommendationModels(deps: RetrainDependencies): Promise<RetrainReport> {
  const started = performance.now();
  const options = { ...DEFAULT_RETRAIN_OPTIONS, ...deps.options };
  const now = (deps.now ?? (() => new Date()))();
  const log = deps.log ?? (() => {});
  const [events, items] = await Promise.all([deps.sources.loadEvents(), deps.sources.loadItems()]);
  const flagged = (await deps.flaggedUsers?.()) ?? new Set<string>();
  const interactions = discountFlaggedUsers(
    aggregateEvents(events, options.eventWeights),
    flagged,
    options.flaggedUserWeight,
  );
  if (!interactions.some((x) => x.weight > 0) || items.length === 0) {
    log('retrain: nothing to train on (no positive events or no items); live models unchanged', {
      events: events.length,
      items: items.length,
    });
    return {
      events: events.length,
      items: items.length,
      trainedAt: now.toISOString(),
      durationMs: performance.now() - started,
      versions: [],
      liveFigures: {},
    };
  }
  const split = globalTimeSplit(interactions, options.holdout);
  const cut = split.test[0]?.timestamp ?? now.getTime();
  const seenInTrain = new Set(split.train.map((x) => `${x.userId}\u0000${x.itemId}`));
  const relevant = relevantByUser(split.test.filter((x) => !seenInTrain.has(`${x.userId}\u0000${x.itemId}`)));
  log('retrain: data', {
    events: events.length,
    items: items.length,
    train: split.train.length,
    test: split.test.length,
    flaggedUsers: flagged.size,
  });

  const candidates = await trainAllModels({ interactions: split.train, items, now: cut }, options.training);
  const evaluations = await evaluateArtifacts(candidates, split.train, relevant, options.k);

  // Re-measure a live version on this holdout only if it never saw the holdout (trained on data
  // older than the cut); otherwise its figures would be inflated, and its recorded ones are used.
  const liveFigures: RetrainReport['liveFigures'] = {};
  const candidateNames = candidates.map((c) => c.name);
  const { live: liveBefore } = await livePointersOf(deps.records, candidateNames);
  for (const candidate of candidates) {
    const pointer = liveBefore.get(candidate.name);
    if (!pointer) continue;
    const record = await deps.records.getVersion(candidate.name, pointer.version);
    if (!record || record.dataCutoff === undefined || record.dataCutoff >= cut) continue;
    try {
      const bytes = await deps.artifacts.get(record.artifactKey);
      const [live] = await evaluateArtifacts(
        [{ name: candidate.name, bytes, trainMs: record.trainMs }],
        split.train,
        relevant,
        options.k,
      );
      liveFigures[candidate.name] = figures(live);
    } catch (error) {
      log('retrain: live version could not be re-measured; its recorded figures are used', {
        model: candidate.name,
        version: pointer.version,
        error: String(error),
      });
    }
  }

  const newest = interactions.reduce((max, x) => Math.max(max, x.timestamp), 0);
  const shipped: TrainedArtifact[] = options.shipHoldoutModels
    ? candidates
    : await trainAllModels({ interactions, items, now: now.getTime() }, options.training);
  const versions: ModelVersion[] = [];
  for (const artifact of shipped) {
    const evaluation = evaluations.find((e) => e.name === artifact.name)!;
    const version = await publishCandidate(
      deps.records,
      deps.artifacts,
      {
        name: artifact.name,
        bytes: artifact.bytes,
        trainMs: artifact.trainMs,
        trainedAt: now,
        dataCutoff: options.shipHoldoutModels ? cut - 1 : newest,
        metrics: figures(evaluation),
        liveMetricsNow: liveFigures[artifact.name],
      },
      options.gate,
    );
    log('retrain: recorded', { model: version.name, version: version.version, gate: version.gate });
    versions.push(version);
  }

  // The default is the best personal model among those now live, on this holdout.
  const { live: livePersonal } = await livePointersOf(deps.records, PERSONAL_MODELS);
  const liveNow = PERSONAL_MODELS.map((name) => ({ name, pointer: livePersonal.get(name) }));
  const scoreOf = (name: ModelName, version: string) => {
    const fresh = versions.find((v) => v.name === name && v.version === version);
    return fresh ? fresh.metrics[options.gate.metric] : liveFigures[name]?.[options.gate.metric];
  };
  const ranked = liveNow
    .filter((x) => x.pointer)
    .map((x) => ({ name: x.name, value: scoreOf(x.name, x.pointer!.version) ?? Number.NEGATIVE_INFINITY }))
    .sort((a, b) => b.value - a.value);
  if (ranked[0]) await deps.records.setDefaultModel(ranked[0].name);
  return {
    events: events.length,
    items: items.length,
    trainedAt: now.toISOString(),
    durationMs: performance.now() - started,
    versions,
    defaultModel: ranked[0]?.name,
    liveFigures,
  };
}

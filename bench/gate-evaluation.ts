/**
 * What the distributed run's gate costs at the Reduce, measured: candidates trained on the train
 * part of a log of the scale bench's shape (the single path's trainAllModels, 3,000 modelled EASE
 * items, production ALS), then evaluated on a sample of holdout users through the code the gate
 * runs (evaluateArtifacts: the serving ONNX graphs, one user at a time). The figure is milliseconds
 * per evaluated user and model; the Reduce evaluates RETRAIN_GATE_SAMPLE_USERS users per candidate,
 * and again per live version it re-measures.
 */
import type { ModelName } from '#domain/recommendations/artifact.ts';
import { DISTRIBUTED_MODELS } from '#domain/recommendations/distributed-run.ts';
import {
  aggregateEvents,
  DEFAULT_EVENT_WEIGHTS,
  type WeightedInteraction,
} from '#domain/recommendations/interactions.ts';
import { DEFAULT_RETRAIN_OPTIONS, splitForGate } from '#domain/recommendations/retrain.ts';
import {
  DEFAULT_TRAINING_OPTIONS,
  evaluateArtifacts,
  trainAllModels,
} from '#domain/recommendations/training.ts';
import { DEFAULT_LOG_SHAPE, LOG_NOW, skewedEventLog } from './skewed-event-log.ts';

export interface GateEvaluationFigures {
  events: number;
  /** Holdout users evaluated per model. */
  users: number;
  /** Milliseconds per evaluated user, per model. */
  msPerUser: Partial<Record<ModelName, number>>;
  /** Milliseconds each model took to train on the log's train part. */
  trainMs: Partial<Record<ModelName, number>>;
}

/** The models a distributed run's gate evaluates: every model the machine trains. */
export const GATE_MEASURED_MODELS: readonly ModelName[] = DISTRIBUTED_MODELS;

export async function measureGateEvaluation(
  options: { events?: number; users?: number } = {},
): Promise<GateEvaluationFigures> {
  const events = options.events ?? 400_000;
  const log = skewedEventLog({ ...DEFAULT_LOG_SHAPE, events });
  const interactions: WeightedInteraction[] = [];
  for (let u = 0; u < log.userIds.length; u++)
    interactions.push(...aggregateEvents(log.eventsOf(u), DEFAULT_EVENT_WEIGHTS));
  const holdout = splitForGate(interactions, DEFAULT_RETRAIN_OPTIONS.holdout, new Date(LOG_NOW));
  const sampled = [...holdout.relevant.keys()].slice(0, options.users ?? 2_000);
  const relevant = new Map(sampled.map((userId) => [userId, holdout.relevant.get(userId)!]));
  const artifacts = await trainAllModels(
    { interactions: holdout.train, items: log.catalog, now: holdout.cut },
    { ...DEFAULT_TRAINING_OPTIONS, models: GATE_MEASURED_MODELS },
  );
  const msPerUser: Partial<Record<ModelName, number>> = {};
  const trainMs: Partial<Record<ModelName, number>> = {};
  for (const artifact of artifacts) {
    trainMs[artifact.name] = artifact.trainMs;
    const started = performance.now();
    await evaluateArtifacts([artifact], holdout.train, relevant, DEFAULT_RETRAIN_OPTIONS.k);
    msPerUser[artifact.name] = (performance.now() - started) / relevant.size;
  }
  return { events: log.totalEvents, users: relevant.size, msPerUser, trainMs };
}

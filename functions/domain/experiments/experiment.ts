/**
 * Experiments between models: what one is, the checks a new one passes, and which variant a user
 * sees. Assignment is deterministic and sticky: SHA-256 of `experimentId:userId`, its first 32 bits
 * read as a fraction of 2^32, falls into the variant whose share of the cumulative weights covers
 * it. The same user always gets the same variant of an experiment, in every container, with no
 * stored assignment; users of two experiments are split independently.
 */
import { createHash } from 'node:crypto';
import { ConflictError, type FieldProblem, ValidationError } from '../errors.ts';
import type { Surface } from './recommendation-id.ts';

/** Surfaces an experiment can run on: those whose lists are made for a known user. */
export const EXPERIMENT_SURFACES = ['recommendations', 'rank'] as const satisfies readonly Surface[];
export type ExperimentSurface = (typeof EXPERIMENT_SURFACES)[number];

export interface Variant {
  name: string;
  model: string;
  /** Relative traffic share; the shares are weights over their sum. */
  weight: number;
}

export interface Experiment {
  experimentId: string;
  name: string;
  surface: ExperimentSurface;
  /** The first variant is the control every other is compared with. */
  variants: Variant[];
  /** ISO 8601: when users start being assigned. */
  startAt: string;
  /** ISO 8601: when assignment ends, if planned. */
  stopAt?: string;
  /** ISO 8601: when it was stopped by hand. */
  stoppedAt?: string;
  /** Users (all variants) the experiment is planned to reach: the lift interval is narrowest there. */
  plannedUsers?: number;
  createdAt: string;
}

/**
 * Planned users when an experiment names none: a few thousand users is where a model change of
 * tens of percent in plays per impression becomes visible at a few percent play rate, and the
 * interval stays within 1.3x of its narrowest from a tenth to ten times the plan.
 */
export const DEFAULT_PLANNED_USERS = 5000;

export const plannedUsersOf = (experiment: Pick<Experiment, 'plannedUsers'>): number =>
  experiment.plannedUsers ?? DEFAULT_PLANNED_USERS;

export type ExperimentStatus = 'scheduled' | 'running' | 'stopped';

export interface ExperimentInput {
  name: string;
  surface: ExperimentSurface;
  variants: Variant[];
  startAt?: string;
  stopAt?: string;
  plannedUsers?: number;
}

/** Epoch ms the experiment stops assigning (stopped by hand or planned), or Infinity. */
export const endOf = (experiment: Experiment): number =>
  Math.min(
    experiment.stoppedAt ? Date.parse(experiment.stoppedAt) : Number.POSITIVE_INFINITY,
    experiment.stopAt ? Date.parse(experiment.stopAt) : Number.POSITIVE_INFINITY,
  );

export function statusOf(experiment: Experiment, nowMs: number): ExperimentStatus {
  if (nowMs >= endOf(experiment)) return 'stopped';
  return nowMs < Date.parse(experiment.startAt) ? 'scheduled' : 'running';
}

/**
 * A new experiment from its input, checked against the known models and the experiments that
 * exist: weights with a positive total, distinct variant names, stop after start, no other
 * experiment on the surface during its time. Throws ValidationError or ConflictError naming fields.
 */
export function planExperiment(
  input: ExperimentInput,
  context: { experimentId: string; nowMs: number; models: readonly string[]; existing: Experiment[] },
): Experiment {
  const problems: FieldProblem[] = [];
  const total = input.variants.reduce((sum, v) => sum + v.weight, 0);
  if (!(total > 0))
    problems.push({ field: 'body.variants', message: `weights must sum to a positive total, got ${total}` });
  const names = new Set<string>();
  input.variants.forEach((variant, index) => {
    if (names.has(variant.name))
      problems.push({ field: `body.variants[${index}].name`, message: `'${variant.name}' appears twice` });
    names.add(variant.name);
    if (!context.models.includes(variant.model))
      problems.push({
        field: `body.variants[${index}].model`,
        message: `'${variant.model}' is not a model; one of ${context.models.join(', ')}`,
      });
  });
  const now = new Date(context.nowMs).toISOString();
  const startAt = input.startAt ?? now;
  if (input.stopAt && Date.parse(input.stopAt) <= Date.parse(startAt))
    problems.push({ field: 'body.stopAt', message: 'must be after startAt' });
  if (problems.length > 0)
    throw new ValidationError('the experiment is invalid; nothing was stored', problems);
  const experiment: Experiment = {
    experimentId: context.experimentId,
    name: input.name,
    surface: input.surface,
    variants: input.variants,
    startAt,
    ...(input.stopAt ? { stopAt: input.stopAt } : {}),
    ...(input.plannedUsers ? { plannedUsers: input.plannedUsers } : {}),
    createdAt: now,
  };
  const overlapping = context.existing.find(
    (other) =>
      other.surface === experiment.surface &&
      Date.parse(other.startAt) < endOf(experiment) &&
      Date.parse(experiment.startAt) < endOf(other),
  );
  if (overlapping)
    throw new ConflictError(
      `experiment '${overlapping.experimentId}' (${overlapping.name}) runs on ${experiment.surface} at the same time`,
      { problems: [{ field: 'body.surface', message: 'another experiment overlaps on this surface' }] },
    );
  return experiment;
}

/** The experiment stopped now; ConflictError (409) when it already was. */
export function stopExperiment(experiment: Experiment, nowMs: number): Experiment {
  if (statusOf(experiment, nowMs) === 'stopped')
    throw new ConflictError(`experiment '${experiment.experimentId}' is already stopped`, {
      problems: [{ field: 'path.experimentId', message: 'is already stopped' }],
    });
  return { ...experiment, stoppedAt: new Date(nowMs).toISOString() };
}

/** Where a user falls in [0, 1) for an experiment (see the module comment). */
export function assignmentPoint(experimentId: string, userId: string): number {
  const digest = createHash('sha256').update(`${experimentId}:${userId}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** The variant a user sees in an experiment: sticky, deterministic, in proportion to the weights. */
export function assignVariant(
  experiment: Pick<Experiment, 'experimentId' | 'variants'>,
  userId: string,
): Variant {
  const total = experiment.variants.reduce((sum, v) => sum + v.weight, 0);
  let point = assignmentPoint(experiment.experimentId, userId) * total;
  for (const variant of experiment.variants) {
    if (point < variant.weight) return variant;
    point -= variant.weight;
  }
  // Rounding can leave the point a hair past the last positive weight.
  return experiment.variants.findLast((v) => v.weight > 0) ?? experiment.variants[0];
}

/** Contracts of the experiments routes: create, list, read, stop and results. */
import * as z from 'zod';
import { EXPERIMENT_SURFACES } from '#domain/experiments/experiment.ts';
import { Id } from './common.ts';
import { lazyContracts } from './types.ts';

const VariantInput = () =>
  z.strictObject({
    name: Id.max(64, { error: 'must be at most 64 characters' }),
    // Checked by the service against the models it knows, so the problem names the variant.
    model: z.string({ error: 'must be a model name' }).min(1).max(64),
    weight: z.number({ error: 'must be a number' }).finite().min(0, { error: 'must not be negative' }),
  });

const Experiment = () =>
  z.object({
    experimentId: z.string(),
    name: z.string(),
    surface: z.enum(EXPERIMENT_SURFACES),
    variants: z.array(z.object({ name: z.string(), model: z.string(), weight: z.number() })),
    startAt: z.string(),
    stopAt: z.string().optional(),
    stoppedAt: z.string().optional(),
    plannedUsers: z.number().optional(),
    createdAt: z.string(),
    status: z.enum(['scheduled', 'running', 'stopped']),
  });

const Interval = () => z.object({ low: z.number(), high: z.number() });
const Estimate = () => z.object({ value: z.number().nullable(), interval: Interval().nullable() });

const experimentPath = () => z.object({ experimentId: Id });

export const experimentsContracts = lazyContracts({
  createExperiment: () => ({
    body: z.strictObject({
      name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(200),
      surface: z.enum(EXPERIMENT_SURFACES, { error: `must be one of ${EXPERIMENT_SURFACES.join(', ')}` }),
      // The first variant is the control.
      variants: z
        .array(VariantInput(), { error: 'must be an array of variants' })
        .min(2, { error: 'must have at least 2 variants (the first is the control)' })
        .max(10, { error: 'must have at most 10 variants' }),
      startAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
      stopAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
      // Tunes the always-valid interval to be narrowest at this many users (default 5,000).
      plannedUsers: z
        .number({ error: 'must be a number of users' })
        .int({ error: 'must be a whole number of users' })
        .min(2, { error: 'must be at least 2' })
        .max(1e9, { error: 'must be at most 1e9' })
        .optional(),
    }),
    response: Experiment(),
    status: 201,
    errors: { 409: 'Another experiment runs on the same surface at the same time' },
  }),
  listExperiments: () => ({ response: z.object({ experiments: z.array(Experiment()) }) }),
  getExperiment: () => ({ params: experimentPath(), response: Experiment() }),
  stopExperiment: () => ({
    params: experimentPath(),
    response: Experiment(),
    errors: { 409: 'The experiment is already stopped' },
  }),
  getExperimentResults: () => ({
    params: experimentPath(),
    response: z.object({
      experimentId: z.string(),
      status: z.enum(['scheduled', 'running', 'stopped']),
      control: z.string(),
      primaryMetric: z.literal('playRate'),
      method: z.string(),
      variants: z.array(
        z.object({
          name: z.string(),
          model: z.string(),
          weight: z.number(),
          users: z.number(),
          impressions: z.number(),
          clicks: z.number(),
          plays: z.number(),
          clickThroughRate: Estimate(),
          playRate: Estimate(),
          usersClickedRate: Estimate(),
          usersPlayedRate: Estimate(),
          lift: Estimate().optional(),
        }),
      ),
      verdict: z.enum(['control', 'treatment', 'not yet']),
      winner: z.string().optional(),
      sampleRatio: z.object({ chiSquare: z.number(), pValue: z.number(), mismatch: z.boolean() }),
    }),
  }),
});

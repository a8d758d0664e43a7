/** Contracts of the recommendation routes: recommendations, rank, similar items, trending and the registry. */
import * as z from 'zod';
import { PROFILE_MODEL_NAME_LIST } from '#domain/profiles/registry.ts';
import { MODEL_NAMES } from '#domain/recommendations/artifact.ts';
import { TRENDING_WINDOWS } from '#domain/recommendations/popularity.ts';
import { booleanParam, csvParam, Id } from './common.ts';
import { lazyContracts } from './types.ts';

export const MAX_RANK_ITEMS = 500;

// Builders rather than shared instances: a route builds only the schemas it uses, when first read.
const k = () =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be between 1 and 100' })
    .max(100, { error: 'must be between 1 and 100' })
    .default(10);

const model = () => z.enum(MODEL_NAMES, { error: `must be one of ${MODEL_NAMES.join(', ')}` }).optional();

const genreList = () =>
  csvParam.pipe(
    z
      .array(Id.max(64, { error: 'each genre must be at most 64 characters' }))
      .min(1, { error: 'must name at least one genre' })
      .max(20, { error: 'must name at most 20 genres' }),
  );

const windows = TRENDING_WINDOWS.map((w) => w.name) as [string, ...string[]];

const RecommendedItem = () =>
  z.object({
    itemId: z.string(),
    score: z.number(),
    reason: z.string(),
    // 1-based; send it back with impression, click and play events.
    position: z.number().int(),
  });
const Recommendations = () =>
  z.object({
    // `fallback` before any model exists: the most-played or newest stored items, the reason says so.
    model: z.enum([...MODEL_NAMES, 'fallback']),
    version: z.string(),
    // Signed id of this list: send it back with impression, click and play events (attribution).
    recommendationId: z.string(),
    // Present when an experiment chose the model for this user.
    experimentId: z.string().optional(),
    variant: z.string().optional(),
    items: z.array(RecommendedItem()),
  });

const GateDecision = () =>
  z.object({
    decision: z.enum(['promoted', 'rejected']),
    metric: z.string(),
    candidateValue: z.number().optional(),
    liveValue: z.number().optional(),
    liveVersion: z.string().optional(),
    reason: z.string(),
  });

const ModelVersion = () =>
  z.object({
    name: z.string(),
    version: z.string(),
    status: z.enum(['live', 'candidate', 'rejected', 'retired']),
    artifactKey: z.string(),
    sizeBytes: z.number(),
    trainedAt: z.string(),
    trainMs: z.number(),
    metrics: z.record(z.string(), z.number()),
    gate: GateDecision().optional(),
  });

export const recommendationsContracts = lazyContracts({
  getRecommendations: () => ({
    params: z.object({ userId: Id }),
    query: z
      .strictObject({
        k: k(),
        model: model(),
        genres: genreList().optional(),
        excludeGenres: genreList().optional(),
        excludeSeen: booleanParam.default(true),
        playableOnly: booleanParam.default(false),
      })
      .superRefine((q, ctx) => {
        const both = (q.genres ?? []).filter((g) =>
          (q.excludeGenres ?? []).some((x) => x.toLowerCase() === g.toLowerCase()),
        );
        if (both.length > 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['excludeGenres'],
            message: `both includes and excludes ${both.join(', ')}`,
          });
        }
      }),
    response: Recommendations().extend({ userId: z.string() }),
  }),
  rankItems: () => ({
    params: z.object({ userId: Id }),
    query: z.strictObject({ model: model() }),
    body: z.strictObject({
      itemIds: z
        .array(Id, { error: 'must be an array of item ids' })
        .min(1, { error: 'must not be empty' })
        .max(MAX_RANK_ITEMS, { error: `must have at most ${MAX_RANK_ITEMS} item ids` }),
    }),
    // Every given id comes back: ranked first, then unscorable and unknown ones with score null.
    response: Recommendations().extend({
      userId: z.string(),
      items: z.array(RecommendedItem().extend({ score: z.number().nullable() })),
      unknown: z.array(z.string()),
    }),
  }),
  getSimilarItems: () => ({
    params: z.object({ itemId: Id }),
    query: z.strictObject({ k: k(), model: model() }),
    response: Recommendations().extend({ itemId: z.string() }),
  }),
  getTrending: () => ({
    query: z.strictObject({
      k: k(),
      window: z.enum(windows, { error: `must be one of ${windows.join(', ')}` }).default('24h'),
      genres: genreList().optional(),
    }),
    response: Recommendations().extend({ window: z.string() }),
  }),
  listModels: () => ({
    response: z.object({
      defaultModel: z.string().optional(),
      // One retrain at a time: the run holding (or that last held) the lease, and the last refused.
      retrain: z.object({
        lastRun: z
          .object({
            runId: z.string(),
            reason: z.string(),
            startedAt: z.string(),
            expiresAt: z.string(),
            state: z.enum(['running', 'succeeded', 'failed']),
            finishedAt: z.string().optional(),
            models: z.array(z.string()).optional(),
            // Models the run did not train, each with the reason (e.g. a dense EASE over its memory).
            skipped: z.record(z.string(), z.string()).optional(),
          })
          .optional(),
        lastRefused: z
          .object({ requestedAt: z.string(), reason: z.string(), refusal: z.string() })
          .optional(),
      }),
      models: z.array(
        z.object({
          name: z.string(),
          family: z.enum(['recommendations', 'profiles']),
          liveVersion: z.string().optional(),
          versions: z.array(ModelVersion()),
        }),
      ),
    }),
  }),
  rollbackModel: () => ({
    // Profile names are accepted here so the service can say why they cannot be rolled back.
    params: z.object({
      name: z.enum([...MODEL_NAMES, ...PROFILE_MODEL_NAME_LIST], {
        error: `must be one of ${MODEL_NAMES.join(', ')}`,
      }),
    }),
    response: ModelVersion(),
    errors: { 409: 'The model has no earlier live version, or its live version changed meanwhile' },
  }),
});

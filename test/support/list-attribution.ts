/** A list attribution for tests: a fixed signing key and the experiments given. */
import type { Experiment } from '#domain/experiments/experiment.ts';
import { CachedExperiments, ListAttribution } from '#domain/experiments/list-attribution.ts';
import type { RecommendationIdKey } from '#domain/experiments/recommendation-id.ts';

export const TEST_SIGNING_KEY = new Uint8Array(32).fill(7);

export const testKey: RecommendationIdKey = { current: async () => TEST_SIGNING_KEY };

export const testListAttribution = (experiments: Experiment[] = [], clock: () => number = Date.now) =>
  new ListAttribution(new CachedExperiments(async () => experiments, 0, clock), testKey, clock);

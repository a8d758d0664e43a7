/**
 * The users a distributed run's gate measures: a seeded hash sample of about `sampleUsers` of the
 * run's users, drawn by each shard alone (the same FNV-1a rule the profile models sample by), so the
 * holdout the Reduce reads and evaluates stays bounded whatever the data size. Without it the stored
 * holdout grew by ~44 MB of JSON per million events and passed V8's longest string near 12M events.
 * The single path measures every user (its data fits one function anyway). The sample's size is
 * the declared RETRAIN_GATE_SAMPLE_USERS (20,000 by default: the holdout stays ~35 MB of JSON).
 */
import { inTrainingSample, samplingFor } from '#domain/profiles/sharded-training.ts';
import type { Holdout } from './retrain.ts';

/** The seed of the gate's sample (fixed: two runs over the same users measure the same ones). */
const GATE_SAMPLE_SEED = 0x9a7e;

export interface GateSampling {
  /** Share of users kept, 0..1. */
  rate: number;
  seed: number;
}

/** The sampling that keeps about `sampleUsers` of `users` users (all of them when fewer). */
export function gateSamplingFor(sampleUsers: number, users: number): GateSampling {
  return samplingFor(sampleUsers, users, GATE_SAMPLE_SEED);
}

/** The holdout's part the gate reads: the sampled users' relevant items and their train rows. */
export function sampledHoldout(
  holdout: Pick<Holdout, 'train' | 'relevant'>,
  sampling: GateSampling,
): { train: Holdout['train']; relevant: [string, string[]][] } {
  const kept = new Map(
    [...holdout.relevant].filter(([userId]) => inTrainingSample(userId, sampling.rate, sampling.seed)),
  );
  return {
    train: holdout.train.filter((x) => kept.has(x.userId)),
    relevant: [...kept].map(([userId, items]) => [userId, [...items]]),
  };
}

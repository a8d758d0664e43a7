/**
 * The shilling model of one retrain: the detection over every user's events, its last step exported
 * to ONNX with the findings as metadata (the registry keeps it behind the gate like the other profile
 * models), and the gate's figure: how the same detector does on an attack planted in the same data.
 */
import type { InteractionEvent } from '#domain/catalog/types.ts';
import { buildShillingGraph } from '#domain/onnx/profile-models.ts';
import {
  embedMetadata,
  PROFILE_MODEL_NAMES,
  type ProfileArtifact,
  type ShillingModelMetadata,
} from '../model-artifacts.ts';
import type { ProfileModelRegistry } from '../ports.ts';
import { rocAuc } from '../roc-auc.ts';
import { injectAttack } from './attacks.ts';
import {
  DEFAULT_SHILLING_DETECTOR_OPTIONS,
  detectShilling,
  type ShillingDetection,
  type ShillingDetectorOptions,
} from './detector.ts';

/** The evidence columns of the exported graph, in order. */
export const SHILLING_COLUMNS = ['own_suspicion', 'group_evidence'] as const;

/** The planted attack of the gate's drill: 3% of users, 3% filler, the average attack (the hardest to see alone). */
const DRILL = { type: 'average', attackSize: 0.03, fillerSize: 0.03, seed: 17 } as const;

export interface ShillingTraining {
  artifact: ProfileArtifact<ShillingModelMetadata>;
  detection: ShillingDetection;
  /** Gate and report figures: drill ROC-AUC and precision (absent when no attack could be planted). */
  metrics: {
    drillAuc?: number;
    drillPrecision?: number;
    flaggedShare: number;
    pushedItems: number;
    users: number;
  };
}

/** Detects on `events` as of `now` (epoch ms), measures the drill and builds the artifact. */
export function trainShillingModel(
  events: readonly InteractionEvent[],
  now: number,
  options: ShillingDetectorOptions = DEFAULT_SHILLING_DETECTOR_OPTIONS,
): ShillingTraining {
  const detection = detectShilling(events, now, options);
  const drill = measureOnPlantedAttack(events, now, options);
  const flagged = detection.verdicts.filter((v) => v.flagged);
  const metadata: ShillingModelMetadata = {
    name: PROFILE_MODEL_NAMES.shilling,
    columns: [...SHILLING_COLUMNS],
    settings: options,
    pushedItems: detection.pushedItems,
    flaggedUsers: flagged.map((v) => ({
      userId: v.userId,
      score: v.score,
      pushedItemId: v.pushedItemId as string,
      reason: v.reason as string,
    })),
    users: detection.users,
    asOf: now,
  };
  return {
    artifact: {
      name: PROFILE_MODEL_NAMES.shilling,
      onnx: buildShillingGraph({ metadata: embedMetadata(metadata) }),
      metadata,
    },
    detection,
    metrics: {
      ...drill,
      flaggedShare: detection.users > 0 ? flagged.length / detection.users : 0,
      pushedItems: detection.pushedItems.length,
      users: detection.users,
    },
  };
}

/** The accounts the live shilling model flagged (empty before one is live): what recommendations discount. */
export async function liveFlaggedUsers(registry: ProfileModelRegistry): Promise<Set<string>> {
  const version = (await registry.liveVersions())[PROFILE_MODEL_NAMES.shilling];
  if (!version) return new Set();
  const { artifact } = await registry.load<ShillingModelMetadata>(PROFILE_MODEL_NAMES.shilling, version);
  return new Set(artifact.metadata.flaggedUsers.map((f) => f.userId));
}

/** ROC-AUC and precision at the attack's size of the detector on a copy of `events` with DRILL planted. */
export function measureOnPlantedAttack(
  events: readonly InteractionEvent[],
  now: number,
  options: ShillingDetectorOptions,
): { drillAuc?: number; drillPrecision?: number } {
  let attack: ReturnType<typeof injectAttack>;
  try {
    attack = injectAttack(
      events.filter((e) => e.timestamp < now),
      [],
      DRILL,
    );
  } catch (error) {
    // Too little rating data to plant an attack (no item to push): the figure is left out.
    if (error instanceof RangeError) return {};
    throw error;
  }
  const end = attack.events.reduce((latest, e) => Math.max(latest, e.timestamp), now - 1) + 1;
  const { verdicts } = detectShilling(attack.events, end, options);
  const planted = new Set(attack.attackerIds);
  const labels = verdicts.map((v) => (planted.has(v.userId) ? 1 : 0));
  const auc = rocAuc(
    verdicts.map((v) => v.score),
    labels,
  );
  const top = verdicts.slice(0, planted.size).filter((v) => planted.has(v.userId)).length;
  return Number.isFinite(auc) ? { drillAuc: auc, drillPrecision: top / planted.size } : {};
}

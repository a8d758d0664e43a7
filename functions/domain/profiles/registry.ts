/**
 * Profile models in the same registry as the recommendation models (#domain/models/registry.ts):
 * same version records, live pointers, artifact keys and quality gate, one policy per profile model.
 */
import {
  type ArtifactStore,
  type GatePolicy,
  livePointersOf,
  type ModelRecordStore,
  publishCandidate,
} from '#domain/models/registry.ts';
import { NotFoundError } from '#domain/errors.ts';
import { assertFiniteNumbers } from './finite-numbers.ts';
import type {
  ProfileModelName,
  ProfileModelRegistry,
  PublishedProfileModel,
  StoredProfileModel,
} from './ports.ts';
import {
  metadataFromOnnx,
  PROFILE_MODEL_NAMES,
  type ProfileArtifact,
  type ProfileModelMetadata,
} from './model-artifacts.ts';

export const PROFILE_MODEL_NAME_LIST: readonly ProfileModelName[] = Object.values(PROFILE_MODEL_NAMES);

/**
 * The figure each profile model is gated on (higher is better) and the noise tolerated: a candidate
 * goes live when nothing is live or it is no worse than the live version by more than the tolerance.
 */
export const PROFILE_GATE_POLICIES: Record<ProfileModelName, GatePolicy> = {
  [PROFILE_MODEL_NAMES.segments]: { metric: 'silhouette', tolerance: 0.05 },
  [PROFILE_MODEL_NAMES.anomaly]: { metric: 'separation', tolerance: 0.05 },
  [PROFILE_MODEL_NAMES.churn]: { metric: 'auc', tolerance: 0.02 },
  // No labels in production: the detector is measured on an attack planted in the same data.
  [PROFILE_MODEL_NAMES.shilling]: { metric: 'drillAuc', tolerance: 0.02 },
};

export class ProfileRegistry implements ProfileModelRegistry {
  constructor(
    private readonly records: ModelRecordStore,
    private readonly artifacts: ArtifactStore,
  ) {}

  async liveVersions(): Promise<Partial<Record<ProfileModelName, string>>> {
    const { live } = await livePointersOf(this.records, PROFILE_MODEL_NAME_LIST);
    const out: Partial<Record<ProfileModelName, string>> = {};
    for (const name of PROFILE_MODEL_NAME_LIST) {
      const pointer = live.get(name);
      if (pointer) out[name] = pointer.version;
    }
    return out;
  }

  async load<M extends ProfileModelMetadata>(
    name: M['name'],
    version: string,
  ): Promise<StoredProfileModel<M>> {
    const record = await this.records.getVersion(name, version);
    if (!record) throw new NotFoundError('model version', `${name}/${version}`);
    const onnx = await this.artifacts.get(record.artifactKey);
    const artifact = { name, onnx, metadata: metadataFromOnnx<M>(onnx) } as ProfileArtifact<M>;
    return { name, version, artifact };
  }

  async publish(
    artifact: ProfileArtifact,
    figures: { metrics: Record<string, number>; trainMs: number; dataCutoff: number },
  ): Promise<PublishedProfileModel> {
    assertFiniteNumbers(figures, 'figures', `${artifact.name} model figures`);
    const record = await publishCandidate(
      this.records,
      this.artifacts,
      {
        name: artifact.name,
        bytes: artifact.onnx,
        trainMs: figures.trainMs,
        trainedAt: new Date(),
        dataCutoff: figures.dataCutoff,
        metrics: figures.metrics,
      },
      PROFILE_GATE_POLICIES[artifact.name],
    );
    return {
      name: artifact.name,
      version: record.version,
      status: record.status === 'live' ? 'live' : 'rejected',
      reason: record.gate?.reason ?? '',
    };
  }
}

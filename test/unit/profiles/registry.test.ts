import { describe, expect, it } from 'vitest';
import { InMemoryArtifacts, InMemoryModelRecords } from '../../support/memory-models.ts';
import { buildChurnGraph } from '#domain/onnx/profile-models.ts';
import { ProfileRegistry } from '#domain/profiles/registry.ts';
import {
  type ChurnModelMetadata,
  PROFILE_METADATA_KEY,
  type ProfileArtifact,
} from '#domain/profiles/model-artifacts.ts';

function churnArtifact(intercept: number): ProfileArtifact<ChurnModelMetadata> {
  const metadata: ChurnModelMetadata = {
    name: 'profile-churn',
    columns: ['x'],
    algorithm: 'logistic-regression',
    candidates: [{ algorithm: 'logistic-regression', auc: 0.8 }],
    horizonDays: 14,
    coefficients: [1],
    intercept,
    trainedCutoff: 0,
    asOf: 0,
  };
  return {
    name: 'profile-churn',
    onnx: buildChurnGraph({
      coefficients: [1],
      intercept,
      metadata: { [PROFILE_METADATA_KEY]: JSON.stringify(metadata) },
    }),
    metadata,
  };
}

describe('ProfileRegistry on the shared registry', () => {
  it('promotes the first churn model, keeps a slightly worse one (within 0.02 AUC) and rejects a clearly worse one', async () => {
    // Prepare: the registry's own in-memory stores.
    const registry = new ProfileRegistry(new InMemoryModelRecords(), new InMemoryArtifacts());
    const figures = (auc: number) => ({ metrics: { auc }, trainMs: 1, dataCutoff: 0 });

    // Act
    const first = await registry.publish(churnArtifact(0.1), figures(0.8));
    const close = await registry.publish(churnArtifact(0.2), figures(0.785));
    const worse = await registry.publish(churnArtifact(0.3), figures(0.7));

    // Assess
    expect([first.status, close.status, worse.status]).toEqual(['live', 'live', 'rejected']);
    expect([first.version, close.version, worse.version]).toEqual(['000001', '000002', '000003']);
    expect((await registry.liveVersions())['profile-churn']).toBe('000002');
    const loaded = await registry.load<ChurnModelMetadata>('profile-churn', '000002');
    expect(loaded.artifact.metadata.intercept).toBe(0.2);
    expect(Buffer.from(loaded.artifact.onnx).equals(Buffer.from(churnArtifact(0.2).onnx))).toBe(true);
  });

  it('reports no live versions before anything is published and refuses an unknown version', async () => {
    const registry = new ProfileRegistry(new InMemoryModelRecords(), new InMemoryArtifacts());
    expect(await registry.liveVersions()).toEqual({});
    await expect(registry.load('profile-segments', '000001')).rejects.toThrow(/not found/);
  });
});

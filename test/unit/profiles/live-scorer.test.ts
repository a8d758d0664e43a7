import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData } from '#domain/demo/generate.ts';
import { InMemoryArtifacts, InMemoryModelRecords } from '../../support/memory-models.ts';
import { completeVersions, liveProfileVersions, loadLiveScorer } from '#domain/profiles/live-scorer.ts';
import { ProfileRegistry } from '#domain/profiles/registry.ts';
import { createOnnxScorer } from '#domain/profiles/scoring.ts';
import { type ProfileTrainingResult, trainProfileModels } from '#domain/profiles/train.ts';

const NOW = Date.UTC(2026, 9, 1);

describe('loadLiveScorer', () => {
  let trained: ProfileTrainingResult;

  beforeAll(() => {
    // Prepare: a small demo training run (the registry does not gate on its quality here).
    const data = generateDemoData({ now: NOW, users: 300, items: 200 });
    trained = trainProfileModels(
      { events: data.events, items: data.items, users: data.users, now: NOW },
      { kMax: 6, anomalyTrees: 20 },
    );
  }, 120_000);

  it('scores with the live versions exactly as a scorer built from the trained artifacts does', async () => {
    // Prepare: publish the three models; the first version of each goes live.
    const registry = new ProfileRegistry(new InMemoryModelRecords(), new InMemoryArtifacts());
    const figures = { trainMs: 1, dataCutoff: NOW };
    await registry.publish(trained.artifacts.segments, { ...figures, metrics: { silhouette: 0.5 } });
    await registry.publish(trained.artifacts.anomaly, { ...figures, metrics: { separation: 0.5 } });
    await registry.publish(trained.artifacts.churn, { ...figures, metrics: { auc: 0.7 } });
    const profiles = [...trained.features.values()].slice(0, 50);

    // Act
    const versions = completeVersions(await liveProfileVersions(registry));
    const live = await loadLiveScorer(registry, versions!);
    const direct = await createOnnxScorer(trained.artifacts);

    // Assess
    expect(versions).toEqual({ segments: '000001', anomaly: '000001', churn: '000001' });
    expect(await live.score(profiles)).toEqual(await direct.score(profiles));
    await Promise.all([live.release(), direct.release()]);
  });

  it('has no complete set of versions while any profile model has none live', async () => {
    // Prepare: only the churn model published.
    const registry = new ProfileRegistry(new InMemoryModelRecords(), new InMemoryArtifacts());
    await registry.publish(trained.artifacts.churn, { trainMs: 1, dataCutoff: NOW, metrics: { auc: 0.7 } });

    // Act
    const live = await liveProfileVersions(registry);

    // Assess
    expect(live).toEqual({ segments: undefined, anomaly: undefined, churn: '000001' });
    expect(completeVersions(live)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import { InMemoryArtifacts, InMemoryModelRecords } from '../../support/memory-models.ts';
import { DENSE_EASE_MEMORY, denseEasePeakMb } from '#domain/recommendations/dense-ease-limit.ts';
import { retrainRecommendationModels, singlePathHeldMatrices } from '#domain/recommendations/retrain.ts';
import { DEFAULT_TRAINING_OPTIONS } from '#domain/recommendations/training.ts';
import { syntheticData } from './fixtures.ts';

const data = syntheticData(60, 48, 10);
const events: InteractionEvent[] = data.interactions.map((x, n) => ({
  eventId: `e${n}`,
  userId: x.userId,
  itemId: x.itemId,
  type: n % 3 === 0 ? 'complete' : 'play',
  timestamp: x.timestamp,
}));

const options = {
  training: { ...DEFAULT_TRAINING_OPTIONS, models: ['popularity', 'ease'] as const },
};

describe('retraining', () => {
  it('promotes first versions, records holdout figures and the data cut-off, and names the default', async () => {
    const records = new InMemoryModelRecords();
    const artifacts = new InMemoryArtifacts();
    const report = await retrainRecommendationModels({
      sources: { loadEvents: async () => events, loadItems: async () => data.catalog },
      records,
      artifacts,
      options: { training: { ...options.training, models: [...options.training.models] } },
    });
    expect(report.versions.map((v) => [v.name, v.version, v.status])).toEqual([
      ['popularity', '000001', 'live'],
      ['ease', '000001', 'live'],
    ]);
    const ease = report.versions[1];
    expect(ease.metrics.ndcg).toBeGreaterThan(report.versions[0].metrics.ndcg);
    expect(ease.dataCutoff).toBe(Math.max(...events.map((e) => e.timestamp)));
    expect(artifacts.objects.has(ease.artifactKey)).toBe(true);
    expect(await records.getDefaultModel()).toBe('ease');
  });

  it('leaves the live models alone when there is nothing to train on', async () => {
    const records = new InMemoryModelRecords();
    const artifacts = new InMemoryArtifacts();
    const training = { training: { ...options.training, models: [...options.training.models] } };
    await retrainRecommendationModels({
      sources: { loadEvents: async () => events, loadItems: async () => data.catalog },
      records,
      artifacts,
      options: training,
    });
    const liveBefore = await Promise.all(options.training.models.map((name) => records.getLive(name)));
    const defaultBefore = await records.getDefaultModel();
    const versionsBefore = await records.listVersions();
    expect(liveBefore.every((pointer) => pointer?.version === '000001')).toBe(true);

    const report = await retrainRecommendationModels({
      sources: { loadEvents: async () => [], loadItems: async () => data.catalog },
      records,
      artifacts,
      options: training,
    });

    expect(report.versions).toEqual([]);
    expect(await Promise.all(options.training.models.map((name) => records.getLive(name)))).toEqual(
      liveBefore,
    );
    expect(await records.getDefaultModel()).toBe(defaultBefore);
    expect(await records.listVersions()).toEqual(versionsBefore);
  });

  it('skips the dense EASE models a function of too little memory cannot hold, and says why', async () => {
    const train = (memoryMb: number) =>
      retrainRecommendationModels({
        sources: { loadEvents: async () => events, loadItems: async () => data.catalog },
        records: new InMemoryModelRecords(),
        artifacts: new InMemoryArtifacts(),
        memoryMb,
        options: {
          training: { ...DEFAULT_TRAINING_OPTIONS, models: ['popularity', 'ease', 'als', 'hybrid'] },
        },
      });
    // Just enough memory for every catalog item (the catalog is below the 3,000-item cap), beside the
    // matrices the run holds at its last solve: the candidates' EASE and hybrid artifacts, and the
    // shipped pass's EASE artifact.
    const held = singlePathHeldMatrices(['popularity', 'ease', 'als', 'hybrid'], false);
    expect(held).toBe(3);
    const enough = denseEasePeakMb(data.catalog.length, held) / DENSE_EASE_MEMORY.usableShare + 1;
    const fits = await train(enough);
    expect(fits.skipped).toEqual({});
    expect(fits.versions.map((v) => v.name).sort()).toEqual(['als', 'ease', 'hybrid', 'popularity']);

    const tooSmall = await train(
      denseEasePeakMb(data.catalog.length - 1, held) / DENSE_EASE_MEMORY.usableShare,
    );
    expect(Object.keys(tooSmall.skipped).sort()).toEqual(['ease', 'hybrid']);
    expect(tooSmall.skipped.ease).toMatch(
      /dense EASE over 48 modelled items needs .* MB.*holds 47 items: skipped/,
    );
    // The models that grow with items, not items², still train.
    expect(tooSmall.versions.map((v) => v.name).sort()).toEqual(['als', 'popularity']);
  });
});

import { describe, expect, it } from 'vitest';
import { ConflictError } from '#domain/errors.ts';
import { nonFiniteNumberPaths } from '#domain/profiles/finite-numbers.ts';
import { InMemoryArtifacts, InMemoryModelRecords } from '../../support/memory-models.ts';
import { gateCandidate, listModels, publishCandidate, rollback } from '#domain/models/registry.ts';
import { encodeArtifact } from '#domain/recommendations/artifact.ts';
import { buildPopularityGraph } from '#domain/recommendations/graphs.ts';
import { LiveModels, servingFrom } from '#domain/recommendations/live-models.ts';
import { trainPopularity } from '#domain/recommendations/popularity.ts';
import { recommendForUser } from '#domain/recommendations/serving/recommend.ts';
import { fixedModels } from '#domain/recommendations/serving/routing.ts';
import { catalogSnapshot } from '#domain/recommendations/training.ts';
import { syntheticData } from './fixtures.ts';

const data = syntheticData(40, 40, 8);
const catalog = catalogSnapshot(data.catalog, data.interactions);

/** A real popularity artifact whose scores favour `favourite`. */
function popularityArtifact(favourite: string): Uint8Array {
  const model = trainPopularity(data.interactions, catalog.itemIds);
  model.scores[catalog.itemIds.indexOf(favourite)] = 1e6;
  return encodeArtifact(buildPopularityGraph(model), { name: 'popularity', trainedAt: 0, catalog });
}

const publish = (
  records: InMemoryModelRecords,
  artifacts: InMemoryArtifacts,
  bytes: Uint8Array,
  ndcg: number,
) =>
  publishCandidate(records, artifacts, {
    name: 'popularity',
    bytes,
    trainMs: 5,
    trainedAt: new Date(),
    metrics: { ndcg },
  });

/** The item the live models rank first for a user with no history. */
const topItem = async (live: LiveModels) =>
  (await recommendForUser(fixedModels(await live.current()), [], { k: 1, excludeSeen: true })).items[0]
    .itemId;

/** A registry where popularity v1 then v2 (favouring i1, then i2) were promoted. */
async function twoPromotedVersions() {
  const records = new InMemoryModelRecords();
  const artifacts = new InMemoryArtifacts();
  const v1 = await publish(records, artifacts, popularityArtifact('i1'), 0.3);
  const v2 = await publish(records, artifacts, popularityArtifact('i2'), 0.31);
  return { records, artifacts, v1, v2 };
}

describe('model registry', () => {
  it('gates on the tracked metric: no worse passes (within tolerance), worse is rejected', () => {
    expect(gateCandidate({ ndcg: 0.4 }, undefined).decision).toBe('promoted');
    expect(gateCandidate({ ndcg: 0.4 }, { version: '1', metrics: { ndcg: 0.4 } }).decision).toBe('promoted');
    expect(gateCandidate({ ndcg: 0.39 }, { version: '1', metrics: { ndcg: 0.4 } }).decision).toBe('rejected');
    expect(
      gateCandidate(
        { ndcg: 0.39 },
        { version: '1', metrics: { ndcg: 0.4 } },
        { metric: 'ndcg', tolerance: 0.02 },
      ).decision,
    ).toBe('promoted');
  });

  it('records a gate without NaN or infinities when a figure is missing (DynamoDB refuses both)', () => {
    // A churn candidate on too few users has no AUC; an older live version may lack the metric.
    const missing = gateCandidate(
      { rows: 3 },
      { version: '1', metrics: { auc: 0.7 } },
      { metric: 'auc', tolerance: 0 },
    );
    expect(missing).toEqual({ decision: 'rejected', metric: 'auc', reason: 'candidate has no auc' });
    const notANumber = gateCandidate({ auc: Number.NaN }, undefined, { metric: 'auc', tolerance: 0 });
    expect(notANumber.decision).toBe('rejected');
    expect(nonFiniteNumberPaths(notANumber, 'gate')).toEqual([]);
    const liveWithout = gateCandidate(
      { auc: 0.6 },
      { version: '2', metrics: {} },
      { metric: 'auc', tolerance: 0 },
    );
    expect(liveWithout).toEqual({
      decision: 'promoted',
      metric: 'auc',
      candidateValue: 0.6,
      liveVersion: '2',
      reason: 'live 2 has no auc',
    });
  });

  it('keeps a rejected candidate with its figures while the live version stays', async () => {
    const records = new InMemoryModelRecords();
    const artifacts = new InMemoryArtifacts();
    const first = await publish(records, artifacts, popularityArtifact('i1'), 0.3);
    const worse = await publish(records, artifacts, popularityArtifact('i2'), 0.2);
    expect(first.status).toBe('live');
    expect(worse.status).toBe('rejected');
    expect(worse.gate).toMatchObject({
      decision: 'rejected',
      candidateValue: 0.2,
      liveValue: 0.3,
      liveVersion: first.version,
    });
    expect(worse.artifactKey).toMatch(/^candidates\//);
    expect(artifacts.objects.has(worse.artifactKey)).toBe(true);
    expect((await records.getLive('popularity'))?.version).toBe(first.version);
    const listing = await listModels(records);
    expect(listing.models[0].versions.map((v) => v.status)).toEqual(['live', 'rejected']);
  });

  it('rolls back to the previous live version, and refuses when there is none', async () => {
    const { records, v1, v2 } = await twoPromotedVersions();
    expect((await records.getLive('popularity'))?.version).toBe(v2.version);
    const restored = await rollback(records, 'popularity');
    expect(restored.version).toBe(v1.version);
    expect((await records.getLive('popularity'))?.version).toBe(v1.version);
    expect((await records.getVersion('popularity', v2.version))?.status).toBe('retired');
    await expect(rollback(records, 'popularity')).rejects.toBeInstanceOf(ConflictError);
  });

  it('serves the new live version after the TTL without a restart, and keeps the old one when the new artifact is corrupt', async () => {
    const records = new InMemoryModelRecords();
    const artifacts = new InMemoryArtifacts();
    let clock = 0;
    const failures: string[] = [];
    const live = new LiveModels(records, servingFrom(artifacts), {
      ttlMs: 1000,
      now: () => clock,
      onFailure: (f) => failures.push(`${f.name}/${f.version}`),
    });
    await publish(records, artifacts, popularityArtifact('i1'), 0.3);
    const top = () => topItem(live);
    expect(await top()).toBe('i1');
    const v2 = await publish(records, artifacts, popularityArtifact('i2'), 0.31);
    expect(await top()).toBe('i1'); // within the TTL
    clock += 1000;
    expect(await top()).toBe('i2');
    const v3 = await publish(records, artifacts, popularityArtifact('i3'), 0.32);
    artifacts.objects.set(v3.artifactKey, new TextEncoder().encode('not an onnx model'));
    clock += 1000;
    expect(await top()).toBe('i2');
    expect(failures).toEqual([`popularity/${v3.version}`]);
    expect(live.failures).toBe(1);
    expect(v2.version < v3.version).toBe(true);
  });

  it('records the artifact in the live pointer, so serving loads without reading version records', async () => {
    const { records, artifacts, v1, v2 } = await twoPromotedVersions();
    expect((await records.getLive('popularity'))?.artifactKey).toBe(v2.artifactKey);
    await rollback(records, 'popularity');
    expect((await records.getLive('popularity'))?.artifactKey).toBe(v1.artifactKey);

    let versionReads = 0;
    const getVersion = records.getVersion.bind(records);
    records.getVersion = (name, version) => {
      versionReads++;
      return getVersion(name, version);
    };
    expect(await topItem(new LiveModels(records, servingFrom(artifacts), { ttlMs: 1000 }))).toBe('i1');
    expect(versionReads).toBe(0);
  });
});

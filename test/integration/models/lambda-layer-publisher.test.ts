/**
 * The Lambda layer publisher against the real local S3 (s3rver) and a stand-in for the Lambda API:
 * there is no Lambda emulator, so a small HTTP server answers the three REST calls the adapter
 * makes and records what it was sent. What this proves: the zip in S3 unpacks to the files serving
 * reads, the requests carry what the Lambda API reference asks for, and the adapter waits for the
 * update to finish. What it cannot prove: that real Lambda accepts them (IAM, quotas).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaLayerPublisher } from '#adapters/models/lambda-layer-publisher.ts';
import { LayeredArtifacts } from '#adapters/models/layered-artifacts.ts';
import { S3Artifacts } from '#adapters/models/s3-artifacts.ts';
import { InMemoryArtifacts } from '../../support/memory-models.ts';
import { modelsLayerFiles } from '#domain/models/models-layer.ts';
import type { ModelName } from '#domain/recommendations/artifact.ts';
import { loadServingModel } from '#domain/recommendations/serving/loading.ts';
import { recommendForUser } from '#domain/recommendations/serving/recommend.ts';
import { fixedModels } from '#domain/recommendations/serving/routing.ts';
import { trainAllModels } from '#domain/recommendations/training.ts';
import { syntheticData, testTrainingOptions } from '../../unit/recommendations/fixtures.ts';
import {
  LambdaStandIn,
  STAND_IN_MODELS_LAYER,
  STAND_IN_RUNTIME_LAYER,
  standInLayerArn,
} from '../../support/lambda-stand-in.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

const LAYER = STAND_IN_MODELS_LAYER;
const RUNTIME = STAND_IN_RUNTIME_LAYER;
const layerArn = standInLayerArn;

/** A real artifact over 300 items, so EASE's block (361 KB) is large enough to become a side file. */
async function trainedArtifact(name: ModelName): Promise<Uint8Array> {
  const data = syntheticData(120, 300, 20);
  const [artifact] = await trainAllModels(
    { interactions: data.interactions, items: data.catalog, now: Date.UTC(2026, 1, 1) },
    testTrainingOptions([name], 300),
  );
  return artifact.bytes;
}

describe('LambdaLayerPublisher', () => {
  let platform: TestPlatform;
  const lambda = new LambdaStandIn();
  const workDir = mkdtempSync(path.join(tmpdir(), 'marquee-layer-'));
  let publisher: LambdaLayerPublisher;
  let s3: S3Artifacts;

  beforeAll(async () => {
    platform = await startTestPlatform();
    // Read when the adapter creates its client, on first use.
    process.env.AWS_ENDPOINT_URL_LAMBDA = await lambda.start();
    s3 = new S3Artifacts(platform.names.MODELS_BUCKET);
    publisher = new LambdaLayerPublisher({
      bucket: platform.names.MODELS_BUCKET,
      artifacts: s3,
      layerName: LAYER,
      architecture: 'arm64',
      runtime: 'nodejs22.x',
      pollIntervalMs: 10,
      updateTimeoutMs: 5_000,
      now: () => new Date('2026-11-29T16:30:00.000Z'),
    });
  });

  afterAll(async () => {
    await lambda.stop();
    await platform?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('uploads a zip under layers/ that unpacks to the files serving reads, and publishes it from S3', async () => {
    // Prepare: two live artifacts in the models bucket.
    const artifacts = {
      'models/ease/000002.onnx': await trainedArtifact('ease'),
      'models/popularity/000001.onnx': await trainedArtifact('popularity'),
    };
    for (const [key, bytes] of Object.entries(artifacts)) await s3.put(key, bytes);
    const files = modelsLayerFiles(Object.keys(artifacts).map((artifactKey) => ({ artifactKey })));

    // Act
    const { layerVersionArn } = await publisher.publish(files);

    // Assess: the request names the uploaded object and the function's platform.
    const publish = lambda.calls.find((c) => c.method === 'POST')!;
    expect(layerVersionArn).toBe(layerArn(4));
    expect(publish.body).toMatchObject({
      Content: {
        S3Bucket: platform.names.MODELS_BUCKET,
        S3Key: 'layers/models-2026-11-29T16:30:00.000Z.zip',
      },
      CompatibleArchitectures: ['arm64'],
      CompatibleRuntimes: ['nodejs22.x'],
    });
    // Unpack the uploaded zip the way Lambda does (into /opt, here a temp folder) and read it back
    // through serving's reader, with an empty fallback so nothing can come from elsewhere.
    const zipFile = path.join(workDir, 'layer.zip');
    writeFileSync(zipFile, await s3.get('layers/models-2026-11-29T16:30:00.000Z.zip'));
    const opt = path.join(workDir, 'opt');
    execFileSync('python3', [
      '-c',
      'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])',
      zipFile,
      opt,
    ]);
    // The EASE block travels as a side file onnxruntime maps, the metadata as one serving reads;
    // the sessions answer as the originals.
    expect(readdirSync(path.join(opt, 'models/models/ease')).sort()).toEqual([
      '000002.onnx',
      '000002.onnx.data',
      '000002.onnx.meta',
    ]);
    const layered = new LayeredArtifacts(
      path.join(opt, 'models'),
      new InMemoryArtifacts(),
      path.join(workDir, 'cache'),
    );
    const history = ['i1', 'i5', 'i9'].map((itemId, n) => ({
      eventId: `e${n}`,
      userId: 'u1',
      itemId,
      type: 'complete' as const,
      timestamp: Date.UTC(2026, 0, 2),
    }));
    for (const [key, bytes] of Object.entries(artifacts)) {
      const opened = await layered.open(key);
      expect(opened).toMatchObject({ file: path.join(opt, 'models', key) });
      const answer = async (artifact: Parameters<typeof loadServingModel>[0]) => {
        const model = await loadServingModel(artifact, '1');
        const set = { models: { [model.name]: model }, defaultModel: model.name };
        return (await recommendForUser(fixedModels(set), history, { k: 5, excludeSeen: true })).items;
      };
      expect(await answer(opened)).toEqual(await answer(bytes));
    }
  });

  it('swaps only the models layer, guards with the revision read, publishes a version and moves the live alias to it', async () => {
    lambda.calls = [];

    const { functionVersion } = await publisher.attach('Marquee-test-Ml-recs', layerArn(4));

    const update = lambda.calls.find((c) => c.method === 'PUT')!;
    expect(update.url).toBe('/2015-03-31/functions/Marquee-test-Ml-recs/configuration');
    expect(update.body).toEqual({ Layers: [RUNTIME, layerArn(4)], RevisionId: 'rev-1' });
    // One read before the update, polls through two InProgress answers to Successful, then the
    // version is published from exactly that revision and the alias moved once it is active.
    const after = lambda.calls.slice(lambda.calls.indexOf(update) + 1);
    expect(after.map((c) => `${c.method} ${c.url.split('?')[0].split('/').slice(-1)[0]}`)).toEqual([
      'GET configuration',
      'GET configuration',
      'GET configuration',
      'POST versions',
      'GET configuration',
      'PUT live',
    ]);
    expect(after[3].body).toMatchObject({ RevisionId: 'rev-2' });
    expect(after[5].body).toMatchObject({ FunctionVersion: functionVersion });
    expect(lambda.liveVersion).toBe(functionVersion);
    // Read back through the alias: the models layer is told apart from the runtime layer by its name.
    expect(await publisher.attachedVersion('Marquee-test-Ml-recs')).toBe(layerArn(4));
    lambda.liveVersion = '1';
    expect(await publisher.attachedVersion('Marquee-test-Ml-recs')).toBe(layerArn(3));
    lambda.functionVersions.set('1', [RUNTIME]);
    expect(await publisher.attachedVersion('Marquee-test-Ml-recs')).toBeUndefined();
    // $LATEST and the alias each keep their layer in use until retrain moves them.
    lambda.functionVersions.set('1', [RUNTIME, layerArn(3)]);
    expect((await publisher.layersInUse('Marquee-test-Ml-recs')).sort()).toEqual([layerArn(3), layerArn(4)]);
    lambda.liveVersion = functionVersion;
  });

  it('lists every version across pages and deletes one by number', async () => {
    lambda.calls = [];

    const versions = await publisher.listVersions();
    await publisher.deleteVersion(1);

    expect(versions.sort((a, b) => a - b)).toEqual([...lambda.existing, 1].sort((a, b) => a - b));
    expect(versions.length).toBeGreaterThan(2); // more than one page
    expect(lambda.existing.has(1)).toBe(false);
    expect(lambda.calls.at(-1)).toMatchObject({
      method: 'DELETE',
      url: `/2018-10-31/layers/${LAYER}/versions/1`,
    });
  });

  it("fails with Lambda's reason when the update ends Failed", async () => {
    lambda.updateOutcome = 'Failed';

    await expect(publisher.attach('Marquee-test-Ml-recs', layerArn(5))).rejects.toThrow(
      /Marquee-test-Ml-recs .* ended Failed: layer too large/,
    );
  });
});

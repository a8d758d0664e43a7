import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LayeredArtifacts } from '#adapters/models/layered-artifacts.ts';
import { NotFoundError } from '#domain/errors.ts';
import { InMemoryArtifacts, InMemoryModelRecords } from '../../support/memory-models.ts';
import {
  fitModelsLayer,
  layerNameOf,
  layerVersionOf,
  layerVersionsToPrune,
  type ModelsLayerFile,
  type ModelsLayerPublisher,
  type ModelsLayerRun,
  modelsLayerFiles,
  parseFunctionList,
  publishModelsLayerAfterRetrain,
  withModelsLayer,
} from '#domain/models/models-layer.ts';
import { publishCandidate, rollback } from '#domain/models/registry.ts';

const RUNTIME = 'arn:aws:lambda:eu-west-1:123456789012:layer:OnnxRuntimeLayer1234:3';
const NOT_AN_ARN = 'marquee-prod-models:7';
const layerArn = (name: string, version: number) =>
  `arn:aws:lambda:eu-west-1:123456789012:layer:${name}:${version}`;

describe('modelsLayerFiles', () => {
  it('puts each artifact under models/<key>, one entry per distinct key, sorted', () => {
    const files = modelsLayerFiles([
      { artifactKey: 'models/hybrid/000004.onnx' },
      { artifactKey: 'models/als/000002.onnx' },
      { artifactKey: 'models/hybrid/000004.onnx' },
    ]);

    expect(files).toEqual([
      { artifactKey: 'models/als/000002.onnx', zipPath: 'models/models/als/000002.onnx' },
      { artifactKey: 'models/hybrid/000004.onnx', zipPath: 'models/models/hybrid/000004.onnx' },
    ]);
  });

  it('names the file LayeredArtifacts reads when the layer is unpacked under /opt', async () => {
    // Prepare: unpack the way Lambda does (zip paths under the layer root, here a temp "/opt").
    const opt = mkdtempSync(path.join(tmpdir(), 'marquee-opt-'));
    try {
      const [file] = modelsLayerFiles([{ artifactKey: 'models/ease/000009.onnx' }]);
      await mkdir(path.dirname(path.join(opt, file.zipPath)), { recursive: true });
      writeFileSync(path.join(opt, file.zipPath), 'the graph');
      writeFileSync(path.join(opt, `${file.zipPath}.meta`), 'its metadata');
      const s3 = new InMemoryArtifacts();

      // Act: serving's reader, pointed at <opt>/models as the handler points it at /opt/models.
      const opened = await new LayeredArtifacts(path.join(opt, 'models'), s3, path.join(opt, 'cache')).open(
        file.artifactKey,
      );

      // Assess: it came from the layer (S3 is empty and would throw NotFoundError).
      expect(opened).toMatchObject({ file: path.join(opt, file.zipPath) });
      expect(new TextDecoder().decode((opened as { metadata: Uint8Array }).metadata)).toBe('its metadata');
      await expect(s3.get(file.artifactKey)).rejects.toThrow(NotFoundError);
    } finally {
      rmSync(opt, { recursive: true, force: true });
    }
  });
});

describe('layerVersionsToPrune', () => {
  it('keeps the newest versions and any in use, and returns the rest oldest first', () => {
    expect(layerVersionsToPrune([7, 3, 9, 1, 8], [], 3)).toEqual([1, 3]);
    expect(layerVersionsToPrune([7, 3, 9, 1, 8], [1], 3)).toEqual([3]);
    expect(layerVersionsToPrune([2, 1], [], 3)).toEqual([]);
    // Never everything: at least the newest stays even when asked to keep none.
    expect(layerVersionsToPrune([2, 1], [], 0)).toEqual([1]);
    // By default the newest five stay.
    expect(layerVersionsToPrune([6, 6, 5, 4, 3, 2, 1], [])).toEqual([1]);
  });

  it('reads the version number off a layer version ARN, and nothing off other strings', () => {
    expect(layerVersionOf(layerArn('marquee-test-models', 12))).toBe(12);
    expect(layerVersionOf(NOT_AN_ARN)).toBeUndefined();
  });
});

describe('withModelsLayer', () => {
  it('replaces the current models layer version in place and keeps the runtime layer first', () => {
    const next = layerArn('marquee-prod-models', 8);

    expect(
      withModelsLayer([RUNTIME, layerArn('marquee-prod-models', 7)], next, 'marquee-prod-models'),
    ).toEqual([RUNTIME, next]);
    expect(
      withModelsLayer([layerArn('marquee-prod-models', 7), RUNTIME], next, 'marquee-prod-models'),
    ).toEqual([next, RUNTIME]);
  });

  it('appends the models layer when the function has none, keeping the others in order', () => {
    const other = layerArn('extension', 1);
    const next = layerArn('marquee-prod-models', 1);

    expect(withModelsLayer([RUNTIME, other], next, 'marquee-prod-models')).toEqual([RUNTIME, other, next]);
    expect(withModelsLayer([], next, 'marquee-prod-models')).toEqual([next]);
  });

  it('matches the layer by its whole name, not a prefix, and ignores other stages', () => {
    const next = layerArn('marquee-prod-models', 9);
    const current = [RUNTIME, layerArn('marquee-prod-models-old', 2), layerArn('marquee-dev-models', 4)];

    expect(withModelsLayer(current, next, 'marquee-prod-models')).toEqual([...current, next]);
  });

  it('reads the layer name out of a layer version ARN and nothing else', () => {
    expect(layerNameOf(layerArn('marquee-prod-models', 12))).toBe('marquee-prod-models');
    expect(layerNameOf('arn:aws:lambda:eu-west-1:123456789012:function:recs')).toBeUndefined();
    expect(layerNameOf(NOT_AN_ARN)).toBeUndefined();
  });
});

describe('parseFunctionList', () => {
  it('splits MODEL_SERVING_FUNCTIONS on commas and treats an empty value as no functions', () => {
    expect(parseFunctionList('Marquee-prod-Ml-recs, Marquee-prod-Ml-profiles')).toEqual([
      'Marquee-prod-Ml-recs',
      'Marquee-prod-Ml-profiles',
    ]);
    expect(parseFunctionList('')).toEqual([]);
    expect(parseFunctionList(' , ')).toEqual([]);
  });
});

/** Records what retrain asked of Lambda; there is no Lambda emulator to run the real adapter on. */
class RecordingPublisher implements ModelsLayerPublisher {
  published: ModelsLayerFile[][] = [];
  attached: { functionName: string; arn: string }[] = [];
  /** Each function's models layer version now (what GetFunctionConfiguration would say). */
  current = new Map<string, string>();
  /** Versions published before this test's run. */
  versions: number[] = [];
  deleted: number[] = [];
  async publish(files: readonly ModelsLayerFile[]) {
    this.published.push([...files]);
    const version = Math.max(0, ...this.versions) + 1;
    this.versions.push(version);
    return { layerVersionArn: layerArn('marquee-test-models', version) };
  }
  /** Layer versions a function's older configuration still holds ($LATEST or an alias), by function. */
  alsoInUse = new Map<string, string[]>();
  async attach(functionName: string, arn: string) {
    this.attached.push({ functionName, arn });
    this.current.set(functionName, arn);
    return { functionVersion: String(this.attached.length) };
  }
  async attachedVersion(functionName: string) {
    return this.current.get(functionName);
  }
  async layersInUse(functionName: string) {
    const current = this.current.get(functionName);
    return [...(current ? [current] : []), ...(this.alsoInUse.get(functionName) ?? [])];
  }
  async listVersions() {
    return [...this.versions];
  }
  async deleteVersion(version: number) {
    this.deleted.push(version);
    this.versions = this.versions.filter((v) => v !== version);
  }
}

async function registryWithLiveModels() {
  const records = new InMemoryModelRecords();
  const artifacts = new InMemoryArtifacts();
  const publish = (name: string, ndcg: number) =>
    publishCandidate(records, artifacts, {
      name,
      bytes: new Uint8Array([1, 2, 3]),
      trainMs: 1,
      trainedAt: new Date('2026-11-29T03:00:00Z'),
      metrics: { ndcg },
    });
  await publish('ease', 0.3);
  await publish('ease', 0.35); // promoted: ease 000002 live, 000001 retired
  await publish('als', 0.2);
  await publish('als', 0.1); // rejected: als 000001 stays live
  return { records };
}

const easeAndAls = ['models/als/000001.onnx', 'models/ease/000002.onnx'];

describe('publishModelsLayerAfterRetrain', () => {
  const servingFunctions = ['Marquee-test-Ml-recs', 'Marquee-test-Ml-profiles'];

  /** A full run on a registry with ease and als live, no layer recorded yet; `overrides` change one thing. */
  async function publishWith(publisher: ModelsLayerPublisher, overrides: Partial<ModelsLayerRun> = {}) {
    const { records } = await registryWithLiveModels();
    return publishModelsLayerAfterRetrain({
      records,
      modelNames: ['ease', 'als'],
      fullRun: true,
      servingFunctions,
      publisher,
      ...overrides,
    });
  }

  /** A registry with ease and als live, and full runs over it, as nightly retrains would make. */
  async function repeatedRuns(publisher: ModelsLayerPublisher) {
    const { records } = await registryWithLiveModels();
    const run = () =>
      publishModelsLayerAfterRetrain({
        records,
        modelNames: ['ease', 'als'],
        fullRun: true,
        servingFunctions,
        publisher,
      });
    return { records, run };
  }

  it('publishes every live artifact once and attaches the new version to each serving function', async () => {
    const publisher = new RecordingPublisher();

    const outcome = await publishWith(publisher, { modelNames: ['ease', 'als', 'hybrid'] });

    expect(publisher.published).toEqual([
      [
        { artifactKey: 'models/als/000001.onnx', zipPath: 'models/models/als/000001.onnx' },
        { artifactKey: 'models/ease/000002.onnx', zipPath: 'models/models/ease/000002.onnx' },
      ],
    ]);
    expect(publisher.attached).toEqual(
      servingFunctions.map((functionName) => ({ functionName, arn: layerArn('marquee-test-models', 1) })),
    );
    expect(outcome).toMatchObject({ published: true, functions: servingFunctions });
  });

  it('deletes layer versions beyond the newest five, never the one just attached', async () => {
    const publisher = new RecordingPublisher();
    publisher.versions = [1, 2, 4, 5, 6, 7];

    const outcome = await publishWith(publisher);

    expect(outcome).toMatchObject({ published: true, layerVersionArn: layerArn('marquee-test-models', 8) });
    expect(publisher.deleted).toEqual([1, 2]);
    expect(publisher.versions).toEqual([4, 5, 6, 7, 8]);
    expect(outcome).toMatchObject({ pruned: [1, 2] });
  });

  it('keeps an old layer version that an alias or $LATEST of a serving function still uses', async () => {
    // Prepare: the profiles function's $LATEST still holds version 2 (its update failed half-way).
    const publisher = new RecordingPublisher();
    publisher.versions = [1, 2, 3, 4, 5, 6, 7];
    publisher.alsoInUse.set('Marquee-test-Ml-profiles', [layerArn('marquee-test-models', 2)]);

    const outcome = await publishWith(publisher, { keep: 2 });

    expect(outcome).toMatchObject({ pruned: [1, 3, 4, 5, 6] });
    expect(publisher.versions).toEqual([2, 7, 8]);
  });

  it('still reports the publish when deleting old versions fails, with the reason', async () => {
    const publisher = new RecordingPublisher();
    publisher.versions = [1, 2, 3, 4, 5, 6];
    publisher.deleteVersion = async () => {
      throw new Error('AccessDeniedException: lambda:DeleteLayerVersion');
    };

    const outcome = await publishWith(publisher);

    expect(outcome).toMatchObject({
      published: true,
      pruned: [],
      pruneError: 'AccessDeniedException: lambda:DeleteLayerVersion',
    });
    expect(publisher.attached).toHaveLength(servingFunctions.length);
  });

  it('records what it published, then publishes nothing while the live versions stay the same', async () => {
    const publisher = new RecordingPublisher();
    const { records, run } = await repeatedRuns(publisher);

    await run();
    const second = await run();

    expect(await records.getModelsLayer()).toMatchObject({
      layerVersionArn: layerArn('marquee-test-models', 1),
      artifactKeys: easeAndAls,
    });
    expect(second).toEqual({
      published: false,
      reason: 'the layer already holds the live versions',
      reattached: [],
    });
    expect(publisher.published).toHaveLength(1);
    expect(publisher.attached).toHaveLength(servingFunctions.length);
  });

  it('puts the recorded version back on a function a deploy reset, without publishing', async () => {
    const publisher = new RecordingPublisher();
    const { run } = await repeatedRuns(publisher);
    await run();
    // cdk deploy: the template's baseline layer on the first function again.
    publisher.current.set(servingFunctions[0], layerArn('marquee-test-models', 0));

    const outcome = await run();

    expect(outcome).toMatchObject({ published: false, reattached: [servingFunctions[0]] });
    expect(publisher.published).toHaveLength(1);
    expect(publisher.current.get(servingFunctions[0])).toBe(layerArn('marquee-test-models', 1));
  });

  it('publishes again when the live versions change (a promotion or a rollback)', async () => {
    const publisher = new RecordingPublisher();
    const { records, run } = await repeatedRuns(publisher);
    await run();
    await rollback(records, 'ease'); // ease 000001 live again

    const outcome = await run();

    expect(outcome).toMatchObject({ published: true, layerVersionArn: layerArn('marquee-test-models', 2) });
    expect(publisher.published[1].map((f) => f.artifactKey)).toEqual([
      'models/als/000001.onnx',
      'models/ease/000001.onnx',
    ]);
    expect((await records.getModelsLayer())?.layerVersionArn).toBe(layerArn('marquee-test-models', 2));
  });

  it('publishes a fresh version when the recorded one can no longer be attached', async () => {
    const publisher = new RecordingPublisher();
    const { records, run } = await repeatedRuns(publisher);
    await records.setModelsLayer({
      layerVersionArn: layerArn('marquee-test-models', 7),
      artifactKeys: easeAndAls,
      publishedAt: '2026-11-28T03:00:00.000Z',
    });
    const attach = publisher.attach.bind(publisher);
    publisher.attach = async (functionName, arn) => {
      if (arn === layerArn('marquee-test-models', 7)) throw new Error('layer version 7 was deleted');
      return attach(functionName, arn);
    };

    const outcome = await run();

    expect(outcome).toMatchObject({ published: true, functions: servingFunctions });
    expect(publisher.published).toHaveLength(1);
  });

  it('does nothing after a run restricted to some models', async () => {
    const publisher = new RecordingPublisher();

    const outcome = await publishWith(publisher, { fullRun: false });

    expect(outcome).toEqual({ published: false, reason: 'run restricted to some models' });
    expect(publisher.published).toEqual([]);
    expect(publisher.attached).toEqual([]);
  });

  it('does nothing locally, where MODEL_SERVING_FUNCTIONS is unset', async () => {
    const publisher = new RecordingPublisher();

    const outcome = await publishWith(publisher, { servingFunctions: parseFunctionList('') });

    expect(outcome).toEqual({ published: false, reason: 'no serving functions configured (local run)' });
    expect(publisher.published).toEqual([]);
  });

  it('does nothing when no model has a live version, rather than publishing an empty layer', async () => {
    const publisher = new RecordingPublisher();

    const outcome = await publishWith(publisher, { records: new InMemoryModelRecords() });

    expect(outcome).toEqual({ published: false, reason: 'no model has a live version' });
    expect(publisher.published).toEqual([]);
    expect(publisher.attached).toEqual([]);
  });

  it('stops at the first function whose update fails, leaving the later ones untouched', async () => {
    const publisher = new RecordingPublisher();
    publisher.attach = async (functionName, arn) => {
      publisher.attached.push({ functionName, arn });
      throw new Error(`updating ${functionName} ended Failed`);
    };

    const run = publishWith(publisher);

    await expect(run).rejects.toThrow('Marquee-test-Ml-recs');
    expect(publisher.attached.map((a) => a.functionName)).toEqual(['Marquee-test-Ml-recs']);
  });

  it('publishes what fits the layer budget, the default model first, and names the rest for S3', async () => {
    // Prepare: ease (100 bytes, the default), als (10) and popularity (5) live.
    const records = new InMemoryModelRecords();
    const artifacts = new InMemoryArtifacts();
    for (const [name, size] of [
      ['ease', 100],
      ['als', 10],
      ['popularity', 5],
    ] as const) {
      await publishCandidate(records, artifacts, {
        name,
        bytes: new Uint8Array(size),
        trainMs: 1,
        trainedAt: new Date('2026-12-06T03:00:00Z'),
        metrics: { ndcg: 0.1 },
      });
    }
    await records.setDefaultModel('ease');
    const run = (budgetBytes: number, publisher: RecordingPublisher) =>
      publishModelsLayerAfterRetrain({
        records,
        modelNames: ['ease', 'als', 'popularity'],
        fullRun: true,
        servingFunctions,
        publisher,
        budgetBytes,
      });
    const keys = (files: ModelsLayerFile[][]) => files.map((f) => f.map((file) => file.artifactKey));

    // Act + Assess: room for the default model and the smallest other one.
    const roomy = new RecordingPublisher();
    const first = await run(110, roomy);
    expect(keys(roomy.published)).toEqual([['models/ease/000001.onnx', 'models/popularity/000001.onnx']]);
    expect(first).toMatchObject({ published: true, leftOut: ['models/als/000001.onnx'] });
    expect((await records.getModelsLayer())?.artifactKeys).toEqual([
      'models/ease/000001.onnx',
      'models/popularity/000001.onnx',
    ]);

    // The default model alone is over the budget: the others still start from /opt.
    const tight = new RecordingPublisher();
    const second = await run(20, tight);
    expect(keys(tight.published)).toEqual([['models/als/000001.onnx', 'models/popularity/000001.onnx']]);
    expect(second).toMatchObject({ published: true, leftOut: ['models/ease/000001.onnx'] });

    // Nothing fits: no empty layer is published.
    const none = new RecordingPublisher();
    await expect(run(4, none)).resolves.toMatchObject({
      published: false,
      reason: /layer budget of 4 bytes/,
    });
    expect(none.published).toEqual([]);
  });
});

describe('fitModelsLayer', () => {
  const live = [
    { name: 'hybrid', artifactKey: 'models/hybrid/000003.onnx', sizeBytes: 40 },
    { name: 'ease', artifactKey: 'models/ease/000002.onnx', sizeBytes: 36 },
    { name: 'als', artifactKey: 'models/als/000001.onnx', sizeBytes: 3 },
  ];

  it('holds every live artifact once when there is no budget', () => {
    expect(fitModelsLayer([...live, live[1]], undefined).included).toEqual(live);
  });

  it('fills the budget with the default model first, then the smallest, never past it', () => {
    const fitted = fitModelsLayer(live, 76, 'hybrid');
    expect(fitted.included.map((a) => a.name)).toEqual(['hybrid', 'als']);
    expect(fitted.leftOut.map((a) => a.name)).toEqual(['ease']);
    const total = fitted.included.reduce((sum, a) => sum + a.sizeBytes, 0);
    expect(total).toBeLessThanOrEqual(76);
  });
});

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayeredArtifacts } from '#adapters/models/layered-artifacts.ts';
import { NotFoundError } from '#domain/errors.ts';
import { InMemoryArtifacts } from '../../support/memory-models.ts';
import { modelsLayerEntries, modelsLayerFiles } from '#domain/models/models-layer.ts';
import {
  EXTERNAL_DATA_ALIGNMENT,
  externalDataFileOf,
  splitExternalData,
} from '#domain/onnx/external-data.ts';
import { readModelMetadata } from '#domain/onnx/graph.ts';
import { loadServingModel, type ServingModel } from '#domain/recommendations/serving/loading.ts';
import { recommendForUser } from '#domain/recommendations/serving/recommend.ts';
import { fixedModels } from '#domain/recommendations/serving/routing.ts';
import { trainAllModels } from '#domain/recommendations/training.ts';
import { event, syntheticData, testTrainingOptions } from './fixtures.ts';

const { onnx } = onnxProto;

// 300 modelled items: the EASE block (301 x 300 floats, 361 KB) is large enough to go external.
const data = syntheticData(200, 300, 25);
let ease: Uint8Array;
let popularity: Uint8Array;
let work: string;

beforeAll(async () => {
  const artifacts = await trainAllModels(
    { interactions: data.interactions, items: data.catalog, now: Date.UTC(2026, 1, 1) },
    testTrainingOptions(['popularity', 'trending', 'ease'], 300),
  );
  ease = artifacts.find((a) => a.name === 'ease')!.bytes;
  popularity = artifacts.find((a) => a.name === 'popularity')!.bytes;
  work = mkdtempSync(path.join(tmpdir(), 'marquee-external-'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const histories = [
  ['i0', 'i4', 'i8', 'i12'],
  ['i1', 'i5', 'i9'],
  ['i2', 'i3', 'i6', 'i7', 'i10', 'i11'],
].map((ids, u) => ids.map((id) => event(`u${u}`, id, 'complete')));

async function answers(model: ServingModel) {
  const out = [];
  for (const history of histories) {
    const set = { models: { ease: model }, defaultModel: 'ease' as const };
    out.push((await recommendForUser(fixedModels(set), history, { k: 10, excludeSeen: true })).items);
  }
  return out;
}

/** Splits the EASE artifact into `graphFile` and its `.data` side file, as the layer and cache do. */
function writeSplitEase(graphFile: string) {
  mkdirSync(path.dirname(graphFile), { recursive: true });
  const split = splitExternalData(ease, externalDataFileOf(graphFile));
  writeFileSync(graphFile, split.graph);
  writeFileSync(`${graphFile}.data`, split.data);
  return split;
}

describe('ONNX external data (memory-mapped weights)', () => {
  it('moves the EASE block to an aligned side file and answers exactly as the whole artifact does', async () => {
    const graphFile = path.join(work, 'split', '000001.onnx');
    const split = writeSplitEase(graphFile);

    expect(split.externalised).toContain('ease_weights');
    expect(split.graph.byteLength).toBeLessThan(ease.byteLength - 300 * 300 * 4);
    expect(split.data.byteLength % 4).toBe(0);
    const fromFile = await loadServingModel({ file: graphFile, metadata: split.metadata }, 'v1');
    const fromBytes = await loadServingModel(ease, 'v1');
    expect(fromFile.metadata).toEqual(fromBytes.metadata);
    // onnxruntime loads a graph without the catalog; the metadata message holds all of it.
    expect(readModelMetadata(split.graph)).toEqual({});
    expect(readModelMetadata(split.metadata)).toEqual(readModelMetadata(ease));
    const expected = await answers(fromBytes);
    expect(expected.every((items) => items.length === 10)).toBe(true);
    expect(await answers(fromFile)).toEqual(expected);
  });

  it('starts every external tensor at an aligned offset and leaves small models whole', () => {
    const split = splitExternalData(ease, 'x.onnx.data', 1024);
    expect(split.externalised.length).toBeGreaterThan(1);
    const external = (onnx.ModelProto.decode(split.graph).graph?.initializer ?? []).filter(
      (tensor) => tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL,
    );
    expect(external.map((tensor) => tensor.name)).toEqual(split.externalised);
    for (const tensor of external) {
      const entry = Object.fromEntries((tensor.externalData ?? []).map((e) => [e.key, e.value]));
      const offset = Number(entry.offset);
      expect(entry.location).toBe('x.onnx.data');
      expect(offset % EXTERNAL_DATA_ALIGNMENT).toBe(0);
      expect(offset + Number(entry.length)).toBeLessThanOrEqual(split.data.byteLength);
    }
    const small = splitExternalData(popularity, 'p.onnx.data');
    expect(small.externalised).toEqual([]);
    expect(small.data.byteLength).toBe(0);
    expect(EXTERNAL_DATA_ALIGNMENT % 4096).toBe(0);
    expect(() => splitExternalData(ease, '../escape.data')).toThrow(/plain file name/);
    expect(() => splitExternalData(new TextEncoder().encode('not onnx'), 'a.data')).toThrow();
  });

  it('fails to load, rather than serving garbage, when the side file is truncated', async () => {
    const graphFile = path.join(work, 'truncated', '000002.onnx');
    const split = writeSplitEase(graphFile);
    writeFileSync(`${graphFile}.data`, split.data.subarray(0, split.data.byteLength >> 1));
    await expect(loadServingModel({ file: graphFile, metadata: split.metadata }, 'v2')).rejects.toThrow();
  });
});

describe('LayeredArtifacts', () => {
  it('splits an S3 artifact into the cache once, then opens it from disk without S3', async () => {
    const s3 = new InMemoryArtifacts();
    await s3.put('models/ease/000003.onnx', ease);
    let reads = 0;
    const counting = {
      put: s3.put.bind(s3),
      get: (key: string) => {
        reads++;
        return s3.get(key);
      },
    };
    const cache = path.join(work, 'cache');
    const layered = new LayeredArtifacts(path.join(work, 'no-layer'), counting, cache);

    const first = await layered.open('models/ease/000003.onnx');
    const second = await layered.open('models/ease/000003.onnx');

    expect(reads).toBe(1);
    expect(first).toEqual(second);
    const file = path.join(cache, 'models/ease/000003.onnx');
    expect(first).toMatchObject({ file });
    expect(statSync(`${file}.data`).size).toBeGreaterThan(300 * 300 * 4);
    const model = await loadServingModel(first, '000003');
    expect(await answers(model)).toEqual(await answers(await loadServingModel(ease, '000003')));
    await layered.forget('models/ease/000003.onnx');
    expect(existsSync(file) || existsSync(`${file}.data`) || existsSync(`${file}.meta`)).toBe(false);
    // The mapped session keeps answering after its files are unlinked.
    expect((await answers(model))[0]).toHaveLength(10);
  });

  it('prefers the layer unpacked as the publisher zips it, and S3 never answers', async () => {
    const opt = path.join(work, 'opt');
    const [file] = modelsLayerFiles([{ artifactKey: 'models/ease/000004.onnx' }]);
    for (const entry of modelsLayerEntries(file, ease)) {
      mkdirSync(path.dirname(path.join(opt, entry.path)), { recursive: true });
      writeFileSync(path.join(opt, entry.path), entry.bytes);
    }
    const layered = new LayeredArtifacts(
      path.join(opt, 'models'),
      new InMemoryArtifacts(),
      path.join(work, 'c2'),
    );

    const opened = await layered.open(file.artifactKey);

    expect(opened).toMatchObject({ file: path.join(opt, file.zipPath) });
    expect(readFileSync(path.join(opt, `${file.zipPath}.data`)).byteLength).toBeGreaterThan(0);
    expect(await answers(await loadServingModel(opened, '000004'))).toEqual(
      await answers(await loadServingModel(ease, '000004')),
    );
    await expect(layered.open('models/ease/000099.onnx')).rejects.toBeInstanceOf(NotFoundError);
    await expect(layered.open('../../etc/passwd')).rejects.toThrow(/escapes/);
  });

  it('refuses a layer file without its .meta file instead of reading metadata from the graph', async () => {
    const opt = path.join(work, 'opt-older');
    const [file] = modelsLayerFiles([{ artifactKey: 'models/ease/000006.onnx' }]);
    const graphFile = path.join(opt, file.zipPath);
    const split = writeSplitEase(graphFile);
    // The metadata left in the graph, no .meta file: a layout no publisher of 0.1.0 writes.
    const withMetadata = onnx.ModelProto.decode(split.graph);
    withMetadata.metadataProps = onnx.ModelProto.decode(split.metadata).metadataProps;
    writeFileSync(graphFile, onnx.ModelProto.encode(withMetadata).finish());
    const layered = new LayeredArtifacts(
      path.join(opt, 'models'),
      new InMemoryArtifacts(),
      path.join(work, 'c3'),
    );

    const opening = layered.open(file.artifactKey);

    await expect(opening).rejects.toThrow(/\.meta/);
  });

  it('serves from memory when the cache folder cannot be written, and says so', async () => {
    const s3 = new InMemoryArtifacts();
    await s3.put('models/popularity/000005.onnx', popularity);
    const blocked = path.join(work, 'not-a-folder');
    writeFileSync(blocked, 'a file where the cache folder should be');
    const failures: string[] = [];
    const layered = new LayeredArtifacts(path.join(work, 'no-layer'), s3, blocked, (key) =>
      failures.push(key),
    );

    const opened = await layered.open('models/popularity/000005.onnx');

    expect(opened).toBeInstanceOf(Uint8Array);
    expect(failures).toEqual(['models/popularity/000005.onnx']);
  });
});

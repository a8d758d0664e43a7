import { beforeAll, describe, expect, it } from 'vitest';
import { scoreAls, trainAls } from '#domain/recommendations/als.ts';
import { encodeArtifact } from '#domain/recommendations/artifact.ts';
import { trainContent } from '#domain/recommendations/content.ts';
import { scoreEase, trainEase } from '#domain/recommendations/ease.ts';
import { buildAlsGraph, buildContentGraph, buildEaseGraph } from '#domain/recommendations/graphs.ts';
import { buildMatrix, type InteractionMatrix, userRow } from '#domain/recommendations/interactions.ts';
import { scoreNeighbours } from '#domain/recommendations/neighbours.ts';
import { loadServingModel, type ServingModel } from '#domain/recommendations/serving/loading.ts';
import { runGraph } from '#domain/recommendations/serving/scoring.ts';
import { catalogSnapshot } from '#domain/recommendations/training.ts';
import { topK } from '#domain/recommendations/top-k.ts';
import type { GraphBuilder } from '#domain/onnx/graph.ts';
import { syntheticData } from './fixtures.ts';

const data = syntheticData();
const catalog = catalogSnapshot(data.catalog, data.interactions);
let matrix: InteractionMatrix;
const SAMPLE_USERS = [0, 1, 2, 3, 17, 58, 101, 199];

async function serve(graph: GraphBuilder, name: 'ease' | 'als' | 'content'): Promise<ServingModel> {
  return loadServingModel(encodeArtifact(graph, { name, trainedAt: 0, catalog }), '1');
}

/** The reference's top-10 (seen items excluded) next to the graph's. */
async function compare(model: ServingModel, reference: (items: Int32Array, w: Float32Array) => Float64Array) {
  for (const u of SAMPLE_USERS) {
    const row = userRow(matrix, u);
    const scores = reference(row.items, row.weights);
    for (const i of row.items) scores[i] = Number.NEGATIVE_INFINITY;
    const expected = topK(scores, 10);
    const bias = new Float32Array(catalog.itemIds.length);
    for (const i of row.items) bias[i] = -1e9;
    const actual = await runGraph(
      model,
      { items: Array.from(row.items), weights: Array.from(row.weights) },
      bias,
      10,
    );
    expect(actual.indices).toHaveLength(10);
    // Same items in the same order, except where two reference scores tie within float32 rounding.
    actual.indices.forEach((index, j) => {
      if (index !== expected[j].index) expect(Math.abs(scores[index] - expected[j].score)).toBeLessThan(1e-4);
      expect(actual.scores[j]).toBeCloseTo(expected[j].score, 3);
    });
  }
}

describe('ONNX graphs score exactly like the TypeScript references', () => {
  beforeAll(() => {
    matrix = buildMatrix(data.interactions, { itemIds: catalog.itemIds, binary: true });
  });

  it('EASE: the graph\u2019s top-10 equals the reference top-10 for sample users', async () => {
    const ease = await trainEase(matrix, {
      lambda: 50,
      maxItems: 200,
      minSupport: 2,
      popularityExponent: 0.15,
      sessionShare: 0,
      sessionMs: 120_000,
    });
    const model = await serve(buildEaseGraph(ease), 'ease');
    const reference = (items: Int32Array, w: Float32Array) => {
      const local = scoreEase(ease, items, w);
      const scores = new Float64Array(catalog.itemIds.length).fill(Number.NEGATIVE_INFINITY);
      ease.modelled.forEach((item, k) => {
        scores[item] = local[k];
      });
      return scores;
    };
    await compare(model, reference);
  });

  it('ALS: folding the history in inside the graph matches the reference fold-in and top-10', async () => {
    const als = trainAls(matrix, { factors: 16, lambda: 10, alpha: 5, iterations: 5, cgSteps: 3, seed: 3 });
    const model = await serve(buildAlsGraph(als), 'als');
    await compare(model, (items, w) => scoreAls(als, items, w));
  });

  it('content: the scatter-add neighbour graph matches the reference neighbour sum', async () => {
    const content = trainContent(data.catalog, catalog.itemIds);
    const model = await serve(buildContentGraph(content), 'content');
    await compare(model, (items, w) => scoreNeighbours(content.table, items, w));
  });
});

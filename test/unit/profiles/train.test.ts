import { beforeAll, describe, expect, it } from 'vitest';
import { type DemoData, generateDemoData } from '#domain/demo/generate.ts';
import { anomalyVector } from '#domain/profiles/vectors.ts';
import { buildProfileFeatures } from '#domain/profiles/features.ts';
import { rocAuc } from '#domain/profiles/roc-auc.ts';
import {
  assembleProfile,
  createOnnxScorer,
  createReferenceScorer,
  type ProfileScorer,
} from '#domain/profiles/scoring.ts';
import { metadataFromOnnx } from '#domain/profiles/model-artifacts.ts';
import { type ProfileTrainingResult, trainProfileModels } from '#domain/profiles/train.ts';
import { isolationScore } from '#domain/profiles/isolation-forest.ts';
import { buildBoostedChurnGraph, buildChurnGraph } from '#domain/onnx/profile-models.ts';
import { feed, loadSession } from '#domain/onnx/session.ts';
import { predictBoostedTrees, trainBoostedTrees } from '#domain/profiles/gradient-boosting.ts';
import { predictLogistic, trainLogisticRegression } from '#domain/profiles/logistic-regression.ts';
import { CHURN_COLUMNS, churnVector } from '#domain/profiles/vectors.ts';

const NOW = Date.UTC(2026, 9, 1);

describe('trainProfileModels on the demo data', () => {
  let data: DemoData;
  let result: ProfileTrainingResult;
  let onnx: ProfileScorer;
  let reference: ProfileScorer;

  beforeAll(async () => {
    // Prepare: the default demo data set and one training run shared by every test here.
    data = generateDemoData({ now: NOW, users: 1200, items: 800 });
    result = trainProfileModels({ events: data.events, items: data.items, users: data.users, now: NOW });
    onnx = await createOnnxScorer(result.artifacts);
    reference = createReferenceScorer(result.reference);
    // Training takes a few seconds; a shared two-core machine can stretch that well past the default.
  }, 120_000);

  it('chooses k inside the configured range and gives every segment a distinct readable label', () => {
    const { k } = result.metrics.segments;
    expect(k).toBeGreaterThanOrEqual(4);
    expect(k).toBeLessThanOrEqual(10);
    const labels = result.artifacts.segments.metadata.segments.map((s) => s.label);
    expect(new Set(labels).size).toBe(k);
    for (const label of labels) expect(label).toMatch(/^[a-z&\- ]+(\(\d+\))?$/);
    const sizes = result.artifacts.segments.metadata.segments.reduce((s, seg) => s + seg.size, 0);
    expect(sizes).toBe(result.metrics.segments.trainedUsers);
  });

  it('ranks the planted bots as the most anomalous users (ROC-AUC >= 0.95) and flags most of them', () => {
    const bots = new Set(data.truth.botUserIds);
    const ids = [...result.features.keys()];
    const scores = ids.map((id) =>
      isolationScore(result.reference.anomaly.forest, anomalyVector(result.features.get(id)!)),
    );
    expect(
      rocAuc(
        scores,
        ids.map((id) => (bots.has(id) ? 1 : 0)),
      ),
    ).toBeGreaterThanOrEqual(0.95);
    const flagged = ids.filter((_, i) => scores[i] >= result.metrics.anomaly.threshold);
    expect(flagged.filter((id) => bots.has(id)).length).toBeGreaterThanOrEqual(0.8 * bots.size);
  });

  it('predicts churn on the held-out later window better than chance', () => {
    expect(result.metrics.churn.testRows).toBeGreaterThan(500);
    expect(result.metrics.churn.auc).toBeGreaterThan(0.7);
  });

  it('carries each model JSON metadata inside its ONNX bytes, unchanged by the round trip', () => {
    for (const artifact of Object.values(result.artifacts)) {
      expect(metadataFromOnnx(artifact.onnx)).toEqual(artifact.metadata);
    }
    expect(() => metadataFromOnnx(buildChurnGraph({ coefficients: [1], intercept: 0 }))).toThrow(/metadata/);
  });

  it('runs each ONNX model in onnxruntime with the same answers as the TypeScript reference', async () => {
    const sample = [...result.features.values()].filter((_, i) => i % 10 === 0);
    const [fromOnnx, fromReference] = await Promise.all([onnx.score(sample), reference.score(sample)]);
    expect(fromOnnx).toHaveLength(sample.length);
    for (let i = 0; i < sample.length; i++) {
      expect(fromOnnx[i].segmentIndex).toBe(fromReference[i].segmentIndex);
      expect(fromOnnx[i].anomalyScore).toBeCloseTo(fromReference[i].anomalyScore, 5);
      expect(fromOnnx[i].churnProbability).toBeCloseTo(fromReference[i].churnProbability, 5);
    }
  });

  it('exports both churn algorithms to ONNX with the same probabilities as the TypeScript models', async () => {
    const profiles = [...result.features.values()];
    const rows = profiles.map(churnVector);
    // Any learnable 0/1 target will do for an export check: "quiet in the last week".
    const labels = profiles.map((f) => (f.activity.eventsLast7Days === 0 ? 1 : 0));
    const logistic = trainLogisticRegression(rows, labels);
    const boosted = trainBoostedTrees(rows, labels, { trees: 30 });
    const sample = rows.filter((_, i) => i % 7 === 0);
    const input = Float32Array.from(sample.flat());
    for (const [bytes, predict] of [
      [buildChurnGraph(logistic), (r: number[]) => predictLogistic(logistic, r)],
      [
        buildBoostedChurnGraph({ ...boosted, featureCount: CHURN_COLUMNS.length }),
        (r: number[]) => predictBoostedTrees(boosted, r),
      ],
    ] as const) {
      const session = await loadSession(bytes);
      const out = await session.run({ features: feed.float32(input, [sample.length, CHURN_COLUMNS.length]) });
      const probabilities = out.churn_probability.data as Float32Array;
      sample.forEach((row, i) => {
        expect(probabilities[i]).toBeCloseTo(predict(row), 5);
      });
      await session.release();
    }
    expect(result.artifacts.churn.metadata.candidates.map((c) => c.algorithm)).toEqual([
      'logistic-regression',
      'gradient-boosted-trees',
    ]);
    const best = Math.max(...result.artifacts.churn.metadata.candidates.map((c) => c.auc ?? Number.NaN));
    expect(result.metrics.churn.auc).toBe(best);
  });

  it('answers a user with too little history with low-confidence model answers, not an error', async () => {
    const newcomer = buildProfileFeatures(
      'newcomer',
      [data.events[0]].map((e) => ({ ...e, userId: 'newcomer' })),
      new Map(data.items.map((i) => [i.itemId, i])),
      NOW,
    );
    const [answers] = await onnx.score([newcomer]);
    const versions = { segments: '1', anomaly: '1', churn: '1' };
    const profile = assembleProfile(newcomer, { answers, scorer: onnx }, { versions });
    expect(profile.segment?.confidence).toBe('low');
    expect(profile.churn?.confidence).toBe('low');
    expect(profile.lowConfidenceReasons.length).toBeGreaterThan(0);
    expect(profile.churn?.probability).toBeGreaterThanOrEqual(0);
    expect(profile.churn?.probability).toBeLessThanOrEqual(1);

    const regular = [...result.features.values()].find(
      (f) => f.activity.totalEvents > 50 && f.activity.activeDays > 5,
    )!;
    const [regularAnswers] = await onnx.score([regular]);
    const regularProfile = assembleProfile(regular, { answers: regularAnswers, scorer: onnx }, { versions });
    expect(regularProfile.segment?.confidence).toBe('normal');
    expect(regularProfile.lowConfidenceReasons).toEqual([]);
    expect(regularProfile.segment?.label.length).toBeGreaterThan(3);
    expect(regularProfile.modelVersions).toEqual(versions);
  });
});

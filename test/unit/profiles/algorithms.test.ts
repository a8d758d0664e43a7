import { describe, expect, it } from 'vitest';
import { createRandom } from '#domain/random/seeded.ts';
import {
  averagePathLength,
  isolationScore,
  trainIsolationForest,
} from '#domain/profiles/isolation-forest.ts';
import { chooseK, nearestCentroid, silhouetteScore, trainKMeans } from '#domain/profiles/kmeans.ts';
import { predictLogistic, trainLogisticRegression } from '#domain/profiles/logistic-regression.ts';
import { predictBoostedTrees, trainBoostedTrees } from '#domain/profiles/gradient-boosting.ts';
import { rocAuc } from '#domain/profiles/roc-auc.ts';
import { chooseChurnAlgorithm } from '#domain/profiles/churn-training.ts';

const random = createRandom(3);
const blob = (cx: number, cy: number, n: number): number[][] =>
  Array.from({ length: n }, () => [cx + 0.3 * random.normal(), cy + 0.3 * random.normal()]);

describe('k-means', () => {
  const rows = [...blob(0, 0, 100), ...blob(5, 5, 100), ...blob(0, 5, 100)];

  it('finds three well-separated blobs, one centroid near each centre', () => {
    const model = trainKMeans(rows, 3, { seed: 1 });
    const centres = [
      [0, 0],
      [5, 5],
      [0, 5],
    ];
    for (const centre of centres) expect(nearestCentroid(centre, model.centroids).distance).toBeLessThan(0.1);
    expect(model.inertia).toBeLessThan(300 * 2 * 0.3 ** 2 * 1.5);
  });

  it('chooses k = 3 by silhouette when the data has three blobs', () => {
    const choice = chooseK(rows, 2, 6, { seed: 1 });
    expect(choice.k).toBe(3);
    expect(choice.silhouettes).toHaveLength(5);
  });

  it("keeps the live version's k unless another separates clearly better, so near-identical data keeps its segments", () => {
    // Noise with no cluster structure: neighbouring k score within noise of each other.
    const noise = Array.from({ length: 300 }, () => [random.normal(), random.normal(), random.normal()]);
    const free = chooseK(noise, 4, 8, { seed: 1 });
    const silhouetteAt = (k: number) => free.silhouettes.find((s) => s.k === k)!.silhouette;
    const other = [4, 5, 6, 7, 8].find(
      (k) => k !== free.k && silhouetteAt(free.k) <= silhouetteAt(k) * 1.25 && silhouetteAt(k) > 0,
    )!;
    expect(other).toBeDefined();
    const kept = chooseK(noise, 4, 8, { seed: 1, keepK: other, switchGain: 0.25 });
    expect(kept.k).toBe(other);
    expect(kept.model.centroids).toHaveLength(other);
    // Without the margin, the best silhouette wins as before.
    expect(chooseK(noise, 4, 8, { seed: 1, keepK: other, switchGain: 0 }).k).toBe(free.k);
    // Three clear blobs beat a live k of 6 by far more than the margin: k goes to 3.
    expect(chooseK(rows, 2, 6, { seed: 1, keepK: 6, switchGain: 0.25 }).k).toBe(3);
  });

  it("starts from the live centroids when warm-started, and stays at last night's optimum on the same data", () => {
    const noise = Array.from({ length: 300 }, () => [random.normal(), random.normal()]);
    const night1 = trainKMeans(noise, 5, { seed: 1 });
    // Another seed's restarts reach another local optimum on structureless data...
    const reseeded = trainKMeans(noise, 5, { seed: 2 });
    // ...while a warm start from night 1's centroids stays where night 1 ended.
    const warm = trainKMeans(noise, 5, { seed: 2, start: night1.centroids });
    const moved = (a: number[][], b: number[][]) => Math.max(...a.map((c) => nearestCentroid(c, b).distance));
    expect(moved(warm.centroids, night1.centroids)).toBeLessThan(1e-9);
    expect(moved(reseeded.centroids, night1.centroids)).toBeGreaterThan(1e-3);
    expect(() => trainKMeans(noise, 4, { start: night1.centroids })).toThrow(
      /warm start of 5 centroids for k=4/,
    );
  });

  it('scores a clean clustering near 1 and a random one near 0 by silhouette', () => {
    const model = trainKMeans(rows, 3, { seed: 1 });
    const good = rows.map((r) => nearestCentroid(r, model.centroids).index);
    const shuffled = rows.map((_, i) => i % 3);
    expect(silhouetteScore(rows, good, 3)).toBeGreaterThan(0.8);
    expect(Math.abs(silhouetteScore(rows, shuffled, 3))).toBeLessThan(0.1);
  });
});

describe('isolation forest', () => {
  it('scores an outlier well above the points it was trained among', () => {
    const rows = blob(0, 0, 500);
    const forest = trainIsolationForest(rows, { seed: 2 });
    const inlier = isolationScore(forest, [0, 0]);
    const outlier = isolationScore(forest, [4, -4]);
    expect(outlier).toBeGreaterThan(0.65);
    expect(inlier).toBeLessThan(0.5);
  });

  it('uses the average path length c(n) of Liu et al. and scikit-learn, H(n-1) approximated by ln(n-1) + γ', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    // c(256) = 2(ln 255 + γ) - 2*255/256 ≈ 10.2448; the exact 2 H(255) - 2*255/256 would be ≈ 10.2487.
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 3);
  });
});

describe('logistic regression', () => {
  it('learns a linear boundary and returns calibrated-looking probabilities', () => {
    const rows = Array.from({ length: 400 }, () => [random.normal() * 3, random.normal() * 3]);
    const labels = rows.map(([x, y]) => (x + 2 * y + random.normal() > 1 ? 1 : 0));
    const model = trainLogisticRegression(rows, labels);
    expect(predictLogistic(model, [5, 5])).toBeGreaterThan(0.95);
    expect(predictLogistic(model, [-5, -5])).toBeLessThan(0.05);
    expect(model.coefficients[1] / model.coefficients[0]).toBeCloseTo(2, 0);
  });
});

describe('gradient-boosted trees', () => {
  it('learns a boundary no linear model can (a ring), where logistic regression stays near chance', () => {
    const rows = Array.from({ length: 600 }, () => [random.normal() * 2, random.normal() * 2]);
    const labels = rows.map(([x, y]) => (x * x + y * y < 4 ? 1 : 0));
    const boosted = trainBoostedTrees(rows, labels);
    const logistic = trainLogisticRegression(rows, labels);
    const test = Array.from({ length: 400 }, () => [random.normal() * 2, random.normal() * 2]);
    const truth = test.map(([x, y]) => (x * x + y * y < 4 ? 1 : 0));
    expect(
      rocAuc(
        test.map((r) => predictBoostedTrees(boosted, r)),
        truth,
      ),
    ).toBeGreaterThan(0.9);
    expect(
      rocAuc(
        test.map((r) => predictLogistic(logistic, r)),
        truth,
      ),
    ).toBeLessThan(0.7);
  });
});

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 for all ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });
});

describe('the churn algorithm a retrain serves', () => {
  const lr = (auc?: number) => ({
    algorithm: 'logistic-regression' as const,
    ...(auc === undefined ? {} : { auc }),
  });
  const gbt = (auc?: number) => ({
    algorithm: 'gradient-boosted-trees' as const,
    ...(auc === undefined ? {} : { auc }),
  });

  it('is the better AUC with nothing live, ties and unmeasurable windows going to logistic regression', () => {
    expect(chooseChurnAlgorithm([lr(0.73), gbt(0.735)]).algorithm).toBe('gradient-boosted-trees');
    expect(chooseChurnAlgorithm([lr(0.73), gbt(0.73)]).algorithm).toBe('logistic-regression');
    expect(chooseChurnAlgorithm([lr(), gbt()]).algorithm).toBe('logistic-regression');
  });

  it('keeps the live algorithm unless the other measures more than the margin above it', () => {
    // The flip measured on the demo data: 0.7306 against 0.7358, within noise of each other.
    expect(chooseChurnAlgorithm([lr(0.7306), gbt(0.7358)], 'logistic-regression', 0.02).algorithm).toBe(
      'logistic-regression',
    );
    expect(chooseChurnAlgorithm([lr(0.7358), gbt(0.7306)], 'gradient-boosted-trees', 0.02).algorithm).toBe(
      'gradient-boosted-trees',
    );
    expect(chooseChurnAlgorithm([lr(0.7), gbt(0.75)], 'logistic-regression', 0.02).algorithm).toBe(
      'gradient-boosted-trees',
    );
    // A live algorithm the window cannot measure gives way to one it can.
    expect(chooseChurnAlgorithm([lr(0.7), gbt()], 'gradient-boosted-trees', 0.02).algorithm).toBe(
      'logistic-regression',
    );
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { feed, loadSession } from '#domain/onnx/session.ts';
import { metadataFromOnnx } from '#domain/profiles/model-artifacts.ts';
import { rocAuc } from '#domain/profiles/roc-auc.ts';
import { type InjectedAttack, injectAttack } from '#domain/profiles/shilling/attacks.ts';
import {
  binomialTailSurprise,
  detectShilling,
  type ShillingDetection,
  tailProbabilities,
} from '#domain/profiles/shilling/detector.ts';
import { trainShillingModel } from '#domain/profiles/shilling/model.ts';
import { ratingLog } from './rating-log.ts';

const DAY = 86_400_000;

describe('the shilling detector on a generated rating log with a planted average attack', () => {
  // Prepare: 300 users rating 500 items, then 15 fake users (5%) pushing one item with 5% filler.
  const log = ratingLog(300, 500, 3);
  let attack: InjectedAttack;
  let detection: ShillingDetection;
  let end: number;

  beforeAll(() => {
    attack = injectAttack(log, [], { type: 'average', attackSize: 0.05, fillerSize: 0.05, seed: 4 });
    end = attack.events[attack.events.length - 1].timestamp + 1;
    detection = detectShilling(attack.events, end);
  });

  it('plants 15 fake users who each rate the target at the top and 5% of the rated items as filler', () => {
    expect(attack.attackerIds).toHaveLength(15);
    const fake = attack.events.filter((e) => e.userId === attack.attackerIds[0]);
    const rated = new Set(log.map((e) => e.itemId)).size;
    expect(fake).toHaveLength(1 + Math.round(rated * 0.05));
    expect(fake.find((e) => e.itemId === attack.targetItemId)?.value).toBe(5);
    expect(fake.every((e) => e.timestamp >= attack.campaignStart && e.timestamp < end)).toBe(true);
  });

  it('ranks the fake users above the real ones (ROC-AUC >= 0.95) and flags them', () => {
    const fake = new Set(attack.attackerIds);
    const auc = rocAuc(
      detection.verdicts.map((v) => v.score),
      detection.verdicts.map((v) => (fake.has(v.userId) ? 1 : 0)),
    );
    expect(auc).toBeGreaterThanOrEqual(0.95);
    const flagged = detection.verdicts.filter((v) => v.flagged);
    expect(flagged.filter((v) => fake.has(v.userId)).length).toBeGreaterThanOrEqual(12);
    expect(flagged.filter((v) => !fake.has(v.userId)).length).toBeLessThanOrEqual(2);
  });

  it('names the pushed item in the per-item view, with the reason', () => {
    const [pushed] = detection.pushedItems;
    expect(pushed.itemId).toBe(attack.targetItemId);
    expect(pushed.suspiciousTopRatings).toBeGreaterThanOrEqual(12);
    expect(pushed.reason).toMatch(/of its \d+ top ratings come from suspicious accounts/);
    expect(pushed.recentFromFlagged).toBeGreaterThanOrEqual(12);
  });

  it('says why a fake user is flagged and how much of their top ratings land on the pushed item', () => {
    const verdict = detection.verdicts.find((v) => v.userId === attack.attackerIds[0])!;
    expect(verdict.flagged).toBe(true);
    expect(verdict.pushedItemId).toBe(attack.targetItemId);
    expect(verdict.reason).toContain(`gave item ${attack.targetItemId} a top rating`);
    expect(verdict.targetFocus).toBeGreaterThan(0);
    const real = detection.verdicts.find((v) => !attack.attackerIds.includes(v.userId) && !v.flagged)!;
    expect(real.reason).toBeUndefined();
  });

  it('flags nobody and calls no item pushed on the same log without the attack', () => {
    const clean = detectShilling(log, log[log.length - 1].timestamp + 1);
    expect(clean.users).toBe(300);
    expect(clean.verdicts.filter((v) => v.flagged)).toEqual([]);
    expect(clean.pushedItems).toEqual([]);
  });

  it('exports its last step to ONNX: onnxruntime gives the scores the detector computed', async () => {
    const model = trainShillingModel(attack.events, end);
    expect(metadataFromOnnx(model.artifact.onnx)).toEqual(model.artifact.metadata);
    expect(model.metrics.drillAuc).toBeGreaterThanOrEqual(0.9);
    const verdicts = model.detection.verdicts;
    const session = await loadSession(model.artifact.onnx);
    const evidence = Float32Array.from(verdicts.flatMap((v) => [v.ownSuspicion, v.groupEvidence]));
    const out = await session.run({ evidence: feed.float32(evidence, [verdicts.length, 2]) });
    await session.release();
    const scores = out.score.data as Float32Array;
    verdicts.forEach((v, k) => {
      expect(scores[k]).toBeCloseTo(v.score, 3);
    });
  });

  it('keeps the attack within its campaign, copying real users gaps between ratings', () => {
    const times = attack.events.filter((e) => e.userId === attack.attackerIds[1]).map((e) => e.timestamp);
    expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual(30 * DAY);
  });
});

describe('shilling statistics', () => {
  it('computes the binomial tail exactly on small cases', () => {
    // P(X >= 2 | n = 3, p = 0.5) = (3 + 1)/8 = 0.5 -> -ln 0.5.
    expect(binomialTailSurprise(2, 3, 0.5)).toBeCloseTo(Math.LN2, 12);
    // P(X >= 3 | n = 3, p = 0.1) = 0.001.
    expect(binomialTailSurprise(3, 3, 0.1)).toBeCloseTo(-Math.log(0.001), 9);
    expect(binomialTailSurprise(0, 5, 0.2)).toBe(0);
  });

  it('gives tail probabilities on the suspicious side, ties counted against', () => {
    // Values 1, 2, 2, 9 (n = 4): P(at least 9) = (1 + 1)/5; P(at least 2) = (3 + 1)/5.
    expect(Array.from(tailProbabilities([1, 2, 2, 9], 'up'))).toEqual([1, 0.8, 0.8, 0.4]);
    // Both sides: 1 is as extreme low as 9 is high: 2 x 2/5.
    const both = tailProbabilities([1, 2, 2, 9], 'both');
    expect(both[0]).toBeCloseTo(0.8, 12);
    expect(both[3]).toBeCloseTo(0.8, 12);
  });
});

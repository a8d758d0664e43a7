import { describe, expect, it } from 'vitest';
import { detectShilling } from '#domain/profiles/shilling/detector.ts';
import { injectAttack } from '#domain/profiles/shilling/attacks.ts';
import {
  aggregateEvents,
  DEFAULT_EVENT_WEIGHTS,
  type WeightedInteraction,
} from '#domain/recommendations/interactions.ts';
import { trainPopularity, trainTrending } from '#domain/recommendations/popularity.ts';
import { discountFlaggedUsers } from '#domain/recommendations/shilling-discount.ts';
import { ratingLog } from './rating-log.ts';

/** 1-based rank of `itemId` by descending score (ties after it do not count). */
function rankOf(itemIds: readonly string[], scores: ArrayLike<number>, itemId: string): number {
  const target = scores[itemIds.indexOf(itemId)];
  let rank = 1;
  for (let i = 0; i < itemIds.length; i++) if (scores[i] > target) rank++;
  return rank;
}

describe('discounting flagged accounts in training', () => {
  it('scales only the flagged users weights, by the factor', () => {
    const interactions: WeightedInteraction[] = [
      { userId: 'fake', itemId: 'x', weight: 4, timestamp: 1 },
      { userId: 'real', itemId: 'x', weight: 4, timestamp: 1 },
    ];
    expect(discountFlaggedUsers(interactions, new Set(['fake']), 0.25).map((x) => x.weight)).toEqual([1, 4]);
    expect(discountFlaggedUsers(interactions, new Set(['fake']), 0).map((x) => x.weight)).toEqual([0, 4]);
    expect(discountFlaggedUsers(interactions, new Set(), 0)).toEqual(interactions);
  });

  it('moves a detected push back down the popularity and trending lists', () => {
    // Prepare: a bandwagon attack (8% of users) on a generated log, and what the detector flagged.
    const log = ratingLog(300, 500, 5);
    const attack = injectAttack(log, [], { type: 'bandwagon', attackSize: 0.08, fillerSize: 0.03, seed: 9 });
    const now = attack.events[attack.events.length - 1].timestamp + 1;
    const flagged = new Set(
      detectShilling(attack.events, now)
        .verdicts.filter((v) => v.flagged)
        .map((v) => v.userId),
    );
    expect(flagged.size).toBeGreaterThanOrEqual(attack.attackerIds.length * 0.8);
    const itemIds = [...new Set(attack.events.map((e) => e.itemId))];
    const target = itemIds.indexOf(attack.targetItemId);
    const weighted = (events: typeof log, discounted: ReadonlySet<string>) =>
      discountFlaggedUsers(aggregateEvents(events, DEFAULT_EVENT_WEIGHTS), discounted, 0);
    // Users with a positive signal on the target, and its 7-day trending score at the attack's end.
    const popularity = (interactions: WeightedInteraction[]) =>
      trainPopularity(interactions, itemIds).scores[target];
    const trending = (interactions: WeightedInteraction[]) => {
      const model = trainTrending(interactions, itemIds, now);
      return model.scores[model.windows.indexOf('7d') * itemIds.length + target];
    };
    // Act
    const before = weighted(log, new Set());
    const attacked = weighted(attack.events, new Set());
    const discounted = weighted(attack.events, flagged);
    // Assess: the attack adds one supporter per fake user and makes the item trend; the discount takes
    // back every flagged fake user, so only the ones the detector missed still count.
    const missed = attack.attackerIds.filter((u) => !flagged.has(u)).length;
    expect(popularity(attacked)).toBe(popularity(before) + attack.attackerIds.length);
    expect(popularity(discounted)).toBe(popularity(before) + missed);
    expect(trending(attacked)).toBeGreaterThan(2);
    // Most of the attack's lift is gone (what is left comes from the fake users the detector missed).
    expect(trending(discounted) - trending(before)).toBeLessThan((trending(attacked) - trending(before)) / 2);
    expect(rankOf(itemIds, trainPopularity(discounted, itemIds).scores, attack.targetItemId)).toBeGreaterThan(
      rankOf(itemIds, trainPopularity(attacked, itemIds).scores, attack.targetItemId),
    );
  });
});

/**
 * What a detected shilling attack weighs in training: the aggregated interactions of accounts the
 * shilling detector flagged keep `factor` of their weight (0, the default, drops them), so an attack
 * that was found stops moving EASE, ALS, popularity and trending alike. Popularity and trending count
 * users with a positive signal: a factor above 0 softens the matrix models but still counts the user.
 */
import type { WeightedInteraction } from './interactions.ts';

/** The interactions with every flagged user's weight multiplied by `factor` (0..1); others unchanged. */
export function discountFlaggedUsers(
  interactions: readonly WeightedInteraction[],
  flagged: ReadonlySet<string>,
  factor: number,
): WeightedInteraction[] {
  if (flagged.size === 0 || factor === 1) return [...interactions];
  return interactions.map((x) => (flagged.has(x.userId) ? { ...x, weight: x.weight * factor } : x));
}

/**
 * How well the shilling detector does on a real rating log with attacks planted by attacks.ts: ROC-AUC
 * and precision at the attack's size per attack type, attack size and filler size; the share of users
 * flagged on the untouched log (false positives); and how far the pushed item moves in the default
 * recommendation model's lists (EASE) without and with the discount of flagged accounts.
 */
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { DEFAULT_EASE_OPTIONS, scoreEase, trainEase } from '#domain/recommendations/ease.ts';
import {
  aggregateEvents,
  buildMatrix,
  DEFAULT_EVENT_WEIGHTS,
  userRow,
} from '#domain/recommendations/interactions.ts';
import { discountFlaggedUsers } from '#domain/recommendations/shilling-discount.ts';
import { rocAuc } from '../roc-auc.ts';
import { type AttackOptions, type AttackType, injectAttack } from './attacks.ts';
import { DEFAULT_SHILLING_DETECTOR_OPTIONS, detectShilling, type ShillingDetection } from './detector.ts';

export interface AttackGrid {
  types: readonly AttackType[];
  /** Attack sizes as shares of users (e.g. 0.01, 0.03, 0.05). */
  sizes: readonly number[];
  /** Filler sizes as shares of rated items. */
  fillers: readonly number[];
  seed: number;
}

export interface AttackRow {
  type: AttackType;
  attackSize: number;
  fillerSize: number;
  campaignDays: number;
  fillerFrom: 'uniform' | 'popular';
  attackers: number;
  users: number;
  rocAuc: number;
  /** Attackers among the `attackers` highest scores / attackers. */
  precisionAtSize: number;
  flagged: number;
  flaggedAttackers: number;
  /** Whether the per-item view names the pushed item (as a primary push or one of its collateral items). */
  targetFound: boolean;
}

/** Where the pushed item lands in the default model's top-k lists of the log's real users. */
export interface ListPosition {
  /** Share of real users (who never rated it) with the item in their top 10. */
  top10Share: number;
  /** Median rank among each user's unrated items (1 = first); unmodelled items rank last. */
  medianRank: number;
}

export interface TargetMovement {
  type: AttackType;
  targetItemId: string;
  before: ListPosition;
  attacked: ListPosition;
  attackedWithDiscount: ListPosition;
  /** Flagged accounts discounted (weight 0), and how many were attackers. */
  discounted: number;
  discountedAttackers: number;
}

export interface ShillingEvaluation {
  clean: { users: number; flagged: number; falsePositiveRate: number; pushedItems: number };
  rows: AttackRow[];
  movement: TargetMovement[];
}

const TOP = 10;

/** Runs the detector on the untouched log, then on every attack of `grid`, and the list movement at `movementSize`. */
export async function evaluateShillingAttacks(
  events: readonly InteractionEvent[],
  items: readonly Item[],
  grid: AttackGrid,
  movement: {
    attackSize: number;
    fillerSize: number;
    /** Variants run for every type at the movement's sizes (a longer campaign, filler drawn by popularity). */
    variants?: readonly Pick<AttackOptions, 'campaignDays' | 'fillerFrom'>[];
  },
): Promise<ShillingEvaluation> {
  const end = (log: readonly InteractionEvent[]) => log.reduce((t, e) => Math.max(t, e.timestamp), 0) + 1;
  const clean = detectShilling(events, end(events), DEFAULT_SHILLING_DETECTOR_OPTIONS);
  const flaggedClean = clean.verdicts.filter((v) => v.flagged).length;
  const rows: AttackRow[] = [];
  let seed = grid.seed;
  for (const attackSize of grid.sizes) {
    for (const type of grid.types) {
      for (const fillerSize of grid.fillers)
        rows.push(attackRow(events, items, { type, attackSize, fillerSize, seed: seed++ }));
    }
  }
  for (const variant of movement.variants ?? []) {
    for (const type of grid.types) {
      const { attackSize, fillerSize } = movement;
      rows.push(attackRow(events, items, { type, attackSize, fillerSize, ...variant, seed: seed++ }));
    }
  }
  const moves: TargetMovement[] = [];
  for (const type of grid.types) {
    moves.push(await targetMovement(events, items, { type, ...movement, seed: grid.seed }));
  }
  return {
    clean: {
      users: clean.users,
      flagged: flaggedClean,
      falsePositiveRate: clean.users > 0 ? flaggedClean / clean.users : 0,
      pushedItems: clean.pushedItems.length,
    },
    rows,
    movement: moves,
  };
}

function attackRow(
  events: readonly InteractionEvent[],
  items: readonly Item[],
  options: AttackOptions,
): AttackRow {
  const attack = injectAttack(events, items, options);
  const detection = detectShilling(attack.events, attack.events[attack.events.length - 1].timestamp + 1);
  const attackers = new Set(attack.attackerIds);
  const flagged = detection.verdicts.filter((v) => v.flagged);
  return {
    type: options.type,
    attackSize: options.attackSize,
    fillerSize: options.fillerSize,
    campaignDays: options.campaignDays ?? 30,
    fillerFrom: options.fillerFrom ?? 'uniform',
    attackers: attackers.size,
    users: detection.users,
    rocAuc: rocAuc(
      detection.verdicts.map((v) => v.score),
      detection.verdicts.map((v) => (attackers.has(v.userId) ? 1 : 0)),
    ),
    precisionAtSize: precisionAt(detection, attackers),
    flagged: flagged.length,
    flaggedAttackers: flagged.filter((v) => attackers.has(v.userId)).length,
    targetFound: detection.pushedItems.some(
      (p) => p.itemId === attack.targetItemId || p.collateralItemIds.includes(attack.targetItemId),
    ),
  };
}

function precisionAt(detection: ShillingDetection, attackers: ReadonlySet<string>): number {
  const top = detection.verdicts.slice(0, attackers.size);
  return top.filter((v) => attackers.has(v.userId)).length / Math.max(1, attackers.size);
}

/** The pushed item's place in EASE's lists before the attack, after it, and after it with the discount. */
async function targetMovement(
  events: readonly InteractionEvent[],
  items: readonly Item[],
  options: AttackOptions,
): Promise<TargetMovement> {
  const attack = injectAttack(events, items, options);
  const attackers = new Set(attack.attackerIds);
  const detection = detectShilling(attack.events, attack.events[attack.events.length - 1].timestamp + 1);
  const flagged = new Set(detection.verdicts.filter((v) => v.flagged).map((v) => v.userId));
  const realUsers = new Set(events.map((e) => e.userId));
  const position = (log: readonly InteractionEvent[], discounted: ReadonlySet<string>) =>
    listPosition(log, discounted, attack.targetItemId, realUsers);
  return {
    type: options.type,
    targetItemId: attack.targetItemId,
    before: await position(events, new Set()),
    attacked: await position(attack.events, new Set()),
    attackedWithDiscount: await position(attack.events, flagged),
    discounted: flagged.size,
    discountedAttackers: [...flagged].filter((u) => attackers.has(u)).length,
  };
}

/** Trains EASE (default settings, events weighted as retraining does) and ranks `target` for each real user. */
async function listPosition(
  events: readonly InteractionEvent[],
  discounted: ReadonlySet<string>,
  target: string,
  realUsers: ReadonlySet<string>,
): Promise<ListPosition> {
  const interactions = discountFlaggedUsers(aggregateEvents(events, DEFAULT_EVENT_WEIGHTS), discounted, 0);
  const matrix = buildMatrix(interactions);
  const model = await trainEase(matrix, DEFAULT_EASE_OPTIONS);
  const localOf = new Map(Array.from(model.modelled, (item, k) => [item, k]));
  const targetIndex = matrix.itemIndex.get(target);
  const local = targetIndex === undefined ? -1 : (localOf.get(targetIndex) ?? -1);
  const ranks: number[] = [];
  for (const [userId, u] of matrix.userIndex) {
    if (!realUsers.has(userId)) continue;
    const { items: history, weights } = userRow(matrix, u);
    if (targetIndex !== undefined && history.includes(targetIndex)) continue;
    const seen = new Set(Array.from(history, (i) => localOf.get(i)).filter((k) => k !== undefined));
    const candidates = model.modelled.length - seen.size;
    if (local < 0) {
      ranks.push(candidates + 1);
      continue;
    }
    const scores = scoreEase(model, history, weights);
    let rank = 1;
    for (let k = 0; k < scores.length; k++)
      if (k !== local && !seen.has(k) && scores[k] > scores[local]) rank++;
    ranks.push(rank);
  }
  ranks.sort((a, b) => a - b);
  return {
    top10Share: ranks.filter((r) => r <= TOP).length / Math.max(1, ranks.length),
    medianRank: ranks[ranks.length >> 1] ?? Number.NaN,
  };
}

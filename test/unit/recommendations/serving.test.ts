import { beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '#domain/errors.ts';
import { aggregateEvents, DEFAULT_EVENT_WEIGHTS } from '#domain/recommendations/interactions.ts';
import { trainTrending } from '#domain/recommendations/popularity.ts';
import { loadServingModel, type ModelSet } from '#domain/recommendations/serving/loading.ts';
import { NOT_RANKABLE, rankItems, UNKNOWN_ITEM } from '#domain/recommendations/serving/rank.ts';
import { recommendForUser } from '#domain/recommendations/serving/recommend.ts';
import { fixedModels } from '#domain/recommendations/serving/routing.ts';
import { biasFor, historyFor, runGraph } from '#domain/recommendations/serving/scoring.ts';
import { similarItems } from '#domain/recommendations/serving/similar.ts';
import { trendingItems } from '#domain/recommendations/serving/trending.ts';
import { DEFAULT_EASE_OPTIONS, SESSION_EASE_OPTIONS } from '#domain/recommendations/ease.ts';
import { DEFAULT_TRAINING_OPTIONS, trainAllModels } from '#domain/recommendations/training.ts';
import { event, syntheticData } from './fixtures.ts';

const data = syntheticData();
let set: ModelSet;

beforeAll(async () => {
  const artifacts = await trainAllModels(
    { interactions: data.interactions, items: data.catalog, now: Date.UTC(2026, 1, 1) },
    {
      models: ['popularity', 'trending', 'ease', 'content', 'hybrid'],
      ease: { ...DEFAULT_EASE_OPTIONS, lambda: 50, maxItems: 200, popularityExponent: 0 },
      sessionEase: { ...SESSION_EASE_OPTIONS, lambda: 50, maxItems: 200, popularityExponent: 0 },
      als: { factors: 8, lambda: 10, alpha: 5, iterations: 2, cgSteps: 2, seed: 1 },
      content: { neighbours: 20, fieldWeights: { title: 1, description: 0.5, genre: 2, tag: 1.5 } },
      binary: false,
    },
  );
  const models: ModelSet['models'] = {};
  for (const a of artifacts) models[a.name] = await loadServingModel(a.bytes, `v-${a.name}`);
  set = { models, defaultModel: 'ease' };
});

describe('serving recommendations', () => {
  it('weighs complete above play above view, and lets a dislike cancel a view', () => {
    const [view, play, complete, mixed] = aggregateEvents(
      [
        event('u', 'a', 'view'),
        event('u', 'b', 'play'),
        event('u', 'c', 'complete'),
        event('u', 'd', 'view'),
        event('u', 'd', 'dislike'),
      ],
      DEFAULT_EVENT_WEIGHTS,
    );
    expect(complete.weight).toBeGreaterThan(play.weight);
    expect(play.weight).toBeGreaterThan(view.weight);
    expect(mixed.weight).toBeLessThan(0);
  });

  it('reflects an event posted a second earlier, without retraining', async () => {
    const history = ['i0', 'i4', 'i8', 'i12', 'i16', 'i20'].map((id) => event('new', id, 'complete'));
    const before = await recommendForUser(fixedModels(set), history, { k: 10, excludeSeen: true });
    const horrorHistory = [
      ...history,
      ...['i2', 'i6', 'i10', 'i14', 'i18', 'i22', 'i26'].map((id) => event('new', id, 'complete')),
    ];
    const after = await recommendForUser(fixedModels(set), horrorHistory, { k: 10, excludeSeen: true });
    expect(before.model).toBe('ease');
    expect(after.items.map((i) => i.itemId)).not.toEqual(before.items.map((i) => i.itemId));
    const horror = (ids: string[]) => ids.filter((id) => Number(id.slice(1)) % 4 === 2).length;
    expect(horror(after.items.map((i) => i.itemId))).toBeGreaterThan(
      horror(before.items.map((i) => i.itemId)),
    );
    // Seen items are excluded by default and every item carries a reason naming a watched title.
    expect(after.items.some((i) => horrorHistory.some((e) => e.itemId === i.itemId))).toBe(false);
    expect(after.items[0].reason).toMatch(/^because you watched Movie \d+/);
  });

  it('applies genre, excluded-genre and playable filters', async () => {
    const history = ['i0', 'i4', 'i8', 'i12', 'i16', 'i20'].map((id) => event('f', id, 'play'));
    const onlyComedy = await recommendForUser(fixedModels(set), history, {
      k: 10,
      excludeSeen: true,
      genres: ['comedy'],
    });
    expect(onlyComedy.items.length).toBeGreaterThan(0);
    expect(onlyComedy.items.every((i) => Number(i.itemId.slice(1)) % 4 === 1)).toBe(true);
    const noDrama = await recommendForUser(fixedModels(set), history, {
      k: 10,
      excludeSeen: true,
      excludeGenres: ['Drama'],
      playableOnly: true,
    });
    expect(
      noDrama.items.every((i) => Number(i.itemId.slice(1)) % 4 !== 0 && Number(i.itemId.slice(1)) % 3 !== 0),
    ).toBe(true);
  });

  it('gives an unknown user trending and popular items, each with its reason', async () => {
    const result = await recommendForUser(fixedModels(set), [], { k: 10, excludeSeen: true });
    expect(result.items).toHaveLength(10);
    for (const item of result.items) expect(item.reason).toMatch(/^(trending in \w+|popular with everyone)$/);
    expect(['popularity', 'trending']).toContain(result.model);
  });

  it('blends content in for a user with a thin history (hybrid)', async () => {
    const result = await recommendForUser(fixedModels(set), [event('thin', 'i1', 'complete')], {
      k: 5,
      excludeSeen: true,
    });
    expect(result.model).toBe('hybrid');
    expect(result.items).toHaveLength(5);
  });

  it('finds similar items and answers NotFoundError for an unknown item', async () => {
    const similar = await similarItems(fixedModels(set), 'i3', { k: 5 });
    expect(similar.items.map((i) => i.itemId)).not.toContain('i3');
    expect(similar.items.every((i) => Number(i.itemId.slice(1)) % 4 === 3)).toBe(true);
    await expect(similarItems(fixedModels(set), 'nope', { k: 5 })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('ranks exactly the given items and reports unknown ones', async () => {
    const history = ['i0', 'i4', 'i8'].map((id) => event('r', id, 'complete'));
    const ranked = await rankItems(fixedModels(set), history, ['i1', 'i12', 'i40', 'ghost'], {});
    expect(
      ranked.items
        .map((i) => i.itemId)
        .slice(0, 3)
        .sort(),
    ).toEqual(['i1', 'i12', 'i40']);
    expect(ranked.unknown).toEqual(['ghost']);
    const scores = ranked.items.slice(0, 3).map((i) => i.score ?? Number.NaN);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('lists items outside the model block and unknown ids last, unscored, instead of dropping them', async () => {
    const ease = set.models.ease!;
    const catalog = ease.metadata.catalog;
    const history = ['i0', 'i4', 'i8'].map((id) => event('r', id, 'complete'));
    const everything = await runGraph(
      ease,
      historyFor(ease, history),
      biasFor(catalog, {}),
      catalog.itemIds.length,
    );
    const scored = new Set(everything.indices.map((i) => catalog.itemIds[i]));
    const outside = catalog.itemIds.filter((id) => !scored.has(id));
    expect(outside.length, 'the fixture EASE block (200) is smaller than the catalog').toBeGreaterThan(0);
    const given = ['ghost', outside[0], 'i1', 'i12'];
    const ranked = await rankItems(fixedModels(set), history, given, {});
    expect(ranked.model).toBe('ease');
    expect(ranked.items.map((i) => i.itemId).sort()).toEqual([...given].sort());
    expect(ranked.items.slice(2)).toEqual([
      { itemId: outside[0], score: null, reason: NOT_RANKABLE },
      { itemId: 'ghost', score: null, reason: UNKNOWN_ITEM },
    ]);
    expect(ranked.items.slice(0, 2).every((i) => typeof i.score === 'number')).toBe(true);
    expect(ranked.unknown).toEqual(['ghost']);
  });

  it('serves trending for a named window and refuses an unknown window', async () => {
    const result = await trendingItems(fixedModels(set), { k: 3, window: '24h' });
    expect(result.items).toHaveLength(3);
    await expect(trendingItems(fixedModels(set), { k: 3, window: '3w' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("names the genre the caller filtered on in a trending reason, not just the item's first", async () => {
    // Prepare: items in Sports first and Drama second, all trending.
    const now = Date.UTC(2026, 1, 1);
    const items = Array.from({ length: 6 }, (_, i) => ({
      itemId: `m${i}`,
      title: `Match ${i}`,
      genres: ['Sports', 'Drama'],
      tags: [],
    }));
    const interactions = items.flatMap((item, i) =>
      Array.from({ length: 3 + i }, (_, e) => ({
        userId: `v${e}`,
        itemId: item.itemId,
        weight: 1,
        timestamp: now - (e + 1) * 60_000,
      })),
    );
    const [trending] = await trainAllModels(
      { interactions, items, now },
      {
        ...DEFAULT_TRAINING_OPTIONS,
        models: ['trending'],
      },
    );
    const only: ModelSet = {
      models: { trending: await loadServingModel(trending.bytes, 'v1') },
      defaultModel: 'ease',
    };

    // Act
    // The filter matches without case; so does the reason's genre.
    const dramas = await trendingItems(fixedModels(only), { k: 3, window: '24h', genres: ['drama'] });
    const all = await trendingItems(fixedModels(only), { k: 3, window: '24h' });

    // Assess
    expect(dramas.items.map((x) => x.reason)).toEqual(Array(3).fill('trending in Drama'));
    expect(all.items.map((x) => x.reason)).toEqual(Array(3).fill('trending in Sports'));
  });
});

describe('trending', () => {
  it('lifts a new item with a burst of events above a steadily popular one within hours', () => {
    const now = Date.UTC(2026, 5, 1, 12);
    const hour = 3_600_000;
    const rows = [];
    // Steady: 10 events a day for 60 days.
    for (let d = 0; d < 60; d++)
      for (let e = 0; e < 10; e++)
        rows.push({
          userId: `s${d}-${e}`,
          itemId: 'steady',
          weight: 1,
          timestamp: now - d * 24 * hour - e * hour,
        });
    // New hit: 15 events in the last 3 hours.
    for (let e = 0; e < 15; e++)
      rows.push({ userId: `h${e}`, itemId: 'hit', weight: 1, timestamp: now - (e % 3) * hour });
    const model = trainTrending(rows, ['steady', 'hit'], now);
    const w6h = model.windows.indexOf('6h');
    expect(model.scores[w6h * 2 + 1]).toBeGreaterThan(model.scores[w6h * 2]);
    // Steady's rate matches its own baseline, so it hardly rises at all.
    expect(model.scores[w6h * 2 + 1]).toBeGreaterThan(3 * model.scores[w6h * 2]);
  });
});

describe('trending from a recent window only', () => {
  it('corrects its sums for the events left unread, so it scores as from every event', () => {
    // Prepare: two items with steady rates over 120 days, one rising in the last hours.
    const now = Date.UTC(2026, 5, 1, 12);
    const hour = 3_600_000;
    const rows = [];
    for (let h = 0; h < 120 * 24; h += 2) {
      rows.push({ userId: `s${h}`, itemId: 'steady', weight: 1, timestamp: now - h * hour });
      if (h % 6 === 0) rows.push({ userId: `q${h}`, itemId: 'quiet', weight: 1, timestamp: now - h * hour });
      if (h < 6) rows.push({ userId: `r${h}`, itemId: 'quiet', weight: 1, timestamp: now - h * hour });
    }
    const since = now - 30 * 24 * hour;
    const recent = rows.filter((x) => x.timestamp >= since);

    // Act
    // The reference reads all 120 days (corrected alike for the days before them).
    const all = trainTrending(rows, ['steady', 'quiet'], now, undefined, now - 120 * 24 * hour);
    const corrected = trainTrending(recent, ['steady', 'quiet'], now, undefined, since);
    const uncorrected = trainTrending(recent, ['steady', 'quiet'], now);

    // Assess: every window's score stays within 0.15 of the reference with the correction, not without.
    const gap = (model: { scores: Float32Array }) =>
      Math.max(...[...all.scores].map((s, i) => Math.abs(model.scores[i] - s)));
    expect(gap(corrected)).toBeLessThan(0.15);
    expect(gap(uncorrected)).toBeGreaterThan(1);
  });
});

describe('impressions are not interactions', () => {
  it('neither make a (user, item) pair nor move the time of one the user played', () => {
    // Prepare: a play, a list shown an hour later that showed the played item and another.
    const played = event('u', 'a', 'play', 1_000);
    const shownAgain = event('u', 'a', 'impression', 3_601_000);
    const shownOnly = event('u', 'b', 'impression', 3_601_000);

    // Act
    const pairs = aggregateEvents([played, shownAgain, shownOnly], DEFAULT_EVENT_WEIGHTS);

    // Assess
    expect(pairs).toEqual([
      { userId: 'u', itemId: 'a', weight: DEFAULT_EVENT_WEIGHTS.play, timestamp: 1_000 },
    ]);
  });
});

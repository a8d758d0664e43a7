import { describe, expect, it } from 'vitest';
import { CachedPlayableCatalog, type PlayableCatalog } from '#domain/recommendations/playable-catalog.ts';
import { biasFor } from '#domain/recommendations/serving/scoring.ts';

/** A playable catalog whose answer the test changes, counting reads. */
function changingCatalog(initial: string[]) {
  const state = { ids: new Set(initial), reads: 0 };
  const catalog: PlayableCatalog = {
    playableIds: async () => {
      state.reads++;
      return new Set(state.ids);
    },
  };
  return { state, catalog };
}

describe('playable items for playableOnly', () => {
  it('the current playable ids override the training snapshot in the bias row', () => {
    const catalog = {
      itemIds: ['a', 'b', 'c'],
      titles: ['A', 'B', 'C'],
      genres: [[], [], []],
      playable: [true, false, false],
    };
    const snapshot = biasFor(catalog, { playableOnly: true });
    expect([...snapshot].map((x) => x === 0)).toEqual([true, false, false]);
    const current = biasFor(catalog, { playableOnly: true, playableIds: new Set(['b', 'c']) });
    expect([...current].map((x) => x === 0)).toEqual([false, true, true]);
    const unfiltered = biasFor(catalog, { playableIds: new Set(['b']) });
    expect([...unfiltered].every((x) => x === 0)).toBe(true);
  });

  it('the cache re-reads only after its TTL and shares one read between concurrent callers', async () => {
    const { state, catalog } = changingCatalog(['a']);
    let now = 1_000;
    const cached = new CachedPlayableCatalog(catalog, 30_000, () => now);
    const [first, second] = await Promise.all([cached.playableIds(), cached.playableIds()]);
    expect(state.reads).toBe(1);
    expect([...first]).toEqual(['a']);
    expect(second).toBe(first);
    state.ids.add('b');
    now += 29_999;
    expect((await cached.playableIds()).has('b')).toBe(false);
    now += 1;
    expect((await cached.playableIds()).has('b')).toBe(true);
    expect(state.reads).toBe(2);
  });
});

/**
 * Which catalog items are playable right now. A video finishing flips `playable` on its item long
 * after the model snapshot was trained, so `playableOnly` reads this instead of the snapshot.
 */

export interface PlayableCatalog {
  /** Ids of every item currently flagged playable. */
  playableIds(): Promise<ReadonlySet<string>>;
}

/** Caches another PlayableCatalog for `ttlMs` milliseconds; concurrent misses share one read. */
export class CachedPlayableCatalog implements PlayableCatalog {
  private cached?: { ids: ReadonlySet<string>; at: number };
  private pending?: Promise<ReadonlySet<string>>;

  constructor(
    private readonly source: PlayableCatalog,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async playableIds(): Promise<ReadonlySet<string>> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.ids;
    this.pending ??= this.source
      .playableIds()
      .then((ids) => {
        this.cached = { ids, at: this.now() };
        return ids;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}

/** Item titles and genres for lists of ids, read once per console session through the typed client. */
import { type MarqueeClient, MarqueeApiError, unwrap } from './api.tsx';

export type CatalogItem = NonNullable<Awaited<ReturnType<typeof readItem>>>;

const cache = new Map<string, Promise<CatalogItem | undefined>>();

async function readItem(api: MarqueeClient, itemId: string) {
  try {
    return await unwrap(api.GET('/items/{itemId}', { params: { path: { itemId } } }));
  } catch (error) {
    // An item id without a catalog entry (erased, or only in events) shows as its id.
    if (error instanceof MarqueeApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** The items for `ids`, by id; unknown ids are absent. */
export async function itemsById(api: MarqueeClient, ids: string[]): Promise<Map<string, CatalogItem>> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(
    unique.map((id) => {
      let pending = cache.get(id);
      if (!pending) {
        pending = readItem(api, id);
        cache.set(id, pending);
        pending.catch(() => cache.delete(id));
      }
      return pending;
    }),
  );
  return new Map(unique.flatMap((id, i) => (found[i] ? [[id, found[i]] as const] : [])));
}

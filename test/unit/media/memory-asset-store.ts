/** An asset store in memory for domain tests: one asset, and the fields of every write. */
import type { VideoAsset } from '#domain/media/asset.ts';
import type { AssetStore } from '#domain/media/ports.ts';

/** A store holding `asset` (written in place) that records the fields of every update. */
export function memoryStore(asset: VideoAsset) {
  const writes: Partial<VideoAsset>[] = [];
  const store: AssetStore = {
    create: async () => {},
    get: async (id) => (id === asset.assetId ? structuredClone(asset) : undefined),
    list: async () => ({ assets: [asset] }),
    update: async (_id, fields) => {
      writes.push(fields);
      Object.assign(asset, fields);
      return true;
    },
  };
  return { store, writes };
}

/** Domain test helpers: an asset store in memory (one asset, the fields of every write) and a READY asset. */
import { toSourceProbe } from '#adapters/media/mediaconvert-probe.ts';
import type { VideoAsset } from '#domain/media/asset.ts';
import type { AssetStore } from '#domain/media/ports.ts';
import { anamorphicProbe } from './probe-fixtures.ts';

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

/** A READY asset `a1` of the anamorphic shared clip (displays 427x240, 9.9 s), with `fields` over it. */
export function readyAnamorphicAsset(fields: Partial<VideoAsset>): VideoAsset {
  return {
    assetId: 'a1',
    status: 'READY',
    filename: 'clip.mp4',
    contentType: 'video/mp4',
    uploadKey: 'uploads/a1/clip.mp4',
    source: toSourceProbe(anamorphicProbe),
    createdAt: '2026-12-05T00:00:00Z',
    updatedAt: '2026-12-05T00:00:00Z',
    ...fields,
  };
}

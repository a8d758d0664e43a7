/**
 * Job state changes onto assets: progress, outputs or failure; a READY asset makes its catalog item
 * playable.
 */
import type { AssetStatus } from './asset.ts';
import { applyJobUpdate, type JobUpdate } from './job-updates.ts';
import type { AssetStore, PlayableItems } from './ports.ts';

export type JobEventOutcome =
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'applied'; assetId: string; status: AssetStatus; itemMadePlayable?: boolean };

export class JobStateRecorder {
  constructor(
    private readonly assets: AssetStore,
    private readonly items: PlayableItems,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Applies a job's state change to its asset; on COMPLETE the linked item becomes playable. */
  async record(update: JobUpdate): Promise<JobEventOutcome> {
    if (update.kind === 'ignored') return { outcome: 'ignored', reason: update.reason };
    const asset = await this.assets.get(update.assetId);
    if (!asset) return { outcome: 'ignored', reason: `no asset ${update.assetId}` };
    const next = applyJobUpdate(asset, update, this.now().toISOString());
    let status = asset.status;
    if (next) {
      const { assetId: _id, ...fields } = next;
      const written = await this.assets.update(asset.assetId, fields, { unlessSettledBy: update.jobId });
      if (!written)
        return { outcome: 'ignored', reason: 'the asset settled or moved to another job meanwhile' };
      status = next.status;
    }
    // Also on a repeated COMPLETE: the first delivery may have stopped between the two writes.
    const completed = update.kind === 'complete' && status === 'READY' && asset.jobId === update.jobId;
    if ((next?.status === 'READY' || completed) && asset.itemId) {
      const itemMadePlayable = await this.items.markPlayable(asset.itemId);
      return { outcome: 'applied', assetId: asset.assetId, status: 'READY', itemMadePlayable };
    }
    if (!next) return { outcome: 'ignored', reason: 'the event does not change the asset' };
    return { outcome: 'applied', assetId: asset.assetId, status };
  }
}

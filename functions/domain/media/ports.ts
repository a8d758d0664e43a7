/** What the video service needs from the outside world; adapters in functions/adapters/media/. */
import type { AssetStatus, VideoAsset } from './asset.ts';
import type { LadderPlan } from './ladder.ts';
import type { SourceProbe } from './probe.ts';

export interface AssetPage {
  assets: VideoAsset[];
  cursor?: string;
}

export interface AssetStore {
  create(asset: VideoAsset): Promise<void>;
  get(assetId: string): Promise<VideoAsset | undefined>;
  /** Newest first when filtered by status. */
  list(options: { status?: AssetStatus; limit: number; cursor?: string }): Promise<AssetPage>;
  /**
   * Writes the given fields. With `unlessSettledBy`, the write happens only if the asset is not
   * READY/FAILED and its jobId is absent or equal; returns false when that condition failed.
   */
  update(
    assetId: string,
    fields: Partial<Omit<VideoAsset, 'assetId'>>,
    options?: { unlessSettledBy?: string; remove?: (keyof VideoAsset)[] },
  ): Promise<boolean>;
}

/** One asset's transcode: the source, where its outputs go, and the plan to follow. */
export interface TranscodeRequest {
  assetId: string;
  /** s3:// URI of the uploaded source. */
  inputUri: string;
  /** s3:// prefix, ending in `/`, under which all outputs of this asset go. */
  outputPrefix: string;
  plan: LadderPlan;
  /** Which upload of the asset this job is for (1, or a digest of the S3 notification); a new one creates a new job. */
  attempt?: number | string;
}

/** The upload could not be read at all (missing object, unreadable bytes). */
export class ProbeFailedError extends Error {}

export interface Transcoder {
  /**
   * What the transcoder reads from an s3:// URI; a file with no readable container has no tracks.
   * Throws ProbeFailedError when the object cannot be read at all.
   */
  probe(uri: string): Promise<SourceProbe>;
  /** Submits the job that makes an asset's outputs; returns the job id (the same one again for a repeated attempt). */
  submit(request: TranscodeRequest): Promise<string>;
}

export interface UploadSigner {
  /** A presigned PUT URL for one object; `expiresInSec` seconds. */
  presignPut(key: string, contentType: string, expiresInSec: number): Promise<string>;
}

export interface PlayableItems {
  /** Flags the catalog item playable; false when no such item exists. */
  markPlayable(itemId: string): Promise<boolean>;
}

/** What the video service needs from the outside world; adapters in functions/adapters/media/. */
import type { AssetStatus, VideoAsset } from './asset.ts';
import type { ColourCorrection, ExposureStats } from './colour.ts';
import type { CropAspect, CropPicture, CropWindow, GreyFrame } from './smart-crop.ts';
import type { LadderPlan } from './ladder.ts';
import type { SourceProbe } from './probe.ts';
import type { SampleWindow } from './vmaf-sample.ts';

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
   * READY/FAILED and its jobId is absent or equal; with `claimFor`, only if the asset is UPLOADING
   * or already claimed by that ingest token. Returns false when the condition failed.
   */
  update(
    assetId: string,
    fields: Partial<Omit<VideoAsset, 'assetId'>>,
    options?: { unlessSettledBy?: string; claimFor?: string; remove?: (keyof VideoAsset)[] },
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
  /**
   * Smart crop: the source read as these clips in order, each cut to its window, at the source's
   * frame rate (frames per second); absent reads the whole source uncropped.
   */
  crop?: { aspect: CropAspect; frameRate: number; windows: CropWindow[] };
  /** Smart colour's levels for every video output; absent leaves the picture as it is. */
  colour?: ColourCorrection;
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

/** The analyzer could not read or measure the video (its tool failed on these bytes). */
export class AnalysisFailedError extends Error {}

/** Measures pictures of a video without transcoding it (ffmpeg on sampled frames). */
export interface VideoAnalyzer {
  /** Exposure and colour figures averaged over frames sampled across the whole video at `uri` (s3:// or a local path). */
  measureExposure(uri: string, durationSec: number): Promise<ExposureStats>;
  /** Grey frames sampled at a fixed rate and the scene cuts of the video at `uri` (s3:// or a local path). */
  sampleFrames(uri: string, picture: CropPicture): Promise<CropFrames>;
}

/** What smart crop analyses: downscaled grey frames in time order and the scene cut times, seconds. */
export interface CropFrames {
  frames: GreyFrame[];
  cutsSec: number[];
}

/** An HTML form upload: POST `url` as multipart/form-data with `fields` first, then the file. */
export interface UploadForm {
  url: string;
  fields: Record<string, string>;
}

export interface UploadLimits {
  /** The only Content-Type the storage accepts for the object. */
  contentType: string;
  /** Largest accepted object, bytes (the smallest is 1). */
  maxBytes: number;
  /** Lifetime of the form, seconds. */
  expiresInSec: number;
}

export interface UploadSigner {
  /** A presigned POST form for exactly one key, whose policy the storage enforces. */
  presignPost(key: string, limits: UploadLimits): Promise<UploadForm>;
}

export interface PlayableItems {
  /** Flags the catalog item playable; false when no such item exists. */
  markPlayable(itemId: string): Promise<boolean>;
}

/** One rendition to compare with its source over sampled windows. */
export interface QualityRequest {
  /** s3:// URI of the source (the upload). */
  sourceUri: string;
  /** s3:// URI of the rendition: an HLS variant playlist or an MP4 file. */
  renditionUri: string;
  /** The source's display size (rotation and pixel aspect applied), pixels: both sides are compared at it. */
  displayWidth: number;
  displayHeight: number;
  windows: SampleWindow[];
}

export interface MeasuredQuality {
  /** VMAF 0..100, mean over the sampled frames. */
  vmaf: number;
  /** Luma PSNR, dB, mean over the sampled frames. */
  psnrDb: number;
  /** Luma SSIM 0..1, mean over the sampled frames. */
  ssim: number;
  /** Frames compared. */
  frames: number;
}

/**
 * Measures a rendition against its source (VMAF v0.6.1 with PSNR and SSIM in the same pass).
 * `measure` throws AnalysisFailedError when the objects cannot be read or the tool fails.
 */
export interface QualityMeter {
  measure(request: QualityRequest): Promise<MeasuredQuality>;
}

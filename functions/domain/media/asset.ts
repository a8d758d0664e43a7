/** A video asset: one upload, its probe, its MediaConvert job and the outputs. Plain data. */
import type { ColourDecision } from './colour.ts';
import type { LadderPlan } from './ladder.ts';
import type { CropAspect, CropPlan } from './smart-crop.ts';
import type { SourceProbe } from './probe.ts';
import type { QualityFlag } from './quality-expectations.ts';

export const ASSET_STATUSES = ['UPLOADING', 'PROCESSING', 'READY', 'FAILED'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

export interface RenditionOutput {
  /** s3:// URI of the rendition's playlist (HLS) or file (MP4). */
  uri: string;
  codec: string;
  width: number;
  height: number;
  /**
   * Peak of the muxed stream (video, audio and container), bits/s: the HLS BANDWIDTH players see
   * when the transcoder measured it, else the plan's video ceiling plus the audio bit rate.
   */
  maxBitrateBps: number;
  /** Average of the same muxed stream, bits/s (HLS AVERAGE-BANDWIDTH), when the transcoder measured it. */
  averageBitrateBps?: number;
  /** The ceiling the plan gave the video encoder alone, bits/s. */
  videoMaxBitrateBps?: number;
  /**
   * Against the source over the VMAF sample, in the same pass as VMAF (the rendition upscaled to the
   * source's display size): luma PSNR in dB and luma SSIM 0..1, means over the sampled frames.
   */
  psnrDb?: number;
  ssim?: number;
  /** VMAF 0..100 (model v0.6.1), the rendition upscaled to the source's display size, over a sample. */
  vmaf?: number;
}

/** Where an asset's quality measurement stands: measured after its job completes, by its own function. */
export type VmafStatus = 'MEASURING' | 'MEASURED' | 'MISSING';

export interface AssetQuality {
  vmafStatus?: VmafStatus;
  /** The VMAF model and the part of the video it was computed on, when VMAF was measured. */
  vmafModel?: string;
  vmafSample?: string;
  /** Why the renditions (or some of them, named) have no VMAF. */
  vmafMissing?: string;
  /** Renditions whose VMAF is far below what their size should reach. */
  flags: QualityFlag[];
}

export interface AssetOutputs {
  /** s3:// URI of the HLS master playlist. */
  hlsMaster: string;
  renditions: RenditionOutput[];
  download?: RenditionOutput;
  /** s3:// URIs, in time order. */
  thumbnails: string[];
  poster?: string;
  /** Milliseconds, as MediaConvert measured the outputs. */
  durationMs?: number;
  quality?: AssetQuality;
}

/** One smart-crop aspect of an asset: its plan, its job and, once done, its outputs. */
export interface CropRendition {
  aspect: CropAspect;
  status: 'PROCESSING' | 'READY' | 'FAILED';
  jobId: string;
  plan: CropPlan;
  /** The ladder planned on the window's size. */
  ladder: LadderPlan;
  outputs?: AssetOutputs;
  failure?: string;
}

export interface AssetFailure {
  code: string;
  message: string;
}

export interface VideoAsset {
  assetId: string;
  status: AssetStatus;
  filename: string;
  contentType: string;
  itemId?: string;
  title?: string;
  /** Key of the upload in the uploads bucket. */
  uploadKey: string;
  /** 0..100 while PROCESSING. */
  percent?: number;
  failure?: AssetFailure;
  source?: SourceProbe;
  plan?: LadderPlan;
  /** Whether the uploader asked for smart colour (absent means yes: it is on by default). */
  smartColour?: boolean;
  /** What smart colour measured and decided, once the asset was ingested. */
  colour?: ColourDecision;
  /** Smart crop, 9:16 and 1:1, once the asset is READY (one field each: their jobs settle independently). */
  cropVertical?: CropRendition;
  cropSquare?: CropRendition;
  /** The MediaConvert job driving this asset; events for other jobs are stale. */
  jobId?: string;
  /** Identity of the S3 notification that started processing (key + sequencer/ETag); dedupes retries. */
  ingestToken?: string;
  outputs?: AssetOutputs;
  /** Epoch seconds after which the table drops an asset whose upload never arrived (DynamoDB TTL). */
  expiresAt?: number;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
}

/**
 * What a transcoding job reported, in plain terms, and how it changes the asset. Pure: the
 * transcoder adapter reads the service's events into a `JobUpdate`; `applyJobUpdate` decides.
 */
import type { AssetOutputs, AssetQuality, RenditionOutput, VideoAsset } from './asset.ts';
import type { LadderPlan } from './ladder.ts';

/** One video output as the transcoder reported it. */
export interface ReportedRendition {
  /** s3:// URI of the rendition's playlist (HLS) or file (MP4). */
  uri: string;
  /** The suffix the plan gave the output (`_720p`), read back from its name; absent if unknown. */
  nameModifier?: string;
  width?: number;
  height?: number;
  /** Measured average of the muxed stream, bits/s. */
  averageBitrateBps?: number;
  /** Measured peak of the muxed stream (HLS BANDWIDTH), bits/s. */
  peakBitrateBps?: number;
}

export interface ReportedOutputs {
  hlsMaster: string;
  renditions: ReportedRendition[];
  download?: ReportedRendition;
  /** s3:// URIs, in time order. */
  thumbnails: string[];
  poster?: string;
  /** Milliseconds. */
  durationMs?: number;
}

/** What the asset says from READY until the quality function has measured its renditions. */
export const MEASURING_QUALITY: AssetQuality = { vmafStatus: 'MEASURING', flags: [] };

export type JobUpdate =
  | { kind: 'progress'; assetId: string; jobId: string; percent: number }
  | { kind: 'complete'; assetId: string; jobId: string; outputs: ReportedOutputs }
  | { kind: 'error'; assetId: string; jobId: string; code: string; message: string }
  | { kind: 'ignored'; reason: string };

function toRenditionOutput(reported: ReportedRendition, plan: LadderPlan | undefined): RenditionOutput {
  const planned = plan
    ? [...plan.renditions, plan.download].find((r) => r.nameModifier === reported.nameModifier)
    : undefined;
  return {
    uri: reported.uri,
    codec: planned?.codec ?? (reported.nameModifier?.includes('hevc') ? 'H_265' : 'H_264'),
    width: reported.width ?? planned?.width ?? 0,
    height: reported.height ?? planned?.height ?? 0,
    // Like for like with the average: both describe the muxed stream.
    maxBitrateBps:
      reported.peakBitrateBps ?? (planned ? planned.maxBitrateBps + (plan?.audio?.bitrateBps ?? 0) : 0),
    averageBitrateBps: reported.averageBitrateBps,
    videoMaxBitrateBps: planned?.maxBitrateBps,
  };
}

/**
 * The asset's outputs from what the job reported, completed from the plan it was made from. Their
 * quality (VMAF, PSNR, SSIM) is measured afterwards by the quality function (rendition-quality.ts):
 * the transcoder reports none.
 */
export function toAssetOutputs(reported: ReportedOutputs, plan: LadderPlan | undefined): AssetOutputs {
  const renditions = reported.renditions.map((r) => toRenditionOutput(r, plan));
  return {
    hlsMaster: reported.hlsMaster,
    renditions,
    ...(reported.download ? { download: toRenditionOutput(reported.download, plan) } : {}),
    thumbnails: reported.thumbnails,
    ...(reported.poster ? { poster: reported.poster } : {}),
    ...(reported.durationMs !== undefined ? { durationMs: reported.durationMs } : {}),
  };
}

/**
 * The asset after an update, or undefined when the update changes nothing: events of another job
 * (a superseded attempt), progress after the asset settled, or progress that would go backwards
 * (EventBridge does not keep order).
 */
export function applyJobUpdate(asset: VideoAsset, update: JobUpdate, nowIso: string): VideoAsset | undefined {
  if (update.kind === 'ignored') return undefined;
  if (asset.jobId && asset.jobId !== update.jobId) return undefined;
  if (asset.status === 'READY' || asset.status === 'FAILED') return undefined;
  switch (update.kind) {
    case 'progress':
      if (asset.status === 'PROCESSING' && (asset.percent ?? 0) >= update.percent && asset.jobId)
        return undefined;
      return {
        ...asset,
        status: 'PROCESSING',
        jobId: update.jobId,
        percent: update.percent,
        updatedAt: nowIso,
      };
    case 'complete':
      return {
        ...asset,
        status: 'READY',
        jobId: update.jobId,
        percent: 100,
        outputs: { ...toAssetOutputs(update.outputs, asset.plan), quality: MEASURING_QUALITY },
        updatedAt: nowIso,
      };
    case 'error':
      return {
        ...asset,
        status: 'FAILED',
        jobId: update.jobId,
        failure: { code: update.code, message: update.message },
        updatedAt: nowIso,
      };
  }
}

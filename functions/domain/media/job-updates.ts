/**
 * What a transcoding job reported, in plain terms, and how it changes the asset. Pure: the
 * transcoder adapter reads the service's events into a `JobUpdate`; `applyJobUpdate` decides.
 */
import type { AssetOutputs, AssetQuality, RenditionOutput, VideoAsset } from './asset.ts';
import type { LadderPlan } from './ladder.ts';
import type { SourceProbe } from './probe.ts';
import { lowVmafFlags } from './quality-expectations.ts';

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
  psnrDb?: number;
  ssim?: number;
  vmaf?: number;
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
  /** Which VMAF model and sample the transcoder used, or why it measured none. */
  vmaf: { model: string; sample: string } | { missing: string };
}

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
    psnrDb: reported.psnrDb,
    ssim: reported.ssim,
    vmaf: reported.vmaf,
  };
}

/** The asset's quality summary: the VMAF model and sample (or why none), and low-VMAF flags. */
function qualityOf(
  reported: ReportedOutputs,
  renditions: RenditionOutput[],
  sourceShortSide: number | undefined,
): AssetQuality {
  const vmaf =
    'missing' in reported.vmaf
      ? { vmafMissing: reported.vmaf.missing }
      : { vmafModel: reported.vmaf.model, vmafSample: reported.vmaf.sample };
  return { ...vmaf, flags: sourceShortSide ? lowVmafFlags(renditions, sourceShortSide) : [] };
}

/** The asset's outputs from what the job reported, completed from the plan and source it was made from. */
export function toAssetOutputs(
  reported: ReportedOutputs,
  plan: LadderPlan | undefined,
  source?: SourceProbe,
): AssetOutputs {
  const renditions = reported.renditions.map((r) => toRenditionOutput(r, plan));
  const video = source?.video;
  return {
    hlsMaster: reported.hlsMaster,
    renditions,
    ...(reported.download ? { download: toRenditionOutput(reported.download, plan) } : {}),
    thumbnails: reported.thumbnails,
    ...(reported.poster ? { poster: reported.poster } : {}),
    ...(reported.durationMs !== undefined ? { durationMs: reported.durationMs } : {}),
    quality: qualityOf(
      reported,
      renditions,
      video ? Math.min(video.displayWidth, video.displayHeight) : undefined,
    ),
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
        outputs: toAssetOutputs(update.outputs, asset.plan, asset.source),
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

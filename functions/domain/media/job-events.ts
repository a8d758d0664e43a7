/**
 * Reading MediaConvert "Job State Change" events and applying them to an asset. Pure: the handler
 * loads the asset, calls `interpretJobEvent` then `applyJobUpdate`, and saves the result.
 */
import type { AssetOutputs, RenditionOutput, VideoAsset } from './asset.ts';
import { OUTPUT_LAYOUT } from './job-settings.ts';
import type { LadderPlan } from './ladder.ts';

export interface JobStateChangeEvent {
  source?: string;
  'detail-type'?: string;
  detail?: {
    status?: string;
    jobId?: string;
    userMetadata?: Record<string, string>;
    jobProgress?: { jobPercentComplete?: number };
    errorCode?: number | string;
    errorMessage?: string;
    outputGroupDetails?: OutputGroupDetail[];
  };
}

export interface OutputGroupDetail {
  type?: string;
  playlistFilePaths?: string[];
  outputDetails?: {
    outputFilePaths?: string[];
    durationInMs?: number;
    videoDetails?: {
      widthInPx?: number;
      heightInPx?: number;
      averageBitrate?: number;
      /** Local endpoint extension: measured against the source. */
      psnrDb?: number;
      ssim?: number;
    };
  }[];
}

export type JobUpdate =
  | { kind: 'progress'; assetId: string; jobId: string; percent: number }
  | { kind: 'complete'; assetId: string; jobId: string; outputs: AssetOutputs }
  | { kind: 'error'; assetId: string; jobId: string; code: string; message: string }
  | { kind: 'ignored'; reason: string };

/** Thumbnail URIs from the last one MediaConvert reports: `<base>.0000007.jpg` -> 8 URIs. */
function expandFrameCaptures(lastUri: string): string[] {
  const match = /^(.*\.)(\d{7})\.jpg$/.exec(lastUri);
  if (!match) return [lastUri];
  const count = Number(match[2]) + 1;
  return Array.from({ length: count }, (_, i) => `${match[1]}${String(i).padStart(7, '0')}.jpg`);
}

function renditionFrom(
  uri: string,
  detail: NonNullable<OutputGroupDetail['outputDetails']>[number],
  plan: LadderPlan | undefined,
): RenditionOutput {
  const planned = plan
    ? [...plan.renditions, plan.download].find((r) => uri.includes(`${r.nameModifier}.`))
    : undefined;
  const video = detail.videoDetails ?? {};
  return {
    uri,
    codec: planned?.codec ?? (uri.includes('hevc') ? 'H_265' : 'H_264'),
    width: video.widthInPx ?? planned?.width ?? 0,
    height: video.heightInPx ?? planned?.height ?? 0,
    maxBitrateBps: planned?.maxBitrateBps ?? 0,
    averageBitrateBps: video.averageBitrate,
    psnrDb: video.psnrDb,
    ssim: video.ssim,
  };
}

/** Collects the output paths of a COMPLETE event: HLS master, renditions, MP4, thumbnails, poster. */
export function outputsFromGroups(groups: OutputGroupDetail[], plan?: LadderPlan): AssetOutputs {
  const outputs: AssetOutputs = { hlsMaster: '', renditions: [], thumbnails: [] };
  for (const group of groups) {
    if (group.type === 'HLS_GROUP') {
      outputs.hlsMaster = group.playlistFilePaths?.[0] ?? '';
      for (const detail of group.outputDetails ?? []) {
        const uri = detail.outputFilePaths?.[0];
        if (uri) outputs.renditions.push(renditionFrom(uri, detail, plan));
        outputs.durationMs ??= detail.durationInMs;
      }
    }
    if (group.type === 'FILE_GROUP') {
      for (const detail of group.outputDetails ?? []) {
        const uri = detail.outputFilePaths?.[0];
        if (!uri) continue;
        if (uri.endsWith('.mp4')) outputs.download = renditionFrom(uri, detail, plan);
        else if (uri.includes(`${OUTPUT_LAYOUT.thumbnailModifier}.`))
          outputs.thumbnails = expandFrameCaptures(uri);
        else if (uri.includes(`${OUTPUT_LAYOUT.posterModifier}.`)) outputs.poster = uri;
      }
    }
  }
  return outputs;
}

/** Reads one EventBridge event from MediaConvert into an update for the asset it names. */
export function interpretJobEvent(event: JobStateChangeEvent, plan?: LadderPlan): JobUpdate {
  if (event.source !== 'aws.mediaconvert' || event['detail-type'] !== 'MediaConvert Job State Change') {
    return { kind: 'ignored', reason: 'not a MediaConvert job state change' };
  }
  const detail = event.detail ?? {};
  const assetId = detail.userMetadata?.assetId;
  const jobId = detail.jobId;
  if (!assetId || !jobId) return { kind: 'ignored', reason: 'the job carries no assetId in userMetadata' };
  switch (detail.status) {
    case 'PROGRESSING':
      return { kind: 'progress', assetId, jobId, percent: 0 };
    case 'STATUS_UPDATE':
      return {
        kind: 'progress',
        assetId,
        jobId,
        percent: clampPercent(detail.jobProgress?.jobPercentComplete),
      };
    case 'COMPLETE':
      return {
        kind: 'complete',
        assetId,
        jobId,
        outputs: outputsFromGroups(detail.outputGroupDetails ?? [], plan),
      };
    case 'ERROR':
      return {
        kind: 'error',
        assetId,
        jobId,
        code: String(detail.errorCode ?? 'UNKNOWN'),
        message: detail.errorMessage ?? 'MediaConvert reported an error without a message',
      };
    case 'CANCELED':
      return { kind: 'error', assetId, jobId, code: 'CANCELED', message: 'the transcoding job was canceled' };
    default:
      return { kind: 'ignored', reason: `status ${detail.status ?? '(none)'} does not change the asset` };
  }
}

function clampPercent(value: number | undefined): number {
  return Math.max(0, Math.min(100, Math.round(value ?? 0)));
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
        outputs: update.outputs,
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

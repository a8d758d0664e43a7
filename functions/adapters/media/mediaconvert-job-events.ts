/**
 * Reads MediaConvert "Job State Change" events (EventBridge shape) into the domain's `JobUpdate`.
 * Output names follow OUTPUT_LAYOUT, which the job settings wrote.
 */
import type { JobUpdate, ReportedOutputs, ReportedRendition } from '#domain/media/job-updates.ts';
import { OUTPUT_LAYOUT } from './mediaconvert-job-settings.ts';

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
  outputDetails?: OutputDetail[];
}

interface OutputDetail {
  outputFilePaths?: string[];
  durationInMs?: number;
  videoDetails?: {
    widthInPx?: number;
    heightInPx?: number;
    averageBitrate?: number;
    /** Local endpoint extension: the muxed peak (HLS BANDWIDTH), bits/s. */
    peakBitrate?: number;
  };
}

/** Thumbnail URIs from the last one MediaConvert reports: `<base>.0000007.jpg` -> 8 URIs. */
function expandFrameCaptures(lastUri: string): string[] {
  const match = /^(.*\.)(\d{7})\.jpg$/.exec(lastUri);
  if (!match) return [lastUri];
  const count = Number(match[2]) + 1;
  return Array.from({ length: count }, (_, i) => `${match[1]}${String(i).padStart(7, '0')}.jpg`);
}

/** The name modifier of `<prefix><base><modifier>.<ext>`, given the base the job settings used. */
function nameModifierOf(uri: string, base: string): string | undefined {
  const name = uri.slice(uri.lastIndexOf('/') + 1);
  const stem = base.slice(base.lastIndexOf('/') + 1);
  if (!name.startsWith(stem)) return undefined;
  return name.slice(stem.length, name.lastIndexOf('.'));
}

function reportedRendition(uri: string, detail: OutputDetail, base: string): ReportedRendition {
  const video = detail.videoDetails ?? {};
  return {
    uri,
    nameModifier: nameModifierOf(uri, base),
    width: video.widthInPx,
    height: video.heightInPx,
    averageBitrateBps: video.averageBitrate,
    peakBitrateBps: video.peakBitrate,
  };
}

/**
 * Collects the output paths of a COMPLETE event: HLS master, renditions, MP4, thumbnails, poster.
 * MediaConvert reports no VMAF (only QVBR levels): the quality function measures the renditions.
 */
export function outputsFromGroups(groups: OutputGroupDetail[]): ReportedOutputs {
  const outputs: ReportedOutputs = { hlsMaster: '', renditions: [], thumbnails: [] };
  for (const group of groups) {
    if (group.type === 'HLS_GROUP') {
      outputs.hlsMaster = group.playlistFilePaths?.[0] ?? '';
      for (const detail of group.outputDetails ?? []) {
        const uri = detail.outputFilePaths?.[0];
        if (uri) outputs.renditions.push(reportedRendition(uri, detail, OUTPUT_LAYOUT.hlsBase));
        outputs.durationMs ??= detail.durationInMs;
      }
    }
    if (group.type === 'FILE_GROUP') {
      for (const detail of group.outputDetails ?? []) {
        const uri = detail.outputFilePaths?.[0];
        if (!uri) continue;
        if (uri.endsWith('.mp4')) outputs.download = reportedRendition(uri, detail, OUTPUT_LAYOUT.filesBase);
        else if (uri.includes(`${OUTPUT_LAYOUT.thumbnailModifier}.`))
          outputs.thumbnails = expandFrameCaptures(uri);
        else if (uri.includes(`${OUTPUT_LAYOUT.posterModifier}.`)) outputs.poster = uri;
      }
    }
  }
  return outputs;
}

function clampPercent(value: number | undefined): number {
  return Math.max(0, Math.min(100, Math.round(value ?? 0)));
}

/** Reads one EventBridge event from MediaConvert into an update for the asset it names. */
export function interpretJobEvent(event: JobStateChangeEvent): JobUpdate {
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
        outputs: outputsFromGroups(detail.outputGroupDetails ?? []),
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

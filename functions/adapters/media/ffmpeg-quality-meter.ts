/**
 * ffmpeg adapter of the QualityMeter port: VMAF (model v0.6.1, libvmaf of the ffmpeg 4.1 build) with
 * PSNR and SSIM from the same libvmaf pass, over the sampled windows only. Source and rendition are
 * read from S3 over presigned URLs, never downloaded whole: an MP4 (the source, the download) is
 * opened with an input seek to each window (ffmpeg reads the window's bytes with range requests);
 * an HLS variant gets, per window, a small playlist in /tmp listing only the segments that cover the
 * window, each by its presigned URL. (An input seek on an HLS playlist lands off by the stream's
 * start offset in this ffmpeg: VMAF 0 in a test. The per-window playlist decodes from a segment's
 * first frame, which is a keyframe at a known time, and trims to the window.) Both sides are scaled
 * to the source's display size, the rendition bicubically, as Netflix prescribes, and concatenated
 * window after window into the one libvmaf comparison.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, s3Client } from '#adapters/s3/client.ts';
import {
  AnalysisFailedError,
  type MeasuredQuality,
  type QualityMeter,
  type QualityRequest,
} from '#domain/media/ports.ts';
import type { SampleWindow } from '#domain/media/vmaf-sample.ts';
import { presignedGetUrl, runFfmpeg } from './ffmpeg-run.ts';

/** Presigned URLs outlive the longest measurement (the function's 15-minute limit). */
const URL_TTL_SEC = 3600;

/** One HLS media segment: its URI as the playlist writes it, and its duration, seconds. */
export interface PlaylistSegment {
  uri: string;
  durationSec: number;
}

/** The media segments of an HLS variant playlist, in order (EXTINF durations). */
export function parseMediaPlaylist(text: string): PlaylistSegment[] {
  const segments: PlaylistSegment[] = [];
  let duration: number | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const extinf = /^#EXTINF:([\d.]+)/.exec(line);
    if (extinf) duration = Number(extinf[1]);
    else if (line && !line.startsWith('#') && duration !== undefined) {
      segments.push({ uri: line, durationSec: duration });
      duration = undefined;
    }
  }
  return segments;
}

/**
 * The segments that cover [startSec, startSec + durationSec) and where the window starts in the
 * first of them, seconds.
 */
export function segmentsCovering(
  segments: PlaylistSegment[],
  window: SampleWindow,
): { segments: PlaylistSegment[]; offsetSec: number } {
  const end = window.startSec + window.durationSec;
  const covering: PlaylistSegment[] = [];
  let offsetSec = 0;
  let at = 0;
  for (const segment of segments) {
    const segmentEnd = at + segment.durationSec;
    if (segmentEnd > window.startSec && at < end) {
      if (covering.length === 0) offsetSec = Math.max(0, window.startSec - at);
      covering.push(segment);
    }
    at = segmentEnd;
  }
  return { segments: covering, offsetSec };
}

function splitS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new AnalysisFailedError(`not an s3:// URI: ${uri}`);
  return { bucket: match[1], key: match[2] };
}

/** Rethrows a missing object as AnalysisFailedError naming it; other failures as they are. */
function missingObject(uri: string, error: unknown): never {
  const name = (error as { name?: string }).name;
  if (name === 'NotFound' || name === 'NoSuchKey') throw new AnalysisFailedError(`${uri} is missing from S3`);
  throw error;
}

async function readObjectText(uri: string): Promise<string> {
  const { bucket, key } = splitS3Uri(uri);
  try {
    const out = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await out.Body?.transformToString()) ?? '';
  } catch (error) {
    missingObject(uri, error);
  }
}

/** A presigned URL of an object that exists (ffmpeg would only say "404" of a missing one). */
async function existingObjectUrl(uri: string): Promise<string> {
  const { bucket, key } = splitS3Uri(uri);
  try {
    await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    missingObject(uri, error);
  }
  return presignedGetUrl(uri, URL_TTL_SEC);
}

/** ffmpeg input arguments and the filter that cuts one window out of what they decode. */
interface WindowInput {
  args: string[];
  /** Filters before scaling: trims the decoded frames to the window, time from 0. */
  trim: string;
}

export class FfmpegQualityMeter implements QualityMeter {
  constructor(
    private readonly ffmpegPath: string,
    /** The v0.6.1 `.pkl` file, its `.pkl.model` beside it. */
    private readonly modelPath: string,
  ) {}

  /** VMAF, PSNR (dB) and SSIM of one rendition, means over the sampled frames. */
  async measure(request: QualityRequest): Promise<MeasuredQuality> {
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'quality-'));
    try {
      const reference = await this.mp4Windows(request.sourceUri, request.windows);
      const distorted = request.renditionUri.endsWith('.m3u8')
        ? await this.hlsWindows(request.renditionUri, request.windows, workDir)
        : await this.mp4Windows(request.renditionUri, request.windows);
      const log = path.join(workDir, 'vmaf.json');
      await runFfmpeg(this.ffmpegPath, [
        ...['-loglevel', 'error'],
        ...distorted.flatMap((input) => input.args),
        ...reference.flatMap((input) => input.args),
        ...['-lavfi', this.graph(request, distorted, reference, log), '-f', 'null', '-'],
      ]);
      // This libvmaf can exit 0 having scored nothing ("StatVector size is 0"): no log then.
      const scores = await readFile(log, 'utf8').catch(() => {
        throw new AnalysisFailedError('libvmaf wrote no scores (no frames were compared)');
      });
      return meanScores(scores);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /** An MP4 (or any seekable file) opened at each window's start. */
  private async mp4Windows(uri: string, windows: SampleWindow[]): Promise<WindowInput[]> {
    const url = await existingObjectUrl(uri);
    return windows.map((window) => ({
      args: ['-ss', window.startSec.toFixed(3), '-i', url],
      trim: `trim=duration=${window.durationSec.toFixed(3)},setpts=PTS-STARTPTS`,
    }));
  }

  /** An HLS variant as one small playlist per window: the covering segments by presigned URL. */
  private async hlsWindows(uri: string, windows: SampleWindow[], workDir: string): Promise<WindowInput[]> {
    const segments = parseMediaPlaylist(await readObjectText(uri));
    if (segments.length === 0) throw new AnalysisFailedError(`${uri} lists no media segments`);
    const folder = uri.slice(0, uri.lastIndexOf('/') + 1);
    return Promise.all(
      windows.map(async (window, i) => {
        const covering = segmentsCovering(segments, window);
        if (covering.segments.length === 0)
          throw new AnalysisFailedError(`${uri} has no segment at ${window.startSec} s`);
        const lines = [
          '#EXTM3U',
          '#EXT-X-VERSION:3',
          `#EXT-X-TARGETDURATION:${targetDuration(covering.segments)}`,
        ];
        for (const segment of covering.segments) {
          const segmentUri = /^[a-z]+:\/\//.test(segment.uri) ? segment.uri : `${folder}${segment.uri}`;
          lines.push(`#EXTINF:${segment.durationSec},`, await presignedGetUrl(segmentUri, URL_TTL_SEC));
        }
        lines.push('#EXT-X-ENDLIST', '');
        const playlist = path.join(workDir, `window-${i}.m3u8`);
        await writeFile(playlist, lines.join('\n'));
        return {
          // A per-input option: a local playlist may only lead to the segments' HTTP(S) URLs.
          args: ['-protocol_whitelist', 'file,http,https,tcp,tls,crypto', '-i', playlist],
          trim: `setpts=PTS-STARTPTS,trim=start=${covering.offsetSec.toFixed(3)}:duration=${window.durationSec.toFixed(3)},setpts=PTS-STARTPTS`,
        };
      }),
    );
  }

  /** Each window scaled to the display size, windows concatenated per side, then libvmaf. */
  private graph(
    request: QualityRequest,
    distorted: WindowInput[],
    reference: WindowInput[],
    log: string,
  ): string {
    const size = `${request.displayWidth}:${request.displayHeight}`;
    const n = distorted.length;
    const labels = (side: string) => Array.from({ length: n }, (_, i) => `[${side}${i}]`).join('');
    const chains = [
      ...distorted.map(
        (input, i) => `[${i}:v]${input.trim},scale=${size}:flags=bicubic,setsar=1,format=yuv420p[d${i}]`,
      ),
      ...reference.map(
        (input, i) => `[${n + i}:v]${input.trim},scale=${size},setsar=1,format=yuv420p[r${i}]`,
      ),
      `${labels('d')}concat=n=${n}:v=1:a=0[distorted]`,
      `${labels('r')}concat=n=${n}:v=1:a=0[reference]`,
      // Paths inside a filter graph would need ':' and '\' escaped; the layer's and /tmp's have none.
      `[distorted][reference]libvmaf=model_path=${this.modelPath}:psnr=1:ssim=1:log_path=${log}:log_fmt=json`,
    ];
    return chains.join(';');
  }
}

const targetDuration = (segments: PlaylistSegment[]) =>
  Math.ceil(Math.max(...segments.map((s) => s.durationSec)));

/** Means over the frames of libvmaf's JSON log (`frames[].metrics.{vmaf,psnr,ssim}`). */
export function meanScores(logJson: string): MeasuredQuality {
  const { frames } = JSON.parse(logJson) as { frames: { metrics: Record<string, number> }[] };
  if (!frames?.length) throw new AnalysisFailedError('libvmaf scored no frames');
  const mean = (key: string) =>
    frames.reduce((sum, frame) => sum + (frame.metrics[key] ?? 0), 0) / frames.length;
  return { vmaf: mean('vmaf'), psnrDb: mean('psnr'), ssim: mean('ssim'), frames: frames.length };
}

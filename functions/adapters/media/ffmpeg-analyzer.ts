/**
 * ffmpeg adapter of the VideoAnalyzer port: exposure and colour from the `signalstats` filter on a
 * fixed number of frames sampled across the video. Each sample is an input seek (to the keyframe
 * before it, then decoding up to it), so the cost does not grow with the video's length.
 */
import type { ExposureStats } from '#domain/media/colour.ts';
import type { CropPicture, GreyFrame } from '#domain/media/smart-crop.ts';
import { AnalysisFailedError, type CropFrames, type VideoAnalyzer } from '#domain/media/ports.ts';
import { presignedGetUrl, runFfmpeg, sampleTimes } from './ffmpeg-run.ts';

/** Frames measured per video. */
const EXPOSURE_SAMPLES = 12;
/** Frames sampled per second for smart crop. */
const CROP_SAMPLES_PER_SEC = 5;
/** Height of the grey frames smart crop looks at, pixels: enough to place a subject. */
const CROP_ANALYSIS_HEIGHT = 90;
/** ffmpeg's scene score (0..1) above which a frame starts a new shot. */
const SCENE_CUT_SCORE = 0.3;

/**
 * Times of the frames whose scene score (printed by `metadata=print`, one `frame:` line with
 * `pts_time:` then `lavfi.scene_score=`) is above SCENE_CUT_SCORE, seconds.
 */
export function parseSceneCuts(stderr: string): number[] {
  const cuts: number[] = [];
  let time: number | undefined;
  for (const line of stderr.split('\n')) {
    const frame = /\] frame:\s*\d+\s+pts:\s*\S+\s+pts_time:\s*([\d.]+)/.exec(line);
    if (frame) {
      time = Number(frame[1]);
      continue;
    }
    const score = /lavfi\.scene_score=([\d.]+)/.exec(line);
    if (score && time !== undefined && Number(score[1]) > SCENE_CUT_SCORE) cuts.push(time);
  }
  return cuts;
}

/** Frames are measured at this width: the figures are averages, a small picture gives the same ones. */
const ANALYSIS_WIDTH = 320;

const SIGNALSTATS_KEYS = ['YAVG', 'YLOW', 'YHIGH', 'UAVG', 'VAVG', 'SATAVG'] as const;
type SignalStats = Record<(typeof SIGNALSTATS_KEYS)[number], number>;

/** The signalstats figures `metadata=print` wrote for each frame (`lavfi.signalstats.YAVG=93.2`). */
export function parseSignalStats(printed: string): SignalStats[] {
  const frames: SignalStats[] = [];
  let current: Partial<SignalStats> = {};
  for (const line of printed.split('\n')) {
    if (line.startsWith('frame:')) {
      current = {};
      frames.push(current as SignalStats);
      continue;
    }
    const match = /^lavfi\.signalstats\.(\w+)=([\d.]+)/.exec(line.trim());
    if (match && (SIGNALSTATS_KEYS as readonly string[]).includes(match[1]))
      current[match[1] as keyof SignalStats] = Number(match[2]);
  }
  return frames.filter((frame) => SIGNALSTATS_KEYS.every((key) => Number.isFinite(frame[key])));
}

/** The frames' figures averaged into the domain's exposure statistics. */
export function averageExposure(frames: SignalStats[]): ExposureStats {
  const mean = (key: keyof SignalStats) => frames.reduce((sum, f) => sum + f[key], 0) / frames.length;
  return {
    lumaMean: mean('YAVG'),
    lumaLow: mean('YLOW'),
    lumaHigh: mean('YHIGH'),
    chromaBlueMean: mean('UAVG'),
    chromaRedMean: mean('VAVG'),
    saturationMean: mean('SATAVG'),
    frames: frames.length,
  };
}

/** What ffmpeg opens for a URI: a presigned URL for s3://, anything else (a local path) as it is. */
const readableInput = (uri: string) =>
  uri.startsWith('s3://') ? presignedGetUrl(uri) : Promise.resolve(uri);

export class FfmpegVideoAnalyzer implements VideoAnalyzer {
  constructor(private readonly ffmpegPath: string) {}

  /**
   * One decoding pass over the whole video (best fed a low rendition): scene cuts at full frame rate
   * from ffmpeg's scene score, and grey frames CROP_SAMPLES_PER_SEC times a second for the subject.
   */
  async sampleFrames(uri: string, picture: CropPicture): Promise<CropFrames> {
    const input = await readableInput(uri);
    const height = CROP_ANALYSIS_HEIGHT;
    const width = 2 * Math.round((height * picture.width) / picture.height / 2);
    let stderr = '';
    const raw = await runFfmpeg(
      this.ffmpegPath,
      [
        '-v',
        'info',
        '-i',
        input,
        '-an',
        '-vf',
        // Every frame gets a scene score (select passes them all) before the sampling rate drops them.
        `scale=${width}:${height},setsar=1,select=gte(scene\\,0),metadata=print:key=lavfi.scene_score,` +
          `fps=${CROP_SAMPLES_PER_SEC},format=gray`,
        '-f',
        'rawvideo',
        'pipe:1',
      ],
      (text) => {
        stderr += text;
      },
    );
    const frameBytes = width * height;
    const frames: GreyFrame[] = [];
    for (let i = 0; (i + 1) * frameBytes <= raw.length; i++) {
      frames.push({
        timeSec: i / CROP_SAMPLES_PER_SEC,
        width,
        height,
        pixels: new Uint8Array(raw.buffer, raw.byteOffset + i * frameBytes, frameBytes),
      });
    }
    if (frames.length === 0) throw new AnalysisFailedError(`no frame of ${uri} could be sampled`);
    return { frames, cutsSec: parseSceneCuts(stderr) };
  }

  async measureExposure(uri: string, durationSec: number): Promise<ExposureStats> {
    const url = await readableInput(uri);
    const frames: SignalStats[] = [];
    for (const atSec of sampleTimes(durationSec, EXPOSURE_SAMPLES)) {
      const printed = await runFfmpeg(this.ffmpegPath, [
        '-v',
        'error',
        '-ss',
        atSec.toFixed(3),
        '-i',
        url,
        '-frames:v',
        '1',
        '-an',
        '-vf',
        `select=eq(n\\,0),scale=${ANALYSIS_WIDTH}:-2,signalstats,metadata=print:file=-`,
        '-f',
        'null',
        '-',
      ]);
      frames.push(...parseSignalStats(printed.toString('utf8')));
    }
    if (frames.length === 0) throw new AnalysisFailedError(`no frame of ${uri} could be measured`);
    return averageExposure(frames);
  }
}

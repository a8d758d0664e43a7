/**
 * ffmpeg adapter of the VideoAnalyzer port: exposure and colour from the `signalstats` filter on a
 * fixed number of frames sampled across the video. Each sample is an input seek (to the keyframe
 * before it, then decoding up to it), so the cost does not grow with the video's length.
 */
import type { ExposureStats } from '#domain/media/colour.ts';
import { AnalysisFailedError, type VideoAnalyzer } from '#domain/media/ports.ts';
import { presignedGetUrl, runFfmpeg, sampleTimes } from './ffmpeg-run.ts';

/** Frames measured per video. */
const EXPOSURE_SAMPLES = 12;
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

export class FfmpegVideoAnalyzer implements VideoAnalyzer {
  constructor(private readonly ffmpegPath: string) {}

  async measureExposure(uri: string, durationSec: number): Promise<ExposureStats> {
    const url = await presignedGetUrl(uri);
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

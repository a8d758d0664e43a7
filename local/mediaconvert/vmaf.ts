/**
 * VMAF (Netflix's model v0.6.1, through the libvmaf filter of the npm ffmpeg 4.1 build) of each
 * rendition against its source, computed the way Netflix prescribes: the rendition is upscaled
 * (bicubic) to the source's display size and compared with the source at that size. VMAF costs per
 * frame at the source's size (here about 160 frames/s at 428x240 and some 20 times slower at
 * 1080x1920), so a long video is measured on a bounded sample: the whole video up to 10 s, else five
 * 2 s windows spread evenly over it. 10 s per rendition bounds the cost whatever the length, the
 * windows still see the beginning, middle and end, and 2 s of consecutive frames keep VMAF's
 * temporal (motion) feature meaningful. Each rendition is measured in its own ffmpeg run: several
 * libvmaf instances in one process crash this build now and then (1 run in 6 here).
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Seconds measured in full; beyond it, WINDOWS windows of WINDOW_SEC each. */
const WHOLE_UP_TO_SEC = 10;
const WINDOWS = 5;
const WINDOW_SEC = 2;

export interface VmafSample {
  /** [start, end) seconds of each measured window. */
  windows: [number, number][];
  /** How the sample reads on the asset. */
  description: string;
}

/** The part of a `durationSec` video that VMAF is computed on. */
export function vmafSample(durationSec: number): VmafSample {
  if (durationSec <= WHOLE_UP_TO_SEC) {
    return { windows: [[0, durationSec + 1]], description: `the whole video (${durationSec.toFixed(1)} s)` };
  }
  const windows = Array.from({ length: WINDOWS }, (_, i): [number, number] => {
    const centre = ((i + 0.5) * durationSec) / WINDOWS;
    return [centre - WINDOW_SEC / 2, centre + WINDOW_SEC / 2];
  });
  return {
    windows,
    description: `${WINDOWS} windows of ${WINDOW_SEC} s spread evenly over ${durationSec.toFixed(1)} s`,
  };
}

export interface VmafRendition {
  /** Local playlist or file. */
  file: string;
}

interface VmafRun {
  ffmpegPath: string;
  /** The v0.6.1 `.pkl` file (its `.pkl.model` beside it). */
  modelPath: string;
  source: string;
  /** Source display size (rotation and sample aspect ratio applied), pixels. */
  sourceWidth: number;
  sourceHeight: number;
  sample: VmafSample;
  /** Filters the encoder applied before scaling (explicit rotation), comma-joined or ''. */
  sourcePrefilter: string;
  autorotate: boolean;
  workDir: string;
}

function runFfmpeg(ffmpegPath: string, args: string[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    // The head of stderr says what went wrong; a crash appends a long memory map after it.
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      if (stderr.length < 2000) stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`ffmpeg exit ${code ?? signal}: ${stderr.slice(0, 300).trim()}`)),
    );
  });
}

/** Mean VMAF (0-100) of one rendition over the sample of the source. */
async function vmafOf(run: VmafRun, rendition: VmafRendition, log: string): Promise<number> {
  const { sourceWidth: w, sourceHeight: h } = run;
  const select = `select='${run.sample.windows.map(([a, b]) => `between(t\\,${a.toFixed(3)}\\,${b.toFixed(3)})`).join('+')}'`;
  const prefilter = run.sourcePrefilter ? `${run.sourcePrefilter},` : '';
  const graph = [
    `[1:v]${prefilter}setpts=PTS-STARTPTS,${select},scale=${w}:${h},setsar=1,format=yuv420p[reference]`,
    `[0:v]setpts=PTS-STARTPTS,${select},scale=${w}:${h}:flags=bicubic,setsar=1,format=yuv420p[distorted]`,
    // Paths inside a filter graph: escape ':' and '\' (none expected in our work directories).
    `[distorted][reference]libvmaf=model_path=${run.modelPath}:log_path=${log}:log_fmt=json`,
  ];
  await runFfmpeg(run.ffmpegPath, [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', rendition.file],
    ...(run.autorotate ? [] : ['-noautorotate']),
    ...['-i', run.source, '-lavfi', graph.join(';'), '-f', 'null', '-'],
  ]);
  const { frames } = JSON.parse(await readFile(log, 'utf8')) as { frames: { metrics: { vmaf: number } }[] };
  if (frames.length === 0) throw new Error('libvmaf scored no frames');
  return frames.reduce((sum, frame) => sum + frame.metrics.vmaf, 0) / frames.length;
}

/** Mean VMAF (0-100) of each rendition, in the order given, over the sample of the source. */
export async function measureVmaf(options: VmafRun & { renditions: VmafRendition[] }): Promise<number[]> {
  await mkdir(options.workDir, { recursive: true });
  const scores: number[] = [];
  for (const [i, rendition] of options.renditions.entries()) {
    scores.push(await vmafOf(options, rendition, path.join(options.workDir, `vmaf-${i}.json`)));
  }
  return scores;
}

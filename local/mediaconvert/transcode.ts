/**
 * One job's run, step by step: fetch the input, read its facts, run one ffmpeg command, describe the
 * outputs (and finish HLS), measure quality, upload. Each step's wall time goes into `job.phasesMs`.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { buildFfmpegCommand } from './ffmpeg-command.ts';
import { runJobFfmpeg } from './ffmpeg-process.ts';
import { type FfprobeResult, ffprobe } from './ffprobe.ts';
import type { GroupDetail, Job } from './job.ts';
import { JobFailure } from './job-failure.ts';
import { describeOutputs, localStem } from './output-details.ts';
import type { TranscodeSpec } from './settings/spec.ts';
import { type SourceFacts, sourceFacts } from './source-facts.ts';
import { downloadObject, uploadTree } from './storage.ts';
import { planTimeline } from './timeline.ts';

export interface TranscodeContext {
  s3: S3Client;
  ffmpegPath: string;
  ffprobePath: string;
  /** x264/x265 preset for every output. */
  preset: string;
  /** Shortest gap between progress reports, ms. */
  statusUpdateMs: number;
  /** Reports the job's percent while ffmpeg runs. */
  onProgress: (percent: number) => void;
  /** Longest a transcode may run, ms, given the seconds of video it makes. */
  transcodeTimeoutMs: (durationSec: number) => number;
}

/** Times the steps of one run into `job.phasesMs`. */
function phaseClock(job: Job): (name: string) => void {
  let phaseStart = performance.now();
  return (name) => {
    const now = performance.now();
    job.phasesMs[name] = Math.round(now - phaseStart);
    phaseStart = now;
  };
}

/** Downloads each input object once (several inputs may name the same one); returns a file per input. */
async function fetchInputs(s3: S3Client, spec: TranscodeSpec, dir: string): Promise<string[]> {
  const files = new Map<string, string>();
  for (const [i, input] of spec.inputs.entries()) {
    if (files.has(input.uri)) continue;
    const file = path.join(dir, 'input', String(i), path.posix.basename(input.key));
    try {
      await downloadObject(s3, input.bucket, input.key, file);
    } catch (error) {
      throw new JobFailure(
        1010,
        `Unable to open input file [${input.uri}]: ${(error as Error).name}: ${(error as Error).message}`,
      );
    }
    files.set(input.uri, file);
  }
  return spec.inputs.map((input) => files.get(input.uri)!);
}

/** One input's facts; fails the job when it has no video or lacks an audio track a selector names. */
async function readInputFacts(
  ffprobePath: string,
  spec: TranscodeSpec,
  index: number,
  file: string,
): Promise<SourceFacts> {
  const input = spec.inputs[index];
  let probe: FfprobeResult;
  try {
    probe = await ffprobe(ffprobePath, file);
  } catch (error) {
    throw new JobFailure(1010, `Unable to open input file [${input.uri}]: ${(error as Error).message}`);
  }
  const facts = sourceFacts(probe, input.rotate);
  if (!facts) throw new JobFailure(1010, `Unable to open input file [${input.uri}]: no video track found`);
  const wantedAudio = spec.groups
    .flatMap((g) => g.outputs)
    .map((o) => (o.audio ? input.audioTracks[o.audio.selectorName] : undefined))
    .filter((s) => s !== undefined);
  const missing = wantedAudio.find((stream) => stream >= facts.audioStreams);
  if (missing !== undefined) {
    throw new JobFailure(
      1040,
      `No audio track ${missing + 1} in input [${input.uri}] for the audio selector (the input has ${facts.audioStreams})`,
    );
  }
  return facts;
}

async function uploadOutputs(s3: S3Client, outDir: string): Promise<void> {
  try {
    await uploadTree(s3, outDir);
  } catch (error) {
    throw new JobFailure(1432, `Unable to write output files: ${(error as Error).message}`);
  }
}

/** Runs `job` in `dir`; returns its output group details, or [] when it was canceled meanwhile. */
export async function transcode(job: Job, dir: string, context: TranscodeContext): Promise<GroupDetail[]> {
  const { spec } = job;
  const phaseDone = phaseClock(job);
  const files = await fetchInputs(context.s3, spec, dir);
  phaseDone('download');
  const facts: SourceFacts[] = [];
  for (const [i, file] of files.entries())
    facts.push(await readInputFacts(context.ffprobePath, spec, i, file));
  const timeline = planTimeline(spec, files, facts);
  const outDir = path.join(dir, 'out');
  await mkdir(outDir, { recursive: true });
  phaseDone('probe');
  const command = buildFfmpegCommand(spec, timeline, outDir, { preset: context.preset });
  for (const planned of command.outputs)
    await mkdir(path.dirname(localStem(outDir, planned)), { recursive: true });
  for (const { dir: staging } of command.packaging) await mkdir(staging, { recursive: true });
  await runJobFfmpeg(job, {
    ffmpegPath: context.ffmpegPath,
    args: command.args,
    durationSec: timeline.canvas.durationSec,
    onProgress: context.onProgress,
    progressEveryMs: context.statusUpdateMs,
    timeoutMs: context.transcodeTimeoutMs(timeline.canvas.durationSec),
  });
  phaseDone('transcode');
  if (job.status !== 'PROGRESSING') return [];
  const details = await describeOutputs(job, command, outDir, timeline.canvas, context);
  phaseDone('finishOutputs');
  await uploadOutputs(context.s3, outDir);
  phaseDone('upload');
  return details;
}

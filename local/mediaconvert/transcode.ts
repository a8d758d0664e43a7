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
import { addQuality } from './output-quality.ts';
import type { TranscodeSpec } from './settings/spec.ts';
import { type SourceFacts, sourceFacts } from './source-facts.ts';
import { downloadObject, uploadTree } from './storage.ts';

export interface TranscodeContext {
  s3: S3Client;
  ffmpegPath: string;
  ffprobePath: string;
  /** x264/x265 preset for every output. */
  preset: string;
  measureQuality: boolean;
  /** Shortest gap between progress reports, ms. */
  statusUpdateMs: number;
  /** Reports the job's percent while ffmpeg runs. */
  onProgress: (percent: number) => void;
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

async function fetchInput(s3: S3Client, spec: TranscodeSpec, inputFile: string): Promise<void> {
  try {
    await downloadObject(s3, spec.inputs[0].bucket, spec.inputs[0].key, inputFile);
  } catch (error) {
    throw new JobFailure(
      1010,
      `Unable to open input file [${spec.inputs[0].uri}]: ${(error as Error).name}: ${(error as Error).message}`,
    );
  }
}

/** The input's facts; fails the job when it has no video or lacks an audio track a selector names. */
async function readInputFacts(
  ffprobePath: string,
  spec: TranscodeSpec,
  inputFile: string,
): Promise<SourceFacts> {
  let probe: FfprobeResult;
  try {
    probe = await ffprobe(ffprobePath, inputFile);
  } catch (error) {
    throw new JobFailure(
      1010,
      `Unable to open input file [${spec.inputs[0].uri}]: ${(error as Error).message}`,
    );
  }
  const facts = sourceFacts(probe, spec.inputs[0].rotate);
  if (!facts)
    throw new JobFailure(1010, `Unable to open input file [${spec.inputs[0].uri}]: no video track found`);
  const wantedAudio = spec.groups
    .flatMap((g) => g.outputs)
    .map((o) => (o.audio ? spec.inputs[0].audioTracks[o.audio.selectorName] : undefined))
    .filter((s) => s !== undefined);
  const missing = wantedAudio.find((stream) => stream >= facts.audioStreams);
  if (missing !== undefined) {
    throw new JobFailure(
      1040,
      `No audio track ${missing + 1} in input [${spec.inputs[0].uri}] for the audio selector (the input has ${facts.audioStreams})`,
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
  const inputFile = path.join(dir, 'input', path.posix.basename(spec.inputs[0].key));
  await fetchInput(context.s3, spec, inputFile);
  phaseDone('download');
  const facts = await readInputFacts(context.ffprobePath, spec, inputFile);
  const outDir = path.join(dir, 'out');
  await mkdir(outDir, { recursive: true });
  phaseDone('probe');
  const command = buildFfmpegCommand(spec, inputFile, facts, outDir, { preset: context.preset });
  for (const planned of command.outputs)
    await mkdir(path.dirname(localStem(outDir, planned)), { recursive: true });
  for (const { dir: staging } of command.packaging) await mkdir(staging, { recursive: true });
  await runJobFfmpeg(job, {
    ffmpegPath: context.ffmpegPath,
    args: command.args,
    durationSec: facts.durationSec,
    onProgress: context.onProgress,
    progressEveryMs: context.statusUpdateMs,
  });
  phaseDone('transcode');
  if (job.status !== 'PROGRESSING') return [];
  const details = await describeOutputs(job, command, outDir, facts, context);
  phaseDone('finishOutputs');
  if (context.measureQuality) {
    await addQuality(context.ffmpegPath, command.outputs, details, outDir, inputFile, spec);
    phaseDone('quality');
  }
  await uploadOutputs(context.s3, outDir);
  phaseDone('upload');
  return details;
}

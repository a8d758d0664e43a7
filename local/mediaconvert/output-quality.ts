/**
 * Adds objective quality against the source to the details of a job's video outputs (a local
 * extension): PSNR and SSIM at the rendition's size, then VMAF at the source's display size when a
 * model is configured. Quality is a report, not a deliverable: a failed measurement leaves the job
 * complete and says why.
 */
import path from 'node:path';
import type { PlannedOutput } from './ffmpeg-command.ts';
import type { GroupDetail, OutputDetail } from './job.ts';
import { localStem } from './output-details.ts';
import { measureQuality } from './quality.ts';
import type { Rotation } from './settings/spec.ts';
import type { SourceFacts } from './source-facts.ts';
import { measureVmaf, vmafSample } from './vmaf.ts';

/** What the COMPLETE event says about VMAF for the whole job. */
export type QualityNote = { vmafModel: string; vmafSample: string } | { vmafUnavailable: string };

export interface QualityRun {
  ffmpegPath: string;
  /** The v0.6.1 model file, or '' when none is configured. */
  vmafModelPath: string;
  outputs: PlannedOutput[];
  groups: GroupDetail[];
  outDir: string;
  inputFile: string;
  rotate: Rotation;
  source: SourceFacts;
}

/** The video outputs that are single files or playlists, with their details. */
function measurable(run: QualityRun): { detail: OutputDetail; file: string }[] {
  const perGroupIndex = new Map<number, number>();
  const measured: { detail: OutputDetail; file: string }[] = [];
  for (const planned of run.outputs) {
    const index = perGroupIndex.get(planned.groupIndex) ?? 0;
    perGroupIndex.set(planned.groupIndex, index + 1);
    const detail = run.groups[planned.groupIndex].outputDetails[index];
    // A DASH/CMAF representation is no single file; its quality is not measured.
    if (!planned.spec.video || !detail.videoDetails || planned.spec.kind === 'packaged') continue;
    const extension = planned.spec.kind === 'hls' ? 'm3u8' : planned.spec.extension;
    measured.push({ detail, file: `${localStem(run.outDir, planned)}.${extension}` });
  }
  return measured;
}

const rotationPrefilter = (rotate: Rotation) =>
  ({ DEGREE_90: 'transpose=1', DEGREE_180: 'hflip,vflip', DEGREE_270: 'transpose=2' })[
    rotate as 'DEGREE_90'
  ] ?? '';

/** Beside, not inside, the output tree: everything under outDir is uploaded. */
const workDirOf = (run: QualityRun) => path.join(path.dirname(run.outDir), 'quality');

/** PSNR (dB) and SSIM of every measurable output, in its details. */
export async function addPsnrSsim(run: QualityRun): Promise<void> {
  const measured = measurable(run);
  try {
    const scores = await measureQuality({
      ffmpegPath: run.ffmpegPath,
      source: run.inputFile,
      renditions: measured.map(({ detail, file }) => ({
        file,
        width: detail.videoDetails!.widthInPx,
        height: detail.videoDetails!.heightInPx,
      })),
      sourcePrefilter: rotationPrefilter(run.rotate),
      autorotate: run.rotate === 'AUTO',
      workDir: workDirOf(run),
    });
    measured.forEach(({ detail }, i) => {
      detail.videoDetails!.psnrDb = Math.round(scores[i].psnrDb * 100) / 100;
      detail.videoDetails!.ssim = Math.round(scores[i].ssim * 10000) / 10000;
    });
  } catch (error) {
    console.error('local mediaconvert: quality not measured:', (error as Error).message);
  }
}

/** VMAF of every measurable output, in its details; returns the job-level note (model and sample, or why not). */
export async function addVmaf(run: QualityRun): Promise<QualityNote> {
  if (!run.vmafModelPath) {
    return { vmafUnavailable: 'no VMAF model is configured for the transcoder (MEDIA_VMAF_MODEL_PATH)' };
  }
  const measured = measurable(run);
  const sample = vmafSample(run.source.durationSec);
  try {
    const scores = await measureVmaf({
      ffmpegPath: run.ffmpegPath,
      modelPath: run.vmafModelPath,
      source: run.inputFile,
      sourceWidth: run.source.width,
      sourceHeight: run.source.height,
      sample,
      renditions: measured.map(({ file }) => ({ file })),
      sourcePrefilter: rotationPrefilter(run.rotate),
      autorotate: run.rotate === 'AUTO',
      workDir: workDirOf(run),
    });
    measured.forEach(({ detail }, i) => {
      detail.videoDetails!.vmaf = Math.round(scores[i] * 100) / 100;
    });
    return { vmafModel: path.basename(run.vmafModelPath), vmafSample: sample.description };
  } catch (error) {
    console.error('local mediaconvert: VMAF not measured:', (error as Error).message);
    return { vmafUnavailable: `the VMAF measurement failed: ${(error as Error).message.slice(0, 200)}` };
  }
}

/**
 * Adds objective quality against the source to the details of a job's video outputs (a local
 * extension): PSNR and SSIM at the rendition's size. Quality is a report, not a deliverable: a failed
 * measurement leaves the job complete. VMAF is not measured here: MediaConvert measures none, and the
 * platform's quality function measures it the same way in AWS and locally.
 */
import path from 'node:path';
import type { PlannedOutput } from './ffmpeg-command.ts';
import type { GroupDetail, OutputDetail } from './job.ts';
import { localStem } from './output-details.ts';
import { measureQuality } from './quality.ts';
import type { Rotation } from './settings/spec.ts';
import type { SourceFacts } from './source-facts.ts';

export interface QualityRun {
  ffmpegPath: string;
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

/** Adds PSNR and SSIM against the source to the details of a job's video outputs (a local extension). */
import path from 'node:path';
import type { PlannedOutput } from './ffmpeg-command.ts';
import type { GroupDetail, OutputDetail } from './job.ts';
import { localStem } from './output-details.ts';
import { measureQuality } from './quality.ts';
import type { TranscodeSpec } from './settings/spec.ts';

/** Measures every video output of a job and writes the scores into its details; never fails the job. */
export async function addQuality(
  ffmpegPath: string,
  outputs: PlannedOutput[],
  groups: GroupDetail[],
  outDir: string,
  inputFile: string,
  spec: TranscodeSpec,
): Promise<void> {
  const perGroupIndex = new Map<number, number>();
  const measured: { detail: OutputDetail; file: string }[] = [];
  for (const planned of outputs) {
    const index = perGroupIndex.get(planned.groupIndex) ?? 0;
    perGroupIndex.set(planned.groupIndex, index + 1);
    const detail = groups[planned.groupIndex].outputDetails[index];
    // A DASH/CMAF representation is no single file; its quality is not measured.
    if (!planned.spec.video || !detail.videoDetails || planned.spec.kind === 'packaged') continue;
    const extension = planned.spec.kind === 'hls' ? 'm3u8' : planned.spec.extension;
    measured.push({ detail, file: `${localStem(outDir, planned)}.${extension}` });
  }
  const prefilter = { DEGREE_90: 'transpose=1', DEGREE_180: 'hflip,vflip', DEGREE_270: 'transpose=2' }[
    spec.inputs[0].rotate as 'DEGREE_90'
  ];
  try {
    const scores = await measureQuality({
      ffmpegPath,
      source: inputFile,
      renditions: measured.map(({ detail, file }) => ({
        file,
        width: detail.videoDetails!.widthInPx,
        height: detail.videoDetails!.heightInPx,
      })),
      sourcePrefilter: prefilter ?? '',
      autorotate: spec.inputs[0].rotate === 'AUTO',
      // Beside, not inside, the output tree: everything under outDir is uploaded.
      workDir: path.join(path.dirname(outDir), 'quality'),
    });
    measured.forEach(({ detail }, i) => {
      detail.videoDetails!.psnrDb = Math.round(scores[i].psnrDb * 100) / 100;
      detail.videoDetails!.ssim = Math.round(scores[i].ssim * 10000) / 10000;
    });
  } catch (error) {
    // Quality is a report, not a deliverable: the job still completes without it.
    console.error('local mediaconvert: quality not measured:', (error as Error).message);
  }
}

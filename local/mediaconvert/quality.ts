/**
 * Objective quality of every rendition of a job against its source, in one ffmpeg run (the source is
 * decoded once): the source is brought to each rendition's geometry (same rotation, square pixels,
 * same size) and compared frame by frame in yuv420p with the psnr and ssim filters. PSNR is computed
 * from the mean over frames of the Y/U/V-weighted MSE (as ffmpeg's own summary), in dB; SSIM is the
 * mean of the per-frame "All" score.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface QualityScores {
  psnrDb: number;
  ssim: number;
}

export interface RenditionToMeasure {
  /** Local playlist or file. */
  file: string;
  width: number;
  height: number;
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
}

/** PSNR (dB) and SSIM of each rendition, in the order given. */
export async function measureQuality(options: {
  ffmpegPath: string;
  source: string;
  renditions: RenditionToMeasure[];
  /** Filters the encoder applied before scaling (explicit rotation), comma-joined or ''. */
  sourcePrefilter: string;
  autorotate: boolean;
  /** Where the per-frame stats files go. */
  workDir: string;
}): Promise<QualityScores[]> {
  const { renditions } = options;
  if (renditions.length === 0) return [];
  await mkdir(options.workDir, { recursive: true });
  const sourceIndex = renditions.length;
  const graph: string[] = [];
  const prefilter = options.sourcePrefilter ? `${options.sourcePrefilter},` : '';
  graph.push(
    `[${sourceIndex}:v]${prefilter}setpts=PTS-STARTPTS,split=${renditions.length}${renditions.map((_, i) => `[s${i}]`).join('')}`,
  );
  const stats = renditions.map((_, i) => ({
    psnr: path.join(options.workDir, `psnr-${i}.log`),
    ssim: path.join(options.workDir, `ssim-${i}.log`),
  }));
  renditions.forEach(({ width, height }, i) => {
    const common = `scale=${width}:${height},setsar=1,format=yuv420p`;
    graph.push(`[s${i}]${common},split[r${i}a][r${i}b]`);
    graph.push(`[${i}:v]setpts=PTS-STARTPTS,${common},split[d${i}a][d${i}b]`);
    // Paths inside a filter graph: escape ':' and '\' (none expected in our work directories).
    graph.push(`[d${i}a][r${i}a]psnr=stats_file=${stats[i].psnr}`);
    graph.push(`[d${i}b][r${i}b]ssim=stats_file=${stats[i].ssim}`);
  });
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  for (const rendition of renditions) args.push('-i', rendition.file);
  if (!options.autorotate) args.push('-noautorotate');
  args.push('-i', options.source, '-lavfi', graph.join(';'), '-f', 'null', '-');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(options.ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`quality measurement failed: ${stderr}`)),
    );
  });
  return Promise.all(
    stats.map(async ({ psnr, ssim }) => {
      const mse = [...(await readFile(psnr, 'utf8')).matchAll(/mse_avg:([\d.]+)/g)].map((m) => Number(m[1]));
      const all = [...(await readFile(ssim, 'utf8')).matchAll(/All:([\d.]+)/g)].map((m) => Number(m[1]));
      if (mse.length === 0 || all.length === 0) throw new Error('ffmpeg wrote no PSNR/SSIM statistics');
      const meanMse = mean(mse);
      return { psnrDb: meanMse === 0 ? 100 : 10 * Math.log10((255 * 255) / meanMse), ssim: mean(all) };
    }),
  );
}

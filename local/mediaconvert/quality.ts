/**
 * Objective quality of a rendition against its source, with ffmpeg's psnr and ssim filters: the source
 * is brought to the rendition's geometry (same rotation, square pixels, same size) and both are
 * compared frame by frame in yuv420p. PSNR is the average over Y, U and V (dB); SSIM is the "All" score.
 */
import { spawn } from 'node:child_process';

export interface QualityScores {
  psnrDb: number;
  ssim: number;
}

export async function measureQuality(options: {
  ffmpegPath: string;
  rendition: string;
  source: string;
  width: number;
  height: number;
  /** Filters the encoder applied before scaling (rotation, squaring pixels), comma-joined or ''. */
  sourcePrefilter: string;
  autorotate: boolean;
}): Promise<QualityScores> {
  const { width, height } = options;
  const reference = [
    options.sourcePrefilter,
    `scale=${width}:${height}`,
    'setsar=1',
    'format=yuv420p',
    'setpts=PTS-STARTPTS',
  ]
    .filter(Boolean)
    .join(',');
  const graph = [
    `[1:v]${reference},split[r1][r2]`,
    `[0:v]scale=${width}:${height},setsar=1,format=yuv420p,setpts=PTS-STARTPTS,split[d1][d2]`,
    '[d1][r1]psnr',
    '[d2][r2]ssim',
  ].join(';');
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'info', '-i', options.rendition];
  if (!options.autorotate) args.push('-noautorotate');
  args.push('-i', options.source, '-lavfi', graph, '-f', 'null', '-');
  const stderr = await new Promise<string>((resolve, reject) => {
    const child = spawn(options.ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr.on('data', (chunk) => {
      text += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`quality measurement failed: ${text.slice(-500)}`)),
    );
  });
  const psnr = /PSNR .*average:([\d.]+|inf)/.exec(stderr)?.[1];
  const ssim = /SSIM .*All:([\d.]+)/.exec(stderr)?.[1];
  if (!psnr || !ssim) throw new Error('ffmpeg printed no PSNR/SSIM summary');
  return { psnrDb: psnr === 'inf' ? 100 : Number(psnr), ssim: Number(ssim) };
}

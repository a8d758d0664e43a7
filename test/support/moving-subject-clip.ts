/**
 * A generated clip for smart crop with a known subject: three shots on differently coloured moving
 * test patterns (ffmpeg lavfi testsrc2, muted as an out-of-focus background is, still moving), an orange block that drifts on the left, then on the right, then
 * crosses the picture, and a small white square that sweeps the whole width as a distractor.
 * The subject's true centre is known for every frame, so a crop window can be scored against it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CLIP = { width: 640, height: 360, frameRate: 25, shotSec: 3 } as const;
const SUBJECT = { width: 60, height: 150, y: 150 } as const;

/** Left edge of the subject in each shot as a function of seconds into the shot. */
const SHOTS = [
  { hue: 0, startX: 30, speed: 60 },
  { hue: 140, startX: 540, speed: -50 },
  { hue: 260, startX: 60, speed: 150 },
] as const;

/** Frames in the clip. */
export const clipFrames = () => SHOTS.length * CLIP.shotSec * CLIP.frameRate;

/** The subject's true horizontal centre at frame `frame`, pixels. */
export function subjectCentreAt(frame: number): number {
  const perShot = CLIP.shotSec * CLIP.frameRate;
  const shot = SHOTS[Math.min(SHOTS.length - 1, Math.floor(frame / perShot))];
  const t = (frame % perShot) / CLIP.frameRate;
  return shot.startX + shot.speed * t + SUBJECT.width / 2;
}

/** Writes the clip to `file` (H.264, yuv420p, no audio) with the given ffmpeg binary. */
export async function writeMovingSubjectClip(ffmpegPath: string, file: string): Promise<void> {
  const { width, height, frameRate: r, shotSec: d } = CLIP;
  const parts = SHOTS.map((shot, i) =>
    [
      `testsrc2=s=${width}x${height}:r=${r}:d=${d},hue=h=${shot.hue}:s=0.6,eq=contrast=0.4[bg${i}]`,
      `color=c=0xff7f00:s=${SUBJECT.width}x${SUBJECT.height}:r=${r}:d=${d}[s${i}]`,
      `[bg${i}][s${i}]overlay=x='${shot.startX}+${shot.speed}*t':y=${SUBJECT.y}[o${i}]`,
      `color=c=white:s=24x24:r=${r}:d=${d}[w${i}]`,
      `[o${i}][w${i}]overlay=x='${width - 24}*abs(sin(1.7*t+${i}))':y=16[v${i}]`,
    ].join(';'),
  );
  const graph = `${parts.join(';')};${SHOTS.map((_, i) => `[v${i}]`).join('')}concat=n=${SHOTS.length}:v=1:a=0[out]`;
  await run(ffmpegPath, [
    ...['-v', 'error', '-y', '-filter_complex', graph, '-map', '[out]'],
    ...['-c:v', 'libx264', '-crf', '18', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', file],
  ]);
}

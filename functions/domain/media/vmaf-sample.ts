/**
 * The part of a video VMAF is computed on. VMAF costs per frame at the source's display size (here
 * about 50 frames/s at 427x240 and some 20 times slower at 1080p on one core), so a long video is
 * measured on a bounded sample: the whole video when it is no longer than the sample, else windows
 * of WINDOW_SEC spread evenly over it, as many as fit in the sample's seconds. The bound keeps the
 * cost per video fixed whatever its length, the windows see the beginning, middle and end, and a
 * few seconds of consecutive frames keep VMAF's temporal (motion) feature meaningful.
 */

/** Seconds of consecutive frames in each window. */
export const VMAF_WINDOW_SEC = 2;

export interface SampleWindow {
  /** Where the window starts in the video, seconds. */
  startSec: number;
  /** Seconds measured from there. */
  durationSec: number;
}

export interface VmafSample {
  windows: SampleWindow[];
  /** How the sample reads on the asset. */
  description: string;
}

/** Why a video cannot be sampled (no duration to spread windows over). */
export class UnsampleableVideoError extends Error {}

/**
 * The windows of a `durationSec` video that VMAF is computed on, measuring at most `sampleSec`
 * seconds in all: the whole video when it fits, else floor(sampleSec / VMAF_WINDOW_SEC) windows
 * (at least one), each centred in an equal part of the video.
 */
export function planVmafSample(durationSec: number, sampleSec: number): VmafSample {
  if (!(durationSec > 0)) throw new UnsampleableVideoError('the video has no measured duration to sample');
  if (durationSec <= sampleSec) {
    return {
      windows: [{ startSec: 0, durationSec }],
      description: `the whole video (${durationSec.toFixed(1)} s)`,
    };
  }
  const windowSec = Math.min(VMAF_WINDOW_SEC, sampleSec);
  const count = Math.max(1, Math.floor(sampleSec / windowSec));
  const windows = Array.from({ length: count }, (_, i) => {
    const centre = ((i + 0.5) * durationSec) / count;
    return { startSec: round3(centre - windowSec / 2), durationSec: windowSec };
  });
  return {
    windows,
    description: `${count} windows of ${windowSec} s spread evenly over ${durationSec.toFixed(1)} s`,
  };
}

/** Milliseconds precision: what ffmpeg's time options carry. */
const round3 = (seconds: number) => Math.round(seconds * 1000) / 1000;

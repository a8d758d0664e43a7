/** ffmpeg encoder arguments for one output: x264/x265 rate control and GOP, colour tags, AAC, JPEG. */
import type { AudioEncodeSpec, FrameCaptureSpec, VideoEncodeSpec } from './settings/spec.ts';
import type { SourceFacts } from './source-facts.ts';

export interface EncoderOptions {
  /** x264/x265 preset for every output; `veryfast` keeps local jobs quick. */
  preset: string;
}

// MediaConvert QVBR level 1..10 -> constant rate factor; level 7 ~ crf 23 (x264) / 28 (x265).
const crfFor = (codec: VideoEncodeSpec['codec'], level: number) =>
  (codec === 'H_264' ? 37 : 42) - 2 * Math.min(10, Math.max(1, level));

/** Video encoder, rate control and keyframes; `segmentSec` forces a keyframe at each segment start. */
export function videoEncoderArgs(
  video: VideoEncodeSpec,
  source: SourceFacts,
  options: EncoderOptions,
  segmentSec?: number,
): string[] {
  const fps = video.frameRate ? video.frameRate.numerator / video.frameRate.denominator : source.fps || 24;
  const gopFrames = Math.max(
    1,
    Math.round(video.gop.units === 'SECONDS' ? video.gop.size * fps : video.gop.size),
  );
  const args =
    video.codec === 'H_264'
      ? ['-c:v', 'libx264', '-preset', options.preset, '-pix_fmt', 'yuv420p']
      : [
          '-c:v',
          'libx265',
          '-preset',
          options.preset,
          '-x265-params',
          'log-level=error',
          '-pix_fmt',
          video.profile === 'main10' ? 'yuv420p10le' : 'yuv420p',
        ];
  if (video.profile) args.push('-profile:v', video.profile);
  const max = video.maxBitrate;
  if (video.rateControl === 'QVBR') {
    args.push('-crf', String(crfFor(video.codec, video.qvbrQuality ?? 7)));
    if (max) args.push('-maxrate', String(max), '-bufsize', String(video.bufferSize ?? 2 * max));
  } else if (video.rateControl === 'VBR') {
    const peak = max ?? Math.round(video.bitrate! * 1.5);
    args.push(
      '-b:v',
      String(video.bitrate),
      '-maxrate',
      String(peak),
      '-bufsize',
      String(video.bufferSize ?? 2 * peak),
    );
  } else {
    args.push(
      '-b:v',
      String(video.bitrate),
      '-minrate',
      String(video.bitrate),
      '-maxrate',
      String(video.bitrate),
      '-bufsize',
      String(video.bufferSize ?? 2 * video.bitrate!),
    );
  }
  args.push('-g', String(gopFrames));
  // HLS segments may only start on a keyframe: force one at every segment boundary.
  if (segmentSec) args.push('-force_key_frames', `expr:gte(t,n_forced*${segmentSec})`);
  return args;
}

export const TONE_MAP_TO_709 =
  'zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p';

/** Colour signalling of an output: BT.709 after tone mapping, the source's HDR transfer for 10-bit HEVC of an HDR source. */
export function colorTags(video: VideoEncodeSpec, source: SourceFacts): string[] {
  if (!source.hdr) return [];
  if (video.toneMapTo709) return ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709'];
  if (video.codec === 'H_265' && video.profile === 'main10') {
    const transfer = source.transfer === 'arib-std-b67' ? 'arib-std-b67' : 'smpte2084';
    return ['-color_primaries', 'bt2020', '-color_trc', transfer, '-colorspace', 'bt2020nc'];
  }
  return [];
}

/** AAC encoder arguments. */
export function audioEncoderArgs(audio: AudioEncodeSpec): string[] {
  return [
    '-c:a',
    'aac',
    '-b:a',
    String(audio.bitrate),
    '-ac',
    String(audio.channels),
    '-ar',
    String(audio.sampleRate),
  ];
}

/** JPEG quality (2 best .. 31 worst) for MediaConvert's 1..100 capture quality. */
export function captureQscale(frames: FrameCaptureSpec): number {
  return Math.max(2, Math.min(31, Math.round(31 - frames.quality * 0.29)));
}

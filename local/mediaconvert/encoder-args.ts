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

/**
 * Names an encoder option for one stream of a multi-stream output (`-crf:v:1`); without a stream
 * (one video and one audio per output) the options stay as ffmpeg's plain ones (`-crf`).
 */
function streamOption(stream: string | undefined) {
  const suffix = stream ? `:${stream}` : '';
  return (name: string) => `-${name}${suffix}`;
}

/** Rate control: QVBR as CRF under a VBV cap, VBR, or CBR. */
function rateControlArgs(video: VideoEncodeSpec, option: (name: string) => string, kind: string): string[] {
  const max = video.maxBitrate;
  if (video.rateControl === 'QVBR') {
    const crf = [option('crf'), String(crfFor(video.codec, video.qvbrQuality ?? 7))];
    return max
      ? [...crf, option('maxrate'), String(max), option('bufsize'), String(video.bufferSize ?? 2 * max)]
      : crf;
  }
  const bitrate = String(video.bitrate);
  if (video.rateControl === 'VBR') {
    const peak = max ?? Math.round(video.bitrate! * 1.5);
    return [
      `-b:${kind}`,
      bitrate,
      option('maxrate'),
      String(peak),
      option('bufsize'),
      String(video.bufferSize ?? 2 * peak),
    ];
  }
  return [
    ...[`-b:${kind}`, bitrate, option('minrate'), bitrate, option('maxrate'), bitrate],
    ...[option('bufsize'), String(video.bufferSize ?? 2 * video.bitrate!)],
  ];
}

/**
 * Video encoder, rate control and keyframes; `keyframeSec` forces a keyframe at each segment (or
 * fragment) start. `stream` (`v:1`) addresses one video stream of a multi-stream output.
 */
export function videoEncoderArgs(
  video: VideoEncodeSpec,
  source: SourceFacts,
  options: EncoderOptions,
  keyframeSec?: number,
  stream?: string,
): string[] {
  const option = streamOption(stream);
  const kind = stream ?? 'v';
  const fps = video.frameRate ? video.frameRate.numerator / video.frameRate.denominator : source.fps || 24;
  const gopFrames = Math.max(
    1,
    Math.round(video.gop.units === 'SECONDS' ? video.gop.size * fps : video.gop.size),
  );
  const args =
    video.codec === 'H_264'
      ? [`-c:${kind}`, 'libx264', option('preset'), options.preset, option('pix_fmt'), 'yuv420p']
      : [
          ...[
            `-c:${kind}`,
            'libx265',
            option('preset'),
            options.preset,
            option('x265-params'),
            'log-level=error',
          ],
          ...[option('pix_fmt'), video.profile === 'main10' ? 'yuv420p10le' : 'yuv420p'],
        ];
  if (video.profile) args.push(`-profile:${kind}`, video.profile);
  args.push(...rateControlArgs(video, option, kind), option('g'), String(gopFrames));
  // Segments may only start on a keyframe: force one at every segment boundary.
  if (keyframeSec) args.push(option('force_key_frames'), `expr:gte(t,n_forced*${keyframeSec})`);
  return args;
}

export const TONE_MAP_TO_709 =
  'zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p';

/** Colour signalling of an output: BT.709 after tone mapping, the source's HDR transfer for 10-bit HEVC of an HDR source. */
export function colorTags(video: VideoEncodeSpec, source: SourceFacts, stream?: string): string[] {
  const option = streamOption(stream);
  const tags = (primaries: string, transfer: string, matrix: string) => [
    ...[option('color_primaries'), primaries, option('color_trc'), transfer, option('colorspace'), matrix],
  ];
  if (!source.hdr) return [];
  if (video.toneMapTo709) return tags('bt709', 'bt709', 'bt709');
  if (video.codec === 'H_265' && video.profile === 'main10') {
    return tags('bt2020', source.transfer === 'arib-std-b67' ? 'arib-std-b67' : 'smpte2084', 'bt2020nc');
  }
  return [];
}

/** AAC encoder arguments; `stream` (`a:1`) addresses one audio stream of a multi-stream output. */
export function audioEncoderArgs(audio: AudioEncodeSpec, stream?: string): string[] {
  const option = streamOption(stream);
  const kind = stream ?? 'a';
  return [
    `-c:${kind}`,
    'aac',
    `-b:${kind}`,
    String(audio.bitrate),
    option('ac'),
    String(audio.channels),
    option('ar'),
    String(audio.sampleRate),
  ];
}

/** JPEG quality (2 best .. 31 worst) for MediaConvert's 1..100 capture quality. */
export function captureQscale(frames: FrameCaptureSpec): number {
  return Math.max(2, Math.min(31, Math.round(31 - frames.quality * 0.29)));
}

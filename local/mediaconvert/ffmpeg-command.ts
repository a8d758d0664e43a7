/**
 * One ffmpeg command for a whole job: the input is decoded once, its video split to every output's
 * scaler and its audio normalised once per distinct audio setting, then every output is encoded and
 * muxed in the same process (HLS, MP4, JPEG frame captures).
 */
import path from 'node:path';
import type {
  AudioEncodeSpec,
  FrameCaptureSpec,
  OutputSpec,
  S3Location,
  TranscodeSpec,
  VideoEncodeSpec,
} from './settings/spec.ts';
import type { SourceFacts } from './source-facts.ts';

export interface PlannedOutput {
  spec: OutputSpec;
  groupIndex: number;
  /** Key prefix + base + modifier, without extension: `assets/a/hls/master_720p`. */
  keyStem: string;
  bucket: string;
  /** Encoded picture size (after padding), for events and HLS RESOLUTION. */
  width?: number;
  height?: number;
}

export interface FfmpegCommand {
  args: string[];
  outputs: PlannedOutput[];
}

export interface EncoderOptions {
  /** x264/x265 preset for every output; `veryfast` keeps local jobs quick. */
  preset: string;
}

function even(x: number): number {
  return Math.max(2, 2 * Math.round(x / 2));
}

/** Output picture size and the scale/pad chain for a target box under a MediaConvert scaling behaviour. */
export function geometry(
  source: { width: number; height: number },
  target: { width?: number; height?: number; scaling: VideoEncodeSpec['scaling'] },
): { width: number; height: number; filter: string } {
  const aspect = source.width / source.height;
  let width = target.width;
  let height = target.height;
  if (!width && !height) {
    width = even(source.width);
    height = even(source.height);
  } else if (!height) height = even(width! / aspect);
  else if (!width) width = even(height * aspect);
  const w = width!;
  const h = height!;
  switch (target.scaling) {
    case 'STRETCH_TO_OUTPUT':
      return { width: w, height: h, filter: `scale=${w}:${h}` };
    case 'FILL':
      return {
        width: w,
        height: h,
        filter: `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}`,
      };
    case 'FIT_NO_UPSCALE': {
      const scale = Math.min(1, w / source.width, h / source.height);
      const fw = even(source.width * scale);
      const fh = even(source.height * scale);
      return { width: fw, height: fh, filter: `scale=${fw}:${fh}` };
    }
    default: {
      // DEFAULT and FIT: fit inside the box keeping the aspect ratio; DEFAULT pads to the box as MediaConvert does.
      const scale = Math.min(w / source.width, h / source.height);
      const fw = Math.min(w, even(source.width * scale));
      const fh = Math.min(h, even(source.height * scale));
      if (target.scaling === 'FIT' || (fw === w && fh === h))
        return { width: fw, height: fh, filter: `scale=${fw}:${fh}` };
      return { width: w, height: h, filter: `scale=${fw}:${fh},pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2` };
    }
  }
}

/** Base name outputs get when the destination names none: the input's name without extension. */
export function outputBase(destination: S3Location, inputKey: string): string {
  if (destination.base) return destination.base;
  const name = path.posix.basename(inputKey);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

// MediaConvert QVBR level 1..10 -> constant rate factor; level 7 ~ crf 23 (x264) / 28 (x265).
const crfFor = (codec: VideoEncodeSpec['codec'], level: number) =>
  (codec === 'H_264' ? 37 : 42) - 2 * Math.min(10, Math.max(1, level));

function videoEncoderArgs(
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

function audioKey(audio: AudioEncodeSpec): string {
  return `${audio.audioStream}|${audio.sampleRate}|${audio.loudnessTarget ?? ''}`;
}

function captureQscale(frames: FrameCaptureSpec): number {
  return Math.max(2, Math.min(31, Math.round(31 - frames.quality * 0.29)));
}

const TONE_MAP_TO_709 =
  'zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p';

/** Colour signalling of an output: BT.709 after tone mapping, the source's HDR transfer for 10-bit HEVC of an HDR source. */
function colorTags(video: VideoEncodeSpec, source: SourceFacts): string[] {
  if (!source.hdr) return [];
  if (video.toneMapTo709) return ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709'];
  if (video.codec === 'H_265' && video.profile === 'main10') {
    const transfer = source.transfer === 'arib-std-b67' ? 'arib-std-b67' : 'smpte2084';
    return ['-color_primaries', 'bt2020', '-color_trc', transfer, '-colorspace', 'bt2020nc'];
  }
  return [];
}

/** The ffmpeg argument list for a job, writing outputs under `outDir/<bucket>/<key>`. */
export function buildFfmpegCommand(
  spec: TranscodeSpec,
  inputFile: string,
  source: SourceFacts,
  outDir: string,
  options: EncoderOptions,
): FfmpegCommand {
  const outputs: PlannedOutput[] = [];
  spec.groups.forEach((group, groupIndex) => {
    const base = outputBase(group.destination, spec.input.key);
    for (const output of group.outputs) {
      outputs.push({
        spec: output,
        groupIndex,
        bucket: group.destination.bucket,
        keyStem: `${group.destination.prefix}${base}${output.nameModifier}`,
      });
    }
  });
  const filters: string[] = [];
  const videoUsers = outputs.filter((o) => o.spec.video || o.spec.frames);
  const pre: string[] = [];
  if (spec.rotate === 'DEGREE_90') pre.push('transpose=1');
  if (spec.rotate === 'DEGREE_180') pre.push('hflip,vflip');
  if (spec.rotate === 'DEGREE_270') pre.push('transpose=2');
  // Square the pixels once so every output's geometry is plain arithmetic on display sizes.
  if (Math.abs(source.sar - 1) > 1e-3)
    pre.push(`scale=${even(source.width)}:${even(source.height)},setsar=1`);
  if (videoUsers.length > 0) {
    const labels = videoUsers.map((_, i) => `[vs${i}]`).join('');
    filters.push(`[0:v]${[...pre, `split=${videoUsers.length}`].join(',')}${labels}`);
  }
  videoUsers.forEach((planned, i) => {
    const chain: string[] = [];
    const target = planned.spec.video ?? planned.spec.frames!;
    if (planned.spec.video?.toneMapTo709 && source.hdr) chain.push(TONE_MAP_TO_709);
    if (planned.spec.frames) {
      // eof_action=pass keeps the capture due at the last full interval (MediaConvert captures it too).
      chain.push(
        `fps=${planned.spec.frames.framerateNumerator}/${planned.spec.frames.framerateDenominator}:eof_action=pass`,
      );
    } else if (planned.spec.video?.frameRate) {
      chain.push(`fps=${planned.spec.video.frameRate.numerator}/${planned.spec.video.frameRate.denominator}`);
    }
    const fit = geometry(source, target);
    planned.width = fit.width;
    planned.height = fit.height;
    chain.push(fit.filter);
    const par = planned.spec.video?.par;
    chain.push(par ? `setsar=${par.numerator}/${par.denominator}` : 'setsar=1');
    filters.push(`[vs${i}]${chain.join(',')}[v${i}]`);
  });
  const audioUsers = outputs.filter((o) => o.spec.audio);
  const audioGroups = new Map<string, PlannedOutput[]>();
  for (const planned of audioUsers) {
    const key = audioKey(planned.spec.audio!);
    audioGroups.set(key, [...(audioGroups.get(key) ?? []), planned]);
  }
  const audioLabel = new Map<PlannedOutput, string>();
  [...audioGroups.values()].forEach((group, g) => {
    const audio = group[0].spec.audio!;
    const chain: string[] = [];
    // loudnorm implements EBU R128 / ITU-R BS.1770 integrated loudness; it resamples, so resample back.
    if (audio.loudnessTarget !== undefined) chain.push(`loudnorm=I=${audio.loudnessTarget}:TP=-2:LRA=11`);
    chain.push(`aresample=${audio.sampleRate}`);
    const labels = group.map((planned, i) => {
      const label = `a${g}_${i}`;
      audioLabel.set(planned, label);
      return `[${label}]`;
    });
    filters.push(`[0:a:${audio.audioStream}]${chain.join(',')},asplit=${group.length}${labels.join('')}`);
  });

  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  if (spec.rotate !== 'AUTO') args.push('-noautorotate');
  args.push('-i', inputFile);
  if (filters.length > 0) args.push('-filter_complex', filters.join(';'));
  for (const planned of outputs) {
    const local = path.join(outDir, planned.bucket, planned.keyStem);
    const videoIndex = videoUsers.indexOf(planned);
    if (videoIndex >= 0) args.push('-map', `[v${videoIndex}]`);
    const label = audioLabel.get(planned);
    if (label) args.push('-map', `[${label}]`);
    // Containers keep no rotation hint: the pictures are already upright.
    args.push('-map_metadata', '-1', '-metadata:s:v:0', 'rotate=0');
    const group = spec.groups[planned.groupIndex];
    const { spec: output } = planned;
    if (output.video) {
      args.push(
        ...videoEncoderArgs(
          output.video,
          source,
          options,
          output.kind === 'hls' ? group.segmentSec : undefined,
        ),
      );
      args.push(...colorTags(output.video, source));
    }
    if (output.audio) {
      args.push(
        '-c:a',
        'aac',
        '-b:a',
        String(output.audio.bitrate),
        '-ac',
        String(output.audio.channels),
        '-ar',
        String(output.audio.sampleRate),
      );
    }
    if (output.kind === 'hls') {
      args.push(
        '-f',
        'hls',
        '-hls_time',
        String(group.segmentSec),
        '-hls_list_size',
        '0',
        '-start_number',
        '1',
        '-hls_segment_filename',
        `${local}_%05d.ts`,
        `${local}.m3u8`,
      );
    } else if (output.kind === 'mp4') {
      if (output.video?.codec === 'H_265') args.push('-tag:v', 'hvc1');
      args.push('-movflags', '+faststart', '-f', 'mp4', `${local}.${output.extension}`);
    } else {
      const frames = output.frames!;
      args.push(
        '-frames:v',
        String(frames.maxCaptures),
        '-q:v',
        String(captureQscale(frames)),
        '-f',
        'image2',
        '-start_number',
        '0',
        `${local}.%07d.${output.extension}`,
      );
    }
  }
  args.push('-progress', 'pipe:1', '-nostats');
  return { args, outputs };
}

/**
 * One ffmpeg command for a whole job: the input is decoded once, its video split to every output's
 * scaler and its audio normalised once per distinct audio setting, then every output is encoded and
 * muxed in the same process (HLS, MP4, JPEG frame captures).
 */
import path from 'node:path';
import {
  audioEncoderArgs,
  captureQscale,
  colorTags,
  type EncoderOptions,
  TONE_MAP_TO_709,
  videoEncoderArgs,
} from './encoder-args.ts';
import { even, geometry } from './geometry.ts';
import type {
  AudioEncodeSpec,
  ColorCorrection,
  OutputGroupSpec,
  OutputSpec,
  Rotation,
  S3Location,
  TranscodeSpec,
} from './settings/spec.ts';
import type { SourceFacts } from './source-facts.ts';
import { segmentVideoChain, type Timeline } from './timeline.ts';

export type { EncoderOptions } from './encoder-args.ts';
export { geometry } from './geometry.ts';

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
  /** The staging folder of each DASH/CMAF group. */
  packaging: { groupIndex: number; dir: string }[];
}

/** Base name outputs get when the destination names none: the input's name without extension. */
export function outputBase(destination: S3Location, inputKey: string): string {
  if (destination.base) return destination.base;
  const name = path.posix.basename(inputKey);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

function audioKey(audio: AudioEncodeSpec): string {
  return `${audio.selectorName}|${audio.sampleRate}|${audio.loudnessTarget ?? ''}`;
}

/** Every output of the job with the key it is written under. */
function planOutputs(spec: TranscodeSpec): PlannedOutput[] {
  return spec.groups.flatMap((group, groupIndex) => {
    const base = outputBase(group.destination, spec.inputs[0].key);
    return group.outputs.map((output) => ({
      spec: output,
      groupIndex,
      bucket: group.destination.bucket,
      keyStem: `${group.destination.prefix}${base}${output.nameModifier}`,
    }));
  });
}

/** Filters that turn an input picture by the rotation the job asked for (AUTO is ffmpeg's own). */
function rotationFilters(rotate: Rotation): string[] {
  const filters: Partial<Record<Rotation, string>> = {
    DEGREE_90: 'transpose=1',
    DEGREE_180: 'hflip,vflip',
    DEGREE_270: 'transpose=2',
  };
  return filters[rotate] ? [filters[rotate]!] : [];
}

/** Filters applied once to a directly read input: explicit rotation, then square pixels. */
function inputVideoFilters(rotate: Rotation, source: SourceFacts): string[] {
  const pre = rotationFilters(rotate);
  // Square the pixels once so every output's geometry is plain arithmetic on display sizes.
  if (Math.abs(source.sar - 1) > 1e-3)
    pre.push(`scale=${even(source.width)}:${even(source.height)},setsar=1`);
  return pre;
}

/**
 * The ffmpeg inputs of a timeline, one per segment: a clipping seeks (-ss) and stops (-to) before
 * decoding; rotation is left to ffmpeg only when the job asked for AUTO.
 */
function inputArgs(spec: TranscodeSpec, timeline: Timeline): string[] {
  return timeline.segments.flatMap((segment) => [
    ...(spec.inputs[segment.input].rotate !== 'AUTO' ? ['-noautorotate'] : []),
    ...(segment.startSec !== undefined ? ['-ss', segment.startSec.toFixed(6)] : []),
    ...(segment.endSec !== undefined ? ['-to', segment.endSec.toFixed(6)] : []),
    '-i',
    segment.file,
  ]);
}

/** Audio selector names the outputs use, each with its concatenated stream's label. */
function usedSelectors(outputs: PlannedOutput[]): string[] {
  return [...new Set(outputs.flatMap((o) => (o.spec.audio ? [o.spec.audio.selectorName] : [])))];
}

/**
 * A joined timeline: each segment fitted to the canvas ([sv<k>]) with its selected audio tracks
 * ([sa<k>_<s>]), concatenated into [joined] and [joined_a<s>].
 */
function joinGraph(spec: TranscodeSpec, timeline: Timeline, selectors: string[]): string[] {
  const filters: string[] = [];
  const pads: string[] = [];
  for (const [k, segment] of timeline.segments.entries()) {
    const rotate = spec.inputs[segment.input].rotate;
    filters.push(`[${k}:v]${segmentVideoChain(segment, rotationFilters(rotate), timeline.canvas)}[sv${k}]`);
    pads.push(`[sv${k}]`);
    for (const [s, name] of selectors.entries()) {
      filters.push(`[${k}:a:${spec.inputs[segment.input].audioTracks[name]}]aresample=48000[sa${k}_${s}]`);
      pads.push(`[sa${k}_${s}]`);
    }
  }
  const outs = ['[joined]', ...selectors.map((_, s) => `[joined_a${s}]`)].join('');
  filters.push(`${pads.join('')}concat=n=${timeline.segments.length}:v=1:a=${selectors.length}${outs}`);
  return filters;
}

/**
 * ffmpeg filters for a ColorCorrector, a linear reading of its 1-100 levels around 50: brightness b
 * adds (b - 50) / 100 of the full luma range, contrast c and saturation s multiply by c / 50 and
 * s / 50 (so 100 doubles, 1 nearly flattens), hue rotates by its degrees. MediaConvert documents the
 * ranges, not the curves, so this is an approximation with the same neutral point and direction.
 */
export function colorCorrectionFilters(color: ColorCorrection): string[] {
  const filters: string[] = [];
  if (color.brightness !== 50 || color.contrast !== 50 || color.saturation !== 50) {
    const level = (n: number) => Number(n.toFixed(4));
    filters.push(
      `eq=brightness=${level((color.brightness - 50) / 100)}:contrast=${level(color.contrast / 50)}:saturation=${level(color.saturation / 50)}`,
    );
  }
  if (color.hue !== 0) filters.push(`hue=h=${color.hue}`);
  return filters;
}

/** One output's chain from the split input to its encoder; sets the output's picture size. */
function outputVideoChain(planned: PlannedOutput, source: SourceFacts): string {
  const chain: string[] = [];
  const target = planned.spec.video ?? planned.spec.frames!;
  if (planned.spec.video?.toneMapTo709 && source.hdr) chain.push(TONE_MAP_TO_709);
  if (target.color) chain.push(...colorCorrectionFilters(target.color));
  if (planned.spec.frames) {
    // Capture k shows the frame at k/rate seconds: round=up gives each output slot the last input
    // frame at or before it (the default rounding shows the frame half an interval later).
    // eof_action=pass keeps the capture due at the last full interval (MediaConvert captures it too).
    // Times count from the first frame, which some containers (edit lists) place after 0 s.
    chain.push(
      'setpts=PTS-STARTPTS',
      `fps=${planned.spec.frames.framerateNumerator}/${planned.spec.frames.framerateDenominator}:round=up:eof_action=pass`,
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
  return chain.join(',');
}

/** The video part of the filter graph: decode once, split, one chain per output labelled [v<i>]. */
function videoGraph(spec: TranscodeSpec, timeline: Timeline, videoUsers: PlannedOutput[]): string[] {
  if (videoUsers.length === 0) return [];
  const labels = videoUsers.map((_, i) => `[vs${i}]`).join('');
  const { canvas } = timeline;
  const source = timeline.direct
    ? `[0:v]${[...inputVideoFilters(spec.inputs[0].rotate, canvas), ''].join(',')}`
    : '[joined]';
  const split = `${source}split=${videoUsers.length}${labels}`;
  return [split, ...videoUsers.map((planned, i) => `[vs${i}]${outputVideoChain(planned, canvas)}[v${i}]`)];
}

/**
 * The audio part: one loudness/resample chain per distinct audio setting, split to its outputs.
 * A direct input's track feeds any number of chains; a joined track is split first.
 */
function audioGraph(
  spec: TranscodeSpec,
  timeline: Timeline,
  outputs: PlannedOutput[],
): { filters: string[]; labels: Map<PlannedOutput, string> } {
  const audioGroups = new Map<string, PlannedOutput[]>();
  for (const planned of outputs.filter((o) => o.spec.audio)) {
    const key = audioKey(planned.spec.audio!);
    audioGroups.set(key, [...(audioGroups.get(key) ?? []), planned]);
  }
  const selectors = usedSelectors(outputs);
  const filters: string[] = [];
  const sourceOf = new Map<string, string[]>();
  for (const [s, name] of selectors.entries()) {
    const users = [...audioGroups.values()].filter(
      (group) => group[0].spec.audio!.selectorName === name,
    ).length;
    if (timeline.direct) {
      sourceOf.set(name, Array(users).fill(`[0:a:${spec.inputs[0].audioTracks[name]}]`));
    } else {
      const copies = Array.from({ length: users }, (_, u) => `[joined_a${s}_${u}]`);
      filters.push(`[joined_a${s}]asplit=${users}${copies.join('')}`);
      sourceOf.set(name, copies);
    }
  }
  const labels = new Map<PlannedOutput, string>();
  for (const [g, group] of [...audioGroups.values()].entries()) {
    const audio = group[0].spec.audio!;
    const chain: string[] = [];
    // loudnorm implements EBU R128 / ITU-R BS.1770 integrated loudness; it resamples, so resample back.
    if (audio.loudnessTarget !== undefined) chain.push(`loudnorm=I=${audio.loudnessTarget}:TP=-2:LRA=11`);
    chain.push(`aresample=${audio.sampleRate}`);
    const outs = group.map((planned, i) => {
      labels.set(planned, `a${g}_${i}`);
      return `[a${g}_${i}]`;
    });
    filters.push(
      `${sourceOf.get(audio.selectorName)!.shift()}${chain.join(',')},asplit=${group.length}${outs.join('')}`,
    );
  }
  return { filters, labels };
}

/** The muxer arguments that write one output's files under `local` (a path without extension). */
function muxerArgs(output: OutputSpec, group: OutputGroupSpec, local: string): string[] {
  if (output.kind === 'hls') {
    return [
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
    ];
  }
  if (output.kind === 'mp4') {
    return [
      ...(output.video?.codec === 'H_265' ? ['-tag:v', 'hvc1'] : []),
      ...['-movflags', '+faststart', '-f', 'mp4', `${local}.${output.extension}`],
    ];
  }
  const frames = output.frames!;
  return [
    ...['-frames:v', String(frames.maxCaptures), '-q:v', String(captureQscale(frames))],
    ...['-f', 'image2', '-start_number', '0', `${local}.%07d.${output.extension}`],
  ];
}

/** Where ffmpeg writes a DASH/CMAF group before its files get the service's names (packaged-groups.ts). */
export function packagingDir(outDir: string, groupIndex: number): string {
  // Beside, not inside, the output tree: everything under outDir is uploaded.
  return path.join(path.dirname(outDir), 'packaging', String(groupIndex));
}

/** File names ffmpeg's dash muxer writes: the representation id stands for the output. */
export const PACKAGING_NAMES = {
  manifest: 'manifest.mpd',
  init: 'rep$RepresentationID$_init.mp4',
  media: 'rep$RepresentationID$_$Number%09d$.mp4',
  hlsMaster: 'master.m3u8',
};

/** Maps and encoders of one single-stream-per-kind output (HLS rendition, MP4, captures). */
function singleOutputArgs(
  planned: PlannedOutput,
  context: {
    spec: TranscodeSpec;
    source: SourceFacts;
    options: EncoderOptions;
    videoLabel?: string;
    audioLabel?: string;
    outDir: string;
  },
): string[] {
  const { spec, source, options } = context;
  const args: string[] = [];
  if (context.videoLabel) args.push('-map', `[${context.videoLabel}]`);
  if (context.audioLabel) args.push('-map', `[${context.audioLabel}]`);
  // Containers keep no rotation hint: the pictures are already upright.
  args.push('-map_metadata', '-1', '-metadata:s:v:0', 'rotate=0');
  const group = spec.groups[planned.groupIndex];
  const { spec: output } = planned;
  if (output.video) {
    const segmentSec = output.kind === 'hls' ? group.segmentSec : undefined;
    args.push(
      ...videoEncoderArgs(output.video, source, options, segmentSec),
      ...colorTags(output.video, source),
    );
  }
  if (output.audio) args.push(...audioEncoderArgs(output.audio));
  args.push(...muxerArgs(output, group, path.join(context.outDir, planned.bucket, planned.keyStem)));
  return args;
}

/**
 * One DASH/CMAF group as one dash-muxer output: each member output is one stream (representation
 * `i` is the group's output `i`), video in one adaptation set, audio in another, keyframes every
 * fragment; a CMAF group also gets fMP4 HLS playlists.
 */
function packagedGroupArgs(
  members: { planned: PlannedOutput; videoLabel?: string; audioLabel?: string }[],
  group: OutputGroupSpec,
  context: { source: SourceFacts; options: EncoderOptions; dir: string },
): string[] {
  const args: string[] = [];
  let videos = 0;
  let audios = 0;
  const encoders: string[] = [];
  for (const { planned, videoLabel, audioLabel } of members) {
    const { video, audio } = planned.spec;
    if (video && videoLabel) {
      args.push('-map', `[${videoLabel}]`);
      const stream = `v:${videos++}`;
      encoders.push(
        ...videoEncoderArgs(video, context.source, context.options, group.fragmentSec, stream),
        ...colorTags(video, context.source, stream),
      );
    } else if (audio && audioLabel) {
      args.push('-map', `[${audioLabel}]`);
      encoders.push(...audioEncoderArgs(audio, `a:${audios++}`));
    }
  }
  const sets = [videos > 0 ? 'streams=v' : '', audios > 0 ? 'streams=a' : ''].filter(Boolean);
  return [
    ...args,
    ...encoders,
    ...['-map_metadata', '-1', '-f', 'dash', '-seg_duration', String(group.segmentSec)],
    ...['-use_template', '1', '-use_timeline', '0'],
    ...['-adaptation_sets', sets.map((set, i) => `id=${i},${set}`).join(' ')],
    ...(group.writeHls ? ['-hls_playlist', '1'] : []),
    ...['-init_seg_name', PACKAGING_NAMES.init, '-media_seg_name', PACKAGING_NAMES.media],
    path.join(context.dir, PACKAGING_NAMES.manifest),
  ];
}

/** The ffmpeg argument list for a job over its timeline, writing outputs under `outDir/<bucket>/<key>`. */
export function buildFfmpegCommand(
  spec: TranscodeSpec,
  timeline: Timeline,
  outDir: string,
  options: EncoderOptions,
): FfmpegCommand {
  const source = timeline.canvas;
  const outputs = planOutputs(spec);
  const videoUsers = outputs.filter((o) => o.spec.video || o.spec.frames);
  const joined = timeline.direct ? [] : joinGraph(spec, timeline, usedSelectors(outputs));
  const audio = audioGraph(spec, timeline, outputs);
  const filters = [...joined, ...videoGraph(spec, timeline, videoUsers), ...audio.filters];
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...inputArgs(spec, timeline)];
  if (filters.length > 0) args.push('-filter_complex', filters.join(';'));
  const labels = (planned: PlannedOutput) => {
    const videoIndex = videoUsers.indexOf(planned);
    return {
      videoLabel: videoIndex >= 0 ? `v${videoIndex}` : undefined,
      audioLabel: audio.labels.get(planned),
    };
  };
  for (const planned of outputs.filter((o) => o.spec.kind !== 'packaged')) {
    args.push(...singleOutputArgs(planned, { spec, source, options, outDir, ...labels(planned) }));
  }
  const packaging: { groupIndex: number; dir: string }[] = [];
  for (const [groupIndex, group] of spec.groups.entries()) {
    if (group.type !== 'DASH_ISO_GROUP' && group.type !== 'CMAF_GROUP') continue;
    const dir = packagingDir(outDir, groupIndex);
    const members = outputs
      .filter((o) => o.groupIndex === groupIndex)
      .map((planned) => ({ planned, ...labels(planned) }));
    args.push(...packagedGroupArgs(members, group, { source, options, dir }));
    packaging.push({ groupIndex, dir });
  }
  args.push('-progress', 'pipe:1', '-nostats');
  return { args, outputs, packaging };
}

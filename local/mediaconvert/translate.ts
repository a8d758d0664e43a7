/**
 * Reads MediaConvert job settings (wire shape, lowerCamelCase) into what the local endpoint will do.
 * Structural features it cannot reproduce (other output group types, containers, codecs, clipping,
 * captions, overlays, encryption...) are refused with a BadRequestException naming the setting;
 * tuning knobs that only change how well something is encoded (AQ modes, HRD fill, PIDs...) are
 * accepted and left to x264/x265 defaults. See README.md for the list.
 */

export class MediaConvertApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

export class BadRequestException extends MediaConvertApiError {
  constructor(message: string) {
    super(400, 'BadRequestException', message);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: job settings are open JSON read defensively
type Json = any;

export interface S3Location {
  bucket: string;
  /** Key prefix, '' or ending in '/'. */
  prefix: string;
  /** File base name; undefined means "the input's base name". */
  base?: string;
}

export interface VideoEncodeSpec {
  codec: 'H_264' | 'H_265';
  width?: number;
  height?: number;
  scaling: 'DEFAULT' | 'STRETCH_TO_OUTPUT' | 'FIT' | 'FIT_NO_UPSCALE' | 'FILL';
  rateControl: 'QVBR' | 'VBR' | 'CBR';
  qvbrQuality?: number;
  bitrate?: number;
  maxBitrate?: number;
  bufferSize?: number;
  gop: { size: number; units: 'FRAMES' | 'SECONDS' };
  profile?: string;
  frameRate?: { numerator: number; denominator: number };
  toneMapTo709: boolean;
  par?: { numerator: number; denominator: number };
}

export interface AudioEncodeSpec {
  /** Index into the input's audio streams (0-based). */
  audioStream: number;
  bitrate: number;
  channels: number;
  sampleRate: number;
  /** LKFS target when loudness correction was asked for. */
  loudnessTarget?: number;
}

export interface FrameCaptureSpec {
  width?: number;
  height?: number;
  scaling: VideoEncodeSpec['scaling'];
  /** Captures per second = numerator / denominator. */
  framerateNumerator: number;
  framerateDenominator: number;
  maxCaptures: number;
  /** 1..100 JPEG quality. */
  quality: number;
}

export interface OutputSpec {
  kind: 'hls' | 'mp4' | 'frames';
  nameModifier: string;
  extension: string;
  video?: VideoEncodeSpec;
  audio?: AudioEncodeSpec;
  frames?: FrameCaptureSpec;
  /** Where in the job's settings it came from, for error messages. */
  path: string;
}

export interface OutputGroupSpec {
  type: 'HLS_GROUP' | 'FILE_GROUP';
  destination: S3Location;
  segmentSec: number;
  outputs: OutputSpec[];
}

export interface TranscodeSpec {
  input: S3Location & { uri: string; key: string };
  rotate: 'AUTO' | 'DEGREE_0' | 'DEGREE_90' | 'DEGREE_180' | 'DEGREE_270';
  groups: OutputGroupSpec[];
}

/** Splits `s3://bucket/a/b/name` into bucket, prefix `a/b/` and base `name`. */
export function parseS3Uri(uri: unknown, setting: string): S3Location & { key: string } {
  const match = typeof uri === 'string' ? /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri) : null;
  if (!match) throw new BadRequestException(`${setting}: expected an s3:// URI, got ${JSON.stringify(uri)}`);
  const key = match[2];
  const slash = key.lastIndexOf('/');
  const prefix = key.slice(0, slash + 1);
  const base = key.slice(slash + 1);
  return { bucket: match[1], key, prefix, base: base || undefined };
}

const REFUSED_JOB_SETTINGS = [
  'motionImageInserter',
  'nielsenNonLinearWatermark',
  'kantarWatermark',
  'esam',
  'extendedDataServices',
];
const REFUSED_INPUT_SETTINGS = [
  'inputClippings',
  'imageInserter',
  'decryptionSettings',
  'supplementalImps',
  'videoOverlays',
  'dolbyVisionMetadataXml',
];
const REFUSED_PREPROCESSORS = [
  'imageInserter',
  'dolbyVision',
  'hdr10Plus',
  'timecodeBurnin',
  'partnerWatermarking',
];
const REFUSED_HLS_SETTINGS = ['encryption', 'captionLanguageMappings', 'adMarkers', 'imageBasedTrickPlay'];
const H264_PROFILES: Record<string, string> = { BASELINE: 'baseline', MAIN: 'main', HIGH: 'high' };
const H265_PROFILES: Record<string, string> = {
  MAIN_MAIN: 'main',
  MAIN_HIGH: 'main',
  MAIN10_MAIN: 'main10',
  MAIN10_HIGH: 'main10',
};

function refusePresent(object: Json, names: string[], at: string, why: string): void {
  for (const name of names) {
    if (object?.[name] !== undefined && !(Array.isArray(object[name]) && object[name].length === 0)) {
      throw new BadRequestException(`${at}.${name}: ${why}`);
    }
  }
}

function positiveInt(value: unknown, setting: string, fallback?: number): number {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw new BadRequestException(`${setting} is required`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new BadRequestException(`${setting} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function readVideo(description: Json, at: string): VideoEncodeSpec | FrameCaptureSpec {
  refusePresent(
    description?.videoPreprocessors,
    REFUSED_PREPROCESSORS,
    `${at}.videoPreprocessors`,
    'not supported by the local endpoint',
  );
  const codecSettings = description?.codecSettings;
  const codec = codecSettings?.codec;
  const scaling = description?.scalingBehavior ?? 'DEFAULT';
  const width = description?.width === undefined ? undefined : positiveInt(description.width, `${at}.width`);
  const height =
    description?.height === undefined ? undefined : positiveInt(description.height, `${at}.height`);
  if (codec === 'FRAME_CAPTURE') {
    const frame = codecSettings.frameCaptureSettings ?? {};
    return {
      width,
      height,
      scaling,
      framerateNumerator: positiveInt(
        frame.framerateNumerator,
        `${at}.codecSettings.frameCaptureSettings.framerateNumerator`,
        1,
      ),
      framerateDenominator: positiveInt(
        frame.framerateDenominator,
        `${at}.codecSettings.frameCaptureSettings.framerateDenominator`,
        1,
      ),
      maxCaptures: positiveInt(
        frame.maxCaptures,
        `${at}.codecSettings.frameCaptureSettings.maxCaptures`,
        10_000_000,
      ),
      quality: positiveInt(frame.quality, `${at}.codecSettings.frameCaptureSettings.quality`, 80),
    };
  }
  if (codec !== 'H_264' && codec !== 'H_265') {
    throw new BadRequestException(
      `${at}.codecSettings.codec: ${JSON.stringify(codec)} is not supported by the local endpoint (H_264, H_265, FRAME_CAPTURE)`,
    );
  }
  const settingsName = codec === 'H_264' ? 'h264Settings' : 'h265Settings';
  const settings = codecSettings[settingsName] ?? {};
  const settingsAt = `${at}.codecSettings.${settingsName}`;
  const profiles = codec === 'H_264' ? H264_PROFILES : H265_PROFILES;
  if (settings.codecProfile !== undefined && !(settings.codecProfile in profiles)) {
    throw new BadRequestException(
      `${settingsAt}.codecProfile: ${settings.codecProfile} is not supported by the local endpoint`,
    );
  }
  const rateControl = settings.rateControlMode ?? 'CBR';
  if (!['QVBR', 'VBR', 'CBR'].includes(rateControl)) {
    throw new BadRequestException(`${settingsAt}.rateControlMode: ${rateControl} is not supported`);
  }
  if (rateControl !== 'QVBR') positiveInt(settings.bitrate, `${settingsAt}.bitrate`);
  if (rateControl === 'QVBR' && settings.bitrate !== undefined) {
    throw new BadRequestException(`${settingsAt}.bitrate: not allowed with QVBR; use maxBitrate`);
  }
  const gopUnits: 'SECONDS' | 'FRAMES' = settings.gopSizeUnits === 'SECONDS' ? 'SECONDS' : 'FRAMES';
  // Without GOP mode control, or with AUTO, MediaConvert picks the GOP from the input (its API
  // reference: "By default, if you don't specify GOP mode control, MediaConvert will use automatic
  // behavior"); here that is a 2 s GOP. A GopSize given without units is read as frames.
  const gop =
    settings.gopSizeUnits === 'AUTO' || settings.gopSize === undefined
      ? { size: 2, units: 'SECONDS' as const }
      : { size: positiveInt(settings.gopSize, `${settingsAt}.gopSize`), units: gopUnits };
  const frameRate =
    settings.framerateControl === 'SPECIFIED'
      ? {
          numerator: positiveInt(settings.framerateNumerator, `${settingsAt}.framerateNumerator`),
          denominator: positiveInt(settings.framerateDenominator, `${settingsAt}.framerateDenominator`),
        }
      : undefined;
  const par =
    settings.parControl === 'SPECIFIED'
      ? {
          numerator: positiveInt(settings.parNumerator, `${settingsAt}.parNumerator`),
          denominator: positiveInt(settings.parDenominator, `${settingsAt}.parDenominator`),
        }
      : undefined;
  return {
    codec,
    width,
    height,
    scaling,
    rateControl,
    qvbrQuality: settings.qvbrSettings?.qvbrQualityLevel ?? 7,
    bitrate: settings.bitrate,
    maxBitrate: settings.maxBitrate,
    bufferSize: settings.hrdBufferSize,
    gop,
    profile: settings.codecProfile ? profiles[settings.codecProfile] : undefined,
    frameRate,
    toneMapTo709: description?.videoPreprocessors?.colorCorrector?.colorSpaceConversion === 'FORCE_709',
    par,
  };
}

function readAudio(
  descriptions: Json,
  selectors: Record<string, Json>,
  at: string,
): AudioEncodeSpec | undefined {
  if (!Array.isArray(descriptions) || descriptions.length === 0) return undefined;
  if (descriptions.length > 1) {
    throw new BadRequestException(
      `${at}.audioDescriptions: the local endpoint muxes one audio track per output`,
    );
  }
  const description = descriptions[0];
  const descriptionAt = `${at}.audioDescriptions[0]`;
  refusePresent(
    description,
    ['remixSettings'],
    descriptionAt,
    'not supported by the local endpoint; use codingMode',
  );
  const codecSettings = description.codecSettings ?? {};
  if (codecSettings.codec !== 'AAC') {
    throw new BadRequestException(
      `${descriptionAt}.codecSettings.codec: ${JSON.stringify(codecSettings.codec)} is not supported by the local endpoint (AAC)`,
    );
  }
  const aac = codecSettings.aacSettings ?? {};
  const channelsByMode: Record<string, number> = {
    CODING_MODE_1_0: 1,
    CODING_MODE_2_0: 2,
    CODING_MODE_5_1: 6,
  };
  const mode = aac.codingMode ?? 'CODING_MODE_2_0';
  if (!(mode in channelsByMode)) {
    throw new BadRequestException(
      `${descriptionAt}.codecSettings.aacSettings.codingMode: ${mode} is not supported`,
    );
  }
  const selectorName = description.audioSourceName ?? 'Audio Selector 1';
  const selector = selectors[selectorName];
  if (!selector) {
    throw new BadRequestException(
      `${descriptionAt}.audioSourceName: no audio selector named "${selectorName}" in the input`,
    );
  }
  const track = Array.isArray(selector.tracks) && selector.tracks.length > 0 ? selector.tracks[0] : 1;
  const normalization = description.audioNormalizationSettings;
  const corrects = normalization && normalization.algorithmControl !== 'MEASURE_ONLY';
  return {
    audioStream: track - 1,
    bitrate: positiveInt(aac.bitrate, `${descriptionAt}.codecSettings.aacSettings.bitrate`, 96_000),
    channels: channelsByMode[mode],
    sampleRate: positiveInt(aac.sampleRate, `${descriptionAt}.codecSettings.aacSettings.sampleRate`, 48_000),
    loudnessTarget: corrects ? (normalization.targetLkfs ?? -24) : undefined,
  };
}

function readOutput(
  output: Json,
  groupType: OutputGroupSpec['type'],
  selectors: Record<string, Json>,
  at: string,
): OutputSpec {
  if (output?.preset !== undefined)
    throw new BadRequestException(`${at}.preset: output presets are not supported locally`);
  refusePresent(output, ['captionDescriptions'], at, 'captions are not supported by the local endpoint');
  const container = output?.containerSettings?.container ?? (groupType === 'HLS_GROUP' ? 'M3U8' : undefined);
  const nameModifier = output?.nameModifier ?? '';
  const video = output?.videoDescription
    ? readVideo(output.videoDescription, `${at}.videoDescription`)
    : undefined;
  if (groupType === 'HLS_GROUP') {
    if (container !== 'M3U8')
      throw new BadRequestException(
        `${at}.containerSettings.container: HLS outputs use M3U8, got ${container}`,
      );
    if (!video || !('codec' in video))
      throw new BadRequestException(
        `${at}.videoDescription: the local endpoint's HLS outputs need H_264 or H_265 video`,
      );
    return {
      kind: 'hls',
      nameModifier,
      extension: 'm3u8',
      video,
      audio: readAudio(output.audioDescriptions, selectors, at),
      path: at,
    };
  }
  if (container === 'MP4') {
    if (video && !('codec' in video))
      throw new BadRequestException(
        `${at}.videoDescription.codecSettings.codec: FRAME_CAPTURE needs container RAW`,
      );
    const audio = readAudio(output.audioDescriptions, selectors, at);
    if (!video && !audio) throw new BadRequestException(`${at}: an MP4 output needs video or audio`);
    return { kind: 'mp4', nameModifier, extension: output.extension ?? 'mp4', video, audio, path: at };
  }
  if (container === 'RAW') {
    if (!video || 'codec' in video)
      throw new BadRequestException(
        `${at}.videoDescription.codecSettings.codec: RAW outputs must be FRAME_CAPTURE locally`,
      );
    return { kind: 'frames', nameModifier, extension: output.extension ?? 'jpg', frames: video, path: at };
  }
  throw new BadRequestException(
    `${at}.containerSettings.container: ${JSON.stringify(container)} is not supported by the local endpoint (M3U8, MP4, RAW)`,
  );
}

/** Reads a CreateJob body's settings into a TranscodeSpec, or throws BadRequestException. */
export function readJobSettings(settings: Json): TranscodeSpec {
  if (!settings || typeof settings !== 'object') throw new BadRequestException('settings is required');
  refusePresent(settings, REFUSED_JOB_SETTINGS, 'settings', 'not supported by the local endpoint');
  const inputs = settings.inputs;
  if (!Array.isArray(inputs) || inputs.length !== 1) {
    throw new BadRequestException('settings.inputs: the local endpoint transcodes exactly one input per job');
  }
  const input = inputs[0];
  refusePresent(input, REFUSED_INPUT_SETTINGS, 'settings.inputs[0]', 'not supported by the local endpoint');
  const inputLocation = parseS3Uri(input.fileInput, 'settings.inputs[0].fileInput');
  if (!inputLocation.base) throw new BadRequestException('settings.inputs[0].fileInput: names no object');
  const selectors: Record<string, Json> = input.audioSelectors ?? {};
  const groups = settings.outputGroups;
  if (!Array.isArray(groups) || groups.length === 0)
    throw new BadRequestException('settings.outputGroups: at least one output group is required');
  return {
    input: { ...inputLocation, uri: input.fileInput },
    rotate: input.videoSelector?.rotate ?? 'DEGREE_0',
    groups: groups.map((group: Json, g: number) => {
      const at = `settings.outputGroups[${g}]`;
      const type = group?.outputGroupSettings?.type;
      if (type !== 'HLS_GROUP_SETTINGS' && type !== 'FILE_GROUP_SETTINGS') {
        throw new BadRequestException(
          `${at}.outputGroupSettings.type: ${JSON.stringify(type)} is not supported by the local endpoint (HLS_GROUP_SETTINGS, FILE_GROUP_SETTINGS)`,
        );
      }
      const hls = group.outputGroupSettings.hlsGroupSettings ?? {};
      if (type === 'HLS_GROUP_SETTINGS') {
        refusePresent(
          hls,
          REFUSED_HLS_SETTINGS,
          `${at}.outputGroupSettings.hlsGroupSettings`,
          'not supported by the local endpoint',
        );
        if (hls.segmentControl === 'SINGLE_FILE') {
          throw new BadRequestException(
            `${at}.outputGroupSettings.hlsGroupSettings.segmentControl: SINGLE_FILE (byte ranges) is not supported locally`,
          );
        }
      }
      const settingsName = type === 'HLS_GROUP_SETTINGS' ? 'hlsGroupSettings' : 'fileGroupSettings';
      const destination = parseS3Uri(
        group.outputGroupSettings[settingsName]?.destination,
        `${at}.outputGroupSettings.${settingsName}.destination`,
      );
      const groupType = type === 'HLS_GROUP_SETTINGS' ? 'HLS_GROUP' : 'FILE_GROUP';
      const outputs = group.outputs;
      if (!Array.isArray(outputs) || outputs.length === 0)
        throw new BadRequestException(`${at}.outputs: at least one output is required`);
      const specs = outputs.map((output: Json, o: number) =>
        readOutput(output, groupType, selectors, `${at}.outputs[${o}]`),
      );
      const modifiers = specs.map((s: OutputSpec) => `${s.nameModifier}.${s.extension}`);
      const duplicate = modifiers.find((m: string, i: number) => modifiers.indexOf(m) !== i);
      if (duplicate !== undefined)
        throw new BadRequestException(
          `${at}.outputs: two outputs would share the name modifier "${duplicate}"`,
        );
      return {
        type: groupType,
        destination,
        segmentSec: positiveInt(
          hls.segmentLength,
          `${at}.outputGroupSettings.hlsGroupSettings.segmentLength`,
          10,
        ),
        outputs: specs,
      } satisfies OutputGroupSpec;
    }),
  };
}

/** A videoDescription into an H.264/H.265 encode or a frame capture, checked against the documented ranges. */
import { BadRequestException } from '../api-errors.ts';
import {
  DOCUMENTED_RANGES as R,
  evenIn,
  type Json,
  numberIn,
  refusePresent,
  requireObject,
} from './checks.ts';
import type { ColorCorrection, FrameCaptureSpec, VideoEncodeSpec } from './spec.ts';

const REFUSED_PREPROCESSORS = [
  'imageInserter',
  'dolbyVision',
  'hdr10Plus',
  'timecodeBurnin',
  'partnerWatermarking',
];
const H264_PROFILES: Record<string, string> = { BASELINE: 'baseline', MAIN: 'main', HIGH: 'high' };
const H265_PROFILES: Record<string, string> = {
  MAIN_MAIN: 'main',
  MAIN_HIGH: 'main',
  MAIN10_MAIN: 'main10',
  MAIN10_HIGH: 'main10',
};

type PictureBox = Pick<FrameCaptureSpec, 'width' | 'height' | 'scaling'>;

function readFrameCapture(codecSettings: Json, box: PictureBox, at: string): FrameCaptureSpec {
  const frame = requireObject(
    codecSettings.frameCaptureSettings ?? {},
    `${at}.codecSettings.frameCaptureSettings`,
  );
  const frameAt = `${at}.codecSettings.frameCaptureSettings`;
  return {
    ...box,
    framerateNumerator: numberIn(frame.framerateNumerator, `${frameAt}.framerateNumerator`, R.positiveInt, {
      fallback: 1,
    }),
    framerateDenominator: numberIn(
      frame.framerateDenominator,
      `${frameAt}.framerateDenominator`,
      R.positiveInt,
      {
        fallback: 1,
      },
    ),
    maxCaptures: numberIn(frame.maxCaptures, `${frameAt}.maxCaptures`, R.maxCaptures, {
      fallback: 10_000_000,
    }),
    quality: numberIn(frame.quality, `${frameAt}.quality`, R.percentLevel, { fallback: 80 }),
  };
}

/** The rate control mode and its bit rates; CBR and VBR need a bit rate, QVBR refuses one. */
function readRateControl(settings: Json, codec: VideoEncodeSpec['codec'], settingsAt: string) {
  const rateControl: VideoEncodeSpec['rateControl'] = settings.rateControlMode ?? 'CBR';
  if (!['QVBR', 'VBR', 'CBR'].includes(rateControl)) {
    throw new BadRequestException(`${settingsAt}.rateControlMode: ${rateControl} is not supported`);
  }
  if (rateControl === 'QVBR' && settings.bitrate !== undefined) {
    throw new BadRequestException(`${settingsAt}.bitrate: not allowed with QVBR; use maxBitrate`);
  }
  const bitrates = codec === 'H_264' ? R.h264Bitrate : R.h265Bitrate;
  const optional = (value: unknown, name: string, range = bitrates) =>
    value === undefined ? undefined : numberIn(value, `${settingsAt}.${name}`, range);
  return {
    rateControl,
    bitrate:
      rateControl === 'QVBR' ? undefined : numberIn(settings.bitrate, `${settingsAt}.bitrate`, bitrates),
    maxBitrate: optional(settings.maxBitrate, 'maxBitrate'),
    bufferSize: optional(
      settings.hrdBufferSize,
      'hrdBufferSize',
      codec === 'H_264' ? R.h264HrdBuffer : R.h265HrdBuffer,
    ),
    qvbrQuality: numberIn(
      settings.qvbrSettings?.qvbrQualityLevel,
      `${settingsAt}.qvbrSettings.qvbrQualityLevel`,
      R.qvbrQualityLevel,
      {
        fallback: 7,
      },
    ),
  };
}

/** The keyframe interval. */
function readGop(settings: Json, settingsAt: string): VideoEncodeSpec['gop'] {
  const gopUnits: 'SECONDS' | 'FRAMES' = settings.gopSizeUnits === 'SECONDS' ? 'SECONDS' : 'FRAMES';
  // Without GOP mode control, or with AUTO, MediaConvert picks the GOP from the input (its API
  // reference: "By default, if you don't specify GOP mode control, MediaConvert will use automatic
  // behavior"); here that is a 2 s GOP. A GopSize given without units is read as frames.
  if (settings.gopSizeUnits === 'AUTO' || settings.gopSize === undefined)
    return { size: 2, units: 'SECONDS' };
  const size = numberIn(settings.gopSize, `${settingsAt}.gopSize`, R.gopSize, { fractional: true });
  return size === 0 ? { size: 2, units: 'SECONDS' } : { size, units: gopUnits };
}

/** A numerator/denominator pair when `control` is SPECIFIED. */
function readRatio(settings: Json, control: string, prefix: 'framerate' | 'par', settingsAt: string) {
  if (settings[`${prefix}Control`] !== control) return undefined;
  return {
    numerator: numberIn(settings[`${prefix}Numerator`], `${settingsAt}.${prefix}Numerator`, R.positiveInt),
    denominator: numberIn(
      settings[`${prefix}Denominator`],
      `${settingsAt}.${prefix}Denominator`,
      R.positiveInt,
    ),
  };
}

/**
 * The ColorCorrector's levels (ranges from the API reference: brightness, contrast, saturation
 * `__integerMin1Max100`, hue `__integerMinNegative180Max180`), or undefined when they change nothing.
 */
function readColorCorrection(preprocessors: Json, at: string): ColorCorrection | undefined {
  if (preprocessors?.colorCorrector === undefined) return undefined;
  const corrector = requireObject(preprocessors.colorCorrector, `${at}.videoPreprocessors.colorCorrector`);
  const levelAt = (name: string) => `${at}.videoPreprocessors.colorCorrector.${name}`;
  const color = {
    brightness: numberIn(corrector.brightness, levelAt('brightness'), R.percentLevel, { fallback: 50 }),
    contrast: numberIn(corrector.contrast, levelAt('contrast'), R.percentLevel, { fallback: 50 }),
    saturation: numberIn(corrector.saturation, levelAt('saturation'), R.percentLevel, { fallback: 50 }),
    hue: numberIn(corrector.hue, levelAt('hue'), R.hue, { fallback: 0 }),
  };
  const unchanged =
    color.brightness === 50 && color.contrast === 50 && color.saturation === 50 && color.hue === 0;
  return unchanged ? undefined : color;
}

/** The output box: width and height are optional (the input's size); H.264/H.265 need even sizes. */
function readBox(description: Json, at: string, even: boolean): PictureBox {
  // Even sizes are a local rule: 4:2:0 encoders cannot take odd ones, and refusing here beats a
  // job that fails later with error 1999. The documented range applies either way.
  const size = (value: unknown, name: string) =>
    value === undefined
      ? undefined
      : even
        ? evenIn(value, `${at}.${name}`, R.videoSize)
        : numberIn(value, `${at}.${name}`, R.videoSize);
  return {
    width: size(description.width, 'width'),
    height: size(description.height, 'height'),
    scaling: description.scalingBehavior ?? 'DEFAULT',
  };
}

/** Reads one output's videoDescription; `at` names it in error messages. */
export function readVideo(description: Json, at: string): VideoEncodeSpec | FrameCaptureSpec {
  requireObject(description, at);
  refusePresent(
    description.videoPreprocessors,
    REFUSED_PREPROCESSORS,
    `${at}.videoPreprocessors`,
    'not supported by the local endpoint',
  );
  const codecSettings = requireObject(description.codecSettings ?? {}, `${at}.codecSettings`);
  const codec = codecSettings.codec;
  const color = readColorCorrection(description.videoPreprocessors, at);
  if (codec === 'FRAME_CAPTURE')
    return { ...readFrameCapture(codecSettings, readBox(description, at, false), at), color };
  if (codec !== 'H_264' && codec !== 'H_265') {
    throw new BadRequestException(
      `${at}.codecSettings.codec: ${JSON.stringify(codec)} is not supported by the local endpoint (H_264, H_265, FRAME_CAPTURE)`,
    );
  }
  const settingsName = codec === 'H_264' ? 'h264Settings' : 'h265Settings';
  const settingsAt = `${at}.codecSettings.${settingsName}`;
  const settings = requireObject(codecSettings[settingsName] ?? {}, settingsAt);
  const profiles = codec === 'H_264' ? H264_PROFILES : H265_PROFILES;
  if (settings.codecProfile !== undefined && !(settings.codecProfile in profiles)) {
    throw new BadRequestException(
      `${settingsAt}.codecProfile: ${settings.codecProfile} is not supported by the local endpoint`,
    );
  }
  return {
    codec,
    ...readBox(description, at, true),
    ...readRateControl(settings, codec, settingsAt),
    gop: readGop(settings, settingsAt),
    profile: settings.codecProfile ? profiles[settings.codecProfile] : undefined,
    frameRate: readRatio(settings, 'SPECIFIED', 'framerate', settingsAt),
    toneMapTo709: description.videoPreprocessors?.colorCorrector?.colorSpaceConversion === 'FORCE_709',
    par: readRatio(settings, 'SPECIFIED', 'par', settingsAt),
    color,
  };
}

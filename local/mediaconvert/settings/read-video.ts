/** A videoDescription into an H.264/H.265 encode or a frame capture. */
import { BadRequestException } from '../api-errors.ts';
import type { FrameCaptureSpec, VideoEncodeSpec } from './spec.ts';
import { type Json, positiveInt, refusePresent } from './checks.ts';

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

function readFrameCapture(
  codecSettings: Json,
  size: Pick<FrameCaptureSpec, 'width' | 'height' | 'scaling'>,
  at: string,
): FrameCaptureSpec {
  const frame = codecSettings.frameCaptureSettings ?? {};
  const frameAt = `${at}.codecSettings.frameCaptureSettings`;
  return {
    ...size,
    framerateNumerator: positiveInt(frame.framerateNumerator, `${frameAt}.framerateNumerator`, 1),
    framerateDenominator: positiveInt(frame.framerateDenominator, `${frameAt}.framerateDenominator`, 1),
    maxCaptures: positiveInt(frame.maxCaptures, `${frameAt}.maxCaptures`, 10_000_000),
    quality: positiveInt(frame.quality, `${frameAt}.quality`, 80),
  };
}

/** The rate control mode; CBR and VBR need a bit rate, QVBR refuses one. */
function readRateControl(settings: Json, settingsAt: string): VideoEncodeSpec['rateControl'] {
  const rateControl: VideoEncodeSpec['rateControl'] = settings.rateControlMode ?? 'CBR';
  if (!['QVBR', 'VBR', 'CBR'].includes(rateControl)) {
    throw new BadRequestException(`${settingsAt}.rateControlMode: ${rateControl} is not supported`);
  }
  if (rateControl !== 'QVBR') positiveInt(settings.bitrate, `${settingsAt}.bitrate`);
  if (rateControl === 'QVBR' && settings.bitrate !== undefined) {
    throw new BadRequestException(`${settingsAt}.bitrate: not allowed with QVBR; use maxBitrate`);
  }
  return rateControl;
}

/** The keyframe interval. */
function readGop(settings: Json, settingsAt: string): VideoEncodeSpec['gop'] {
  const gopUnits: 'SECONDS' | 'FRAMES' = settings.gopSizeUnits === 'SECONDS' ? 'SECONDS' : 'FRAMES';
  // Without GOP mode control, or with AUTO, MediaConvert picks the GOP from the input (its API
  // reference: "By default, if you don't specify GOP mode control, MediaConvert will use automatic
  // behavior"); here that is a 2 s GOP. A GopSize given without units is read as frames.
  return settings.gopSizeUnits === 'AUTO' || settings.gopSize === undefined
    ? { size: 2, units: 'SECONDS' as const }
    : { size: positiveInt(settings.gopSize, `${settingsAt}.gopSize`), units: gopUnits };
}

/** Reads one output's videoDescription; `at` names it in error messages. */
export function readVideo(description: Json, at: string): VideoEncodeSpec | FrameCaptureSpec {
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
  if (codec === 'FRAME_CAPTURE') return readFrameCapture(codecSettings, { width, height, scaling }, at);
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
  const rateControl = readRateControl(settings, settingsAt);
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
    gop: readGop(settings, settingsAt),
    profile: settings.codecProfile ? profiles[settings.codecProfile] : undefined,
    frameRate,
    toneMapTo709: description?.videoPreprocessors?.colorCorrector?.colorSpaceConversion === 'FORCE_709',
    par,
  };
}

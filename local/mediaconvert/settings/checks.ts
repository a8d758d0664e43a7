/**
 * Checks shared by the settings readers: refused settings, objects where the API expects one, and
 * numbers within the bounds the MediaConvert API reference documents.
 */
import { BadRequestException } from '../api-errors.ts';

// biome-ignore lint/suspicious/noExplicitAny: job settings are open JSON read defensively
export type Json = any;

export interface Range {
  min: number;
  max: number;
}

/**
 * Bounds from the MediaConvert API reference (https://docs.aws.amazon.com/mediaconvert/latest/apireference/jobs.html),
 * as its service model `mediaconvert-2017-08-29` declares them (shape names such as
 * `__integerMin32Max8192`). The service refuses a CreateJob outside them with a 400; so does this endpoint.
 */
export const DOCUMENTED_RANGES = {
  /** VideoDescription.Width and .Height: `__integerMin32Max8192`. */
  videoSize: { min: 32, max: 8192 },
  /** H264Settings.Bitrate/.MaxBitrate and H264QvbrSettings.MaxAverageBitrate: `__integerMin1000Max1152000000`. */
  h264Bitrate: { min: 1000, max: 1_152_000_000 },
  /** H265Settings.Bitrate/.MaxBitrate: `__integerMin1000Max1466400000`. */
  h265Bitrate: { min: 1000, max: 1_466_400_000 },
  /** H264Settings.HrdBufferSize: `__integerMin0Max1152000000` (H.265: 1466400000). */
  h264HrdBuffer: { min: 0, max: 1_152_000_000 },
  h265HrdBuffer: { min: 0, max: 1_466_400_000 },
  /** H264QvbrSettings/H265QvbrSettings.QvbrQualityLevel: `__integerMin1Max10`. */
  qvbrQualityLevel: { min: 1, max: 10 },
  /** Framerate/Par numerators and denominators, FrameCapture framerates: `__integerMin1Max2147483647`. */
  positiveInt: { min: 1, max: 2_147_483_647 },
  /** H264Settings.GopSize: `__doubleMin0`. */
  gopSize: { min: 0, max: Number.MAX_VALUE },
  /** FrameCaptureSettings.MaxCaptures: `__integerMin1Max10000000`. */
  maxCaptures: { min: 1, max: 10_000_000 },
  /** FrameCaptureSettings.Quality and ColorCorrector.Brightness/Contrast/Saturation: `__integerMin1Max100`. */
  percentLevel: { min: 1, max: 100 },
  /** ColorCorrector.Hue: `__integerMinNegative180Max180`. */
  hue: { min: -180, max: 180 },
  /** AacSettings.Bitrate: `__integerMin6000Max1024000`. */
  aacBitrate: { min: 6000, max: 1_024_000 },
  /** AacSettings.SampleRate: `__integerMin8000Max96000`. */
  aacSampleRate: { min: 8000, max: 96_000 },
  /** AudioNormalizationSettings.TargetLkfs: `__doubleMinNegative59Max0`. */
  targetLkfs: { min: -59, max: 0 },
  /** Hls/DashIso/CmafGroupSettings.SegmentLength and .FragmentLength: `__integerMin1Max2147483647`. */
  segmentLength: { min: 1, max: 2_147_483_647 },
  /** Rectangle.Width/.Height: `__integerMin2Max2147483647`, "Specify only even numbers". */
  rectangleSize: { min: 2, max: 2_147_483_647 },
  /** Rectangle.X/.Y: `__integerMin0Max2147483647`, "Specify only even numbers". */
  rectangleOffset: { min: 0, max: 2_147_483_647 },
} satisfies Record<string, Range>;

export function refusePresent(object: Json, names: string[], at: string, why: string): void {
  for (const name of names) {
    if (object?.[name] !== undefined && !(Array.isArray(object[name]) && object[name].length === 0)) {
      throw new BadRequestException(`${at}.${name}: ${why}`);
    }
  }
}

/** The value when it is a JSON object (not null, not an array); a 400 naming `at` otherwise. */
export function requireObject(value: unknown, at: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequestException(`${at}: expected an object, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The value when it is an array whose members are all objects; a 400 naming the bad member otherwise. */
export function objectArray(value: unknown, at: string): Json[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw new BadRequestException(`${at}: expected an array, got ${JSON.stringify(value)}`);
  return value.map((member, i) => requireObject(member, `${at}[${i}]`));
}

/** A number in [min, max] (a whole number unless `fractional`); the fallback when absent, else a 400. */
export function numberIn(
  value: unknown,
  setting: string,
  range: Range,
  options: { fallback?: number; fractional?: boolean } = {},
): number {
  if (value === undefined || value === null) {
    if (options.fallback !== undefined) return options.fallback;
    throw new BadRequestException(`${setting} is required`);
  }
  const whole = !options.fractional;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (whole && !Number.isInteger(value)) ||
    value < range.min ||
    value > range.max
  ) {
    const kind = whole ? 'an integer' : 'a number';
    const bounds =
      range.max === Number.MAX_VALUE ? `at least ${range.min}` : `from ${range.min} to ${range.max}`;
    throw new BadRequestException(`${setting} must be ${kind} ${bounds}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A positive number (seconds, counts) where the API documents no tighter bound. */
export function positiveInt(value: unknown, setting: string, fallback?: number): number {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw new BadRequestException(`${setting} is required`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new BadRequestException(`${setting} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** An even whole number in `range`: 4:2:0 pictures and crop rectangles need even sizes. */
export function evenIn(value: unknown, setting: string, range: Range, fallback?: number): number {
  const n = numberIn(value, setting, range, { fallback });
  if (n % 2 !== 0) throw new BadRequestException(`${setting} must be an even number, got ${n}`);
  return n;
}

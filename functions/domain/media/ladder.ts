/**
 * Per-title ladder planning: from a probed source and a configuration, decide which renditions to make.
 * Pure: no I/O, no AWS types. `toJobSettings` turns the plan into a MediaConvert job.
 */
import { DomainError } from '#domain/errors.ts';
import type { DynamicRange, SourceProbe } from './probe.ts';

/** The source cannot be processed; `reason` is shown to the uploader as is. */
export class SourceRejectedError extends DomainError {
  constructor(
    readonly code: 'EMPTY' | 'NOT_A_VIDEO' | 'TOO_LONG' | 'TOO_SMALL' | 'UNREADABLE',
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface RungTemplate {
  /** Pixels along the picture's short side (the height of a landscape picture). */
  shortSide: number;
  /** Ceiling for the rung's peak bit rate, bits/s. */
  maxBitrateBps: number;
  /** MediaConvert QVBR quality level, 1 (smallest) to 10 (best). */
  qvbrQuality: number;
}

export interface LadderConfig {
  /** Candidate rungs, any order; only those not above the source are used. */
  rungs: RungTemplate[];
  /** Longest accepted source, seconds. */
  maxDurationSec: number;
  /** Shortest accepted picture side, pixels. */
  minShortSide: number;
  /** HLS segment length, seconds. */
  segmentSec: number;
  /** Keyframe interval, seconds; divides `segmentSec` so segments start on a keyframe. */
  gopSec: number;
  /** Add an H.265 rung on top of the H.264 ladder (HDR10 is kept in it for HDR sources). */
  hevcTopRung: boolean;
  /** Integrated loudness target, LKFS (ITU-R BS.1770). */
  loudnessTargetLkfs: number;
  /** AAC stereo bit rate, bits/s. */
  audioBitrateBps: number;
  /** One thumbnail every this many seconds. */
  thumbnailIntervalSec: number;
  /** Thumbnails' short side, pixels. */
  thumbnailShortSide: number;
  /** Most thumbnails per asset. */
  maxThumbnails: number;
  /** Where the poster frame is taken, as a fraction of the duration. */
  posterAtFraction: number;
  /** The MP4 download uses the highest H.264 rung whose short side is at most this, pixels. */
  downloadMaxShortSide: number;
}

export const defaultLadderConfig: LadderConfig = {
  rungs: [
    { shortSide: 1080, maxBitrateBps: 6_000_000, qvbrQuality: 8 },
    { shortSide: 720, maxBitrateBps: 3_500_000, qvbrQuality: 8 },
    { shortSide: 540, maxBitrateBps: 2_000_000, qvbrQuality: 7 },
    { shortSide: 360, maxBitrateBps: 1_000_000, qvbrQuality: 7 },
    { shortSide: 240, maxBitrateBps: 500_000, qvbrQuality: 7 },
  ],
  maxDurationSec: 4 * 3600,
  minShortSide: 64,
  segmentSec: 4,
  gopSec: 2,
  hevcTopRung: false,
  loudnessTargetLkfs: -16,
  audioBitrateBps: 128_000,
  thumbnailIntervalSec: 5,
  thumbnailShortSide: 180,
  maxThumbnails: 100,
  posterAtFraction: 0.25,
  downloadMaxShortSide: 720,
};

export type VideoCodec = 'H_264' | 'H_265';

export interface Rendition {
  /** Suffix MediaConvert appends to output names, e.g. `_720p`. */
  nameModifier: string;
  codec: VideoCodec;
  width: number;
  height: number;
  maxBitrateBps: number;
  qvbrQuality: number;
  /** SDR renditions of an HDR source are tone-mapped to BT.709. */
  dynamicRange: DynamicRange;
}

export interface LadderPlan {
  /** HLS renditions, best first. */
  renditions: Rendition[];
  /** The single progressive MP4 for download. */
  download: Rendition;
  audio?: { bitrateBps: number; channels: 2; sampleRateHz: 48_000; loudnessTargetLkfs: number };
  /** The source's orientation after rotation. */
  orientation: 'landscape' | 'portrait';
  segmentSec: number;
  gopSec: number;
  thumbnails: { intervalSec: number; width: number; height: number; maxCaptures: number };
  poster: { atSec: number; width: number; height: number };
  /** Seconds. */
  sourceDurationSec: number;
  sourceDynamicRange: DynamicRange;
}

/** Even number nearest `x` (H.264 with 4:2:0 chroma needs even sizes), at least 2. */
function even(x: number): number {
  return Math.max(2, 2 * Math.round(x / 2));
}

/** Output size for a short side, keeping the display aspect ratio (square pixels). */
function sizeFor(shortSide: number, aspect: number) {
  if (aspect >= 1) return { width: even(shortSide * aspect), height: even(shortSide) };
  return { width: even(shortSide), height: even(shortSide / aspect) };
}

/**
 * Checks that a probed source can be processed; throws SourceRejectedError with a readable reason
 * (empty file, no video track, too long, too small).
 */
export function assertProcessable(probe: SourceProbe, config: LadderConfig): void {
  if (probe.sizeBytes === 0) throw new SourceRejectedError('EMPTY', 'the uploaded file is empty');
  const video = probe.video;
  if (!video || video.storedWidth === 0 || video.storedHeight === 0) {
    throw new SourceRejectedError('NOT_A_VIDEO', 'the uploaded file has no video track');
  }
  if (!(probe.durationSec > 0)) {
    throw new SourceRejectedError('UNREADABLE', 'the video has no readable duration (truncated or damaged?)');
  }
  if (probe.durationSec > config.maxDurationSec) {
    throw new SourceRejectedError(
      'TOO_LONG',
      `the video lasts ${Math.round(probe.durationSec)} s; the limit is ${config.maxDurationSec} s`,
    );
  }
  const shortSide = Math.min(video.displayWidth, video.displayHeight);
  if (shortSide < config.minShortSide) {
    throw new SourceRejectedError(
      'TOO_SMALL',
      `the picture is ${video.displayWidth}x${video.displayHeight}; the short side must be at least ${config.minShortSide} px`,
    );
  }
}

/**
 * How many captures every `intervalSec` from 0 s the source has frames for: times up to its last
 * frame (duration minus one frame), so a 5 s clip gets one capture every 5 s, not a second one at
 * 5.0 s where no frame is.
 */
function capturesWithin(probe: SourceProbe, intervalSec: number): number {
  const frameSec = 1 / (probe.video?.frameRate || 24);
  const lastFrameSec = Math.max(0, probe.durationSec - frameSec);
  return Math.floor(lastFrameSec / intervalSec + 1e-9) + 1;
}

/**
 * Bit-rate ceiling for a rung, bits/s: the template's ceiling, lowered for sources that are cheap to
 * encode. A source that itself needs few bits per pixel (animation, static shots, low-rate uploads)
 * gets proportionally smaller caps, scaled by pixel count with exponent 0.75 (bits grow sub-linearly
 * with resolution), with a floor so tiny sources still get a watchable rung.
 */
function perTitleCeiling(template: RungTemplate, rungPixels: number, probe: SourceProbe): number {
  const video = probe.video!;
  const sourcePixels = video.displayWidth * video.displayHeight;
  if (video.bitRateBps <= 0) return template.maxBitrateBps;
  const scaled = 1.5 * video.bitRateBps * (rungPixels / sourcePixels) ** 0.75;
  const floor = 150_000;
  return Math.round(Math.min(template.maxBitrateBps, Math.max(floor, scaled)));
}

/**
 * A standard rung this far below the source (as a share of its short side) leaves detail unused:
 * a 480-line source's best standard rung is 360 lines, 25% below, so it gets a 480 rung of its own;
 * a 576-line source keeps 540 (6% below) as its top.
 */
const SOURCE_RUNG_GAP = 0.15;

/**
 * The rung templates for a source, best first: the standard rungs not above it, plus one at the
 * source's own short side when the best of those is more than SOURCE_RUNG_GAP below it (never above
 * the largest configured rung, so the configured ceiling holds). Its ceiling comes from the next
 * larger template, scaled down by pixel count (exponent 0.75, as in perTitleCeiling). A source
 * smaller than every rung gets one rung at its own size with the smallest rung's settings.
 */
function chooseRungs(rungs: RungTemplate[], sourceShortSide: number): RungTemplate[] {
  const templates = [...rungs].sort((a, b) => b.shortSide - a.shortSide);
  const chosen = templates.filter((t) => t.shortSide <= sourceShortSide);
  if (chosen.length === 0) {
    // Smaller than every rung: one rung at the source's own size, with the smallest rung's settings.
    return [{ ...templates[templates.length - 1], shortSide: sourceShortSide }];
  }
  const nearEnough = chosen[0].shortSide >= sourceShortSide * (1 - SOURCE_RUNG_GAP);
  if (nearEnough || sourceShortSide > templates[0].shortSide) return chosen;
  const above = templates.filter((t) => t.shortSide > sourceShortSide).at(-1)!;
  const pixelRatio = (sourceShortSide / above.shortSide) ** 2;
  const own = {
    ...above,
    shortSide: sourceShortSide,
    maxBitrateBps: Math.round(above.maxBitrateBps * pixelRatio ** 0.75),
  };
  return [own, ...chosen];
}

/**
 * Plans the renditions for one source: never above the source's size, portrait rungs for portrait
 * sources, SAR applied, SDR H.264 for every rung (tone-mapped when the source is HDR), an optional H.265
 * top rung, an MP4 download, AAC stereo loudness-normalised audio when the source has sound, thumbnails
 * and a poster. Throws SourceRejectedError when the source cannot be processed.
 */
export function planLadder(probe: SourceProbe, config: LadderConfig = defaultLadderConfig): LadderPlan {
  assertProcessable(probe, config);
  const video = probe.video!;
  const { displayWidth, displayHeight, displayAspect } = video;
  const sourceShortSide = Math.min(displayWidth, displayHeight);
  const chosen = chooseRungs(config.rungs, sourceShortSide);
  const renditions: Rendition[] = chosen.map((template) => {
    const size = sizeFor(template.shortSide, displayAspect);
    return {
      nameModifier: `_${template.shortSide}p`,
      codec: 'H_264',
      ...size,
      maxBitrateBps: perTitleCeiling(template, size.width * size.height, probe),
      qvbrQuality: template.qvbrQuality,
      dynamicRange: 'SDR',
    };
  });
  if (config.hevcTopRung) {
    const top = renditions[0];
    renditions.unshift({
      ...top,
      nameModifier: `${top.nameModifier}_hevc`,
      codec: 'H_265',
      // H.265 needs roughly 30% fewer bits than H.264 for the same quality.
      maxBitrateBps: Math.round(top.maxBitrateBps * 0.7),
      dynamicRange: video.dynamicRange,
    });
  }
  const h264 = renditions.filter((r) => r.codec === 'H_264');
  const downloadBase =
    h264.find((r) => Math.min(r.width, r.height) <= config.downloadMaxShortSide) ?? h264[h264.length - 1];
  const thumbSize = sizeFor(Math.min(config.thumbnailShortSide, sourceShortSide), displayAspect);
  const posterSize = { width: h264[0].width, height: h264[0].height };
  return {
    renditions,
    download: { ...downloadBase, nameModifier: '_download' },
    audio: probe.audio
      ? {
          bitrateBps: config.audioBitrateBps,
          channels: 2,
          sampleRateHz: 48_000,
          loudnessTargetLkfs: config.loudnessTargetLkfs,
        }
      : undefined,
    orientation: displayHeight > displayWidth ? 'portrait' : 'landscape',
    segmentSec: config.segmentSec,
    gopSec: config.gopSec,
    thumbnails: {
      intervalSec: config.thumbnailIntervalSec,
      ...thumbSize,
      maxCaptures: Math.min(config.maxThumbnails, capturesWithin(probe, config.thumbnailIntervalSec)),
    },
    poster: { atSec: Math.max(0, Math.floor(probe.durationSec * config.posterAtFraction)), ...posterSize },
    sourceDurationSec: probe.durationSec,
    sourceDynamicRange: video.dynamicRange,
  };
}

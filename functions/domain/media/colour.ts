/**
 * Smart colour: from exposure and colour figures measured on sampled frames, decide whether a clip is
 * clearly under- or over-exposed, flat or colour-cast, and which colour-corrector levels undo it.
 * Pure: the figures come from an analyzer adapter (ffmpeg signalstats), the levels go to the job
 * settings (MediaConvert's ColorCorrector). A well-exposed clip gets no correction at all.
 */

/** Averages over the sampled frames, in 8-bit code values (0..255; video range puts black at 16, white at 235). */
export interface ExposureStats {
  /** Mean luma (signalstats YAVG). */
  lumaMean: number;
  /** 10th and 90th luma percentiles (signalstats YLOW, YHIGH). */
  lumaLow: number;
  lumaHigh: number;
  /** Mean Cb and Cr; 128 is neutral (signalstats UAVG, VAVG). */
  chromaBlueMean: number;
  chromaRedMean: number;
  /** Mean chroma distance from neutral per pixel (signalstats SATAVG). */
  saturationMean: number;
  /** Frames the averages were taken over. */
  frames: number;
}

/**
 * MediaConvert ColorCorrector levels: brightness, contrast and saturation 1..100 with 50 leaving the
 * picture as it is, hue -180..180 degrees with 0 leaving it.
 */
export interface ColourCorrection {
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
}

export const COLOUR_FINDINGS = ['UNDEREXPOSED', 'OVEREXPOSED', 'FLAT', 'COLOUR_CAST'] as const;
export type ColourFinding = (typeof COLOUR_FINDINGS)[number];

/** What the analysis found and what the transcode does about it; recorded on the asset. */
export interface ColourDecision {
  /** Absent when nothing was measured (turned off at upload, no video track, analysis failed). */
  analysis?: ExposureStats;
  findings: ColourFinding[];
  /** Absent when the clip is left untouched (no correction block in the job). */
  correction?: ColourCorrection;
  /** One sentence a person reads on the asset. */
  reason: string;
}

/**
 * The thresholds, in 8-bit code values. They are deliberately wide: natural footage (a bright sky, a
 * night scene with lights, a green field) stays untouched; only a picture whose whole range is off is
 * corrected. Measured on the shared clips: their luma spreads are 76..112, highlights 151..195,
 * chroma offsets 6..20.
 */
const LIMITS = {
  /** Under-exposed: a dark mean and highlights that never reach light grey. */
  underMean: 90,
  underHigh: 140,
  /** Over-exposed: a bright mean and shadows that never reach mid grey. */
  overMean: 185,
  overLow: 130,
  /** Flat: the middle 80% of luma spans less than this. */
  flatSpread: 50,
  /** Colour cast: the mean chroma lies this far from neutral... */
  castOffset: 24,
  /** ...and makes up most of the picture's saturation (a colourful scene's chroma averages out). */
  castShareOfSaturation: 0.7,
} as const;

/** Where a correction aims, 8-bit code values. */
const TARGET = {
  /** Luma spread (90th - 10th percentile) a stretched flat or dark picture is given. */
  spread: 110,
  underMean: 110,
  overMean: 150,
  /** A corrected cast keeps at most this chroma offset. */
  castOffset: 12,
} as const;

/** Contrast gains the corrector can express (contrast 1..100 is a gain of 0.02..2). */
const MAX_GAIN = 2;
/** Luma offset brightness 1..100 can add, 8-bit code values (49/100 of the range down, 50/100 up). */
const MAX_OFFSET = 0.49 * 255;
/** Saturation is never cut below half: beyond that the picture looks grey, cast or not. */
const MIN_SATURATION_GAIN = 0.5;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** Which of the findings the figures show. */
export function colourFindings(stats: ExposureStats): ColourFinding[] {
  const findings: ColourFinding[] = [];
  if (stats.lumaMean < LIMITS.underMean && stats.lumaHigh < LIMITS.underHigh) findings.push('UNDEREXPOSED');
  if (stats.lumaMean > LIMITS.overMean && stats.lumaLow > LIMITS.overLow) findings.push('OVEREXPOSED');
  if (stats.lumaHigh - stats.lumaLow < LIMITS.flatSpread) findings.push('FLAT');
  const offset = chromaOffset(stats);
  if (offset > LIMITS.castOffset && offset > LIMITS.castShareOfSaturation * stats.saturationMean)
    findings.push('COLOUR_CAST');
  return findings;
}

/** Distance of the mean chroma from neutral, 8-bit code values. */
function chromaOffset(stats: ExposureStats): number {
  return Math.hypot(stats.chromaBlueMean - 128, stats.chromaRedMean - 128);
}

/**
 * The luma map y = gain * (x - mean) + targetMean as corrector levels. The corrector's curve (as the
 * local endpoint applies it, and as MediaConvert's neutral points suggest) is
 * y = (contrast / 50) * (x - 128) + 128 + (brightness - 50) / 100 * 255.
 */
function lumaLevels(stats: ExposureStats, findings: ColourFinding[]) {
  const spread = Math.max(1, stats.lumaHigh - stats.lumaLow);
  const stretch = findings.includes('FLAT') || findings.includes('UNDEREXPOSED');
  // A flat picture keeps its mean (a washed-out sky stays bright); a mis-exposed one is moved.
  const targetMean = findings.includes('UNDEREXPOSED')
    ? TARGET.underMean
    : findings.includes('OVEREXPOSED')
      ? TARGET.overMean
      : stats.lumaMean;
  // The offset the brightness can add is bounded (levels 1..100); a gain that would need more is
  // lowered until the mean still lands on its target.
  const reach = (stats.lumaMean >= 128 ? -1 : 1) * MAX_OFFSET;
  const reachableGain =
    stats.lumaMean === 128 ? MAX_GAIN : (targetMean - 128 - reach) / (stats.lumaMean - 128);
  const gain = stretch ? clamp(Math.min(TARGET.spread / spread, reachableGain), 1, MAX_GAIN) : 1;
  const offset = targetMean - 128 - gain * (stats.lumaMean - 128);
  return {
    contrast: Math.round(clamp(gain * 50, 1, 100)),
    brightness: Math.round(clamp(50 + (offset / 255) * 100, 1, 100)),
  };
}

/**
 * Saturation that shrinks a cast to the target offset. The corrector has no white balance: hue rotates
 * chroma around neutral and cannot move its mean back, so scaling chroma down is the only lever (it
 * also mutes the real colours, hence the floor).
 */
function saturationLevel(stats: ExposureStats): number {
  const gain = clamp(TARGET.castOffset / chromaOffset(stats), MIN_SATURATION_GAIN, 1);
  return Math.round(gain * 50);
}

const FINDING_TEXT: Record<ColourFinding, string> = {
  UNDEREXPOSED: 'under-exposed',
  OVEREXPOSED: 'over-exposed',
  FLAT: 'flat (low contrast)',
  COLOUR_CAST: 'colour-cast',
};

/** Decides the correction for measured figures: none for a well-exposed clip. */
export function decideColourCorrection(stats: ExposureStats): ColourDecision {
  const findings = colourFindings(stats);
  const figures = `mean luma ${stats.lumaMean.toFixed(0)}, luma 10-90% ${stats.lumaLow.toFixed(0)}-${stats.lumaHigh.toFixed(0)}, chroma offset ${chromaOffset(stats).toFixed(0)} over ${stats.frames} frames`;
  if (findings.length === 0) {
    return { analysis: stats, findings, reason: `well exposed, left untouched (${figures})` };
  }
  const correction: ColourCorrection = {
    ...(findings.some((f) => f !== 'COLOUR_CAST')
      ? lumaLevels(stats, findings)
      : { brightness: 50, contrast: 50 }),
    saturation: findings.includes('COLOUR_CAST') ? saturationLevel(stats) : 50,
    hue: 0,
  };
  return {
    analysis: stats,
    findings,
    correction,
    reason: `${findings.map((f) => FINDING_TEXT[f]).join(', ')}: corrected (${figures})`,
  };
}

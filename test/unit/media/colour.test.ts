import { describe, expect, it } from 'vitest';
import { averageExposure, parseSignalStats } from '#adapters/media/ffmpeg-analyzer.ts';
import { toJobSettings } from '#adapters/media/mediaconvert-job-settings.ts';
import { toSourceProbe } from '#adapters/media/mediaconvert-probe.ts';
import { type ExposureStats, decideColourCorrection } from '#domain/media/colour.ts';
import { planLadder } from '#domain/media/ladder.ts';
import { anamorphicProbe, hdrProbe } from './probe-fixtures.ts';

/** The figures signalstats gives for bbb_prog_10s.mp4 (a bright, low-contrast sky): natural footage. */
const brightSky: ExposureStats = {
  lumaMean: 162.8,
  lumaLow: 118.8,
  lumaHigh: 195.3,
  chromaBlueMean: 122.4,
  chromaRedMean: 131.2,
  saturationMean: 14.8,
  frames: 12,
};

/** The corrector's curve as the local endpoint applies it: what a level does to a luma value. */
const corrected = (luma: number, c: { brightness: number; contrast: number }) =>
  (c.contrast / 50) * (luma - 128) + 128 + ((c.brightness - 50) / 100) * 255;

describe('decideColourCorrection', () => {
  it('leaves well-exposed footage untouched, with no correction at all', () => {
    const decision = decideColourCorrection(brightSky);
    expect(decision.findings).toEqual([]);
    expect(decision.correction).toBeUndefined();
    expect(decision.reason).toMatch(/left untouched/);
  });

  it('brightens and stretches an under-exposed clip towards a normal mean', () => {
    // The sky at 45% of its light: dark, and its range squeezed.
    const dark = { ...brightSky, lumaMean: 73, lumaLow: 53, lumaHigh: 88 };
    const decision = decideColourCorrection(dark);
    expect(decision.findings).toEqual(['UNDEREXPOSED', 'FLAT']);
    const c = decision.correction!;
    expect(c.contrast).toBe(100);
    expect(c.brightness).toBeGreaterThan(50);
    expect(corrected(dark.lumaMean, c)).toBeCloseTo(110, -1);
    expect(c.saturation).toBe(50);
    expect(c.hue).toBe(0);
  });

  it('stretches a washed-out clip around its own mean, so bright footage stays bright', () => {
    const washed = { ...brightSky, lumaMean: 170, lumaLow: 150, lumaHigh: 188 };
    const decision = decideColourCorrection(washed);
    expect(decision.findings).toEqual(['FLAT']);
    const c = decision.correction!;
    expect(c.contrast).toBeGreaterThan(90);
    expect(corrected(washed.lumaMean, c)).toBeCloseTo(170, -1);
    expect(corrected(washed.lumaHigh, c) - corrected(washed.lumaLow, c)).toBeGreaterThan(70);
  });

  it('darkens an over-exposed clip', () => {
    const blown = { ...brightSky, lumaMean: 215, lumaLow: 190, lumaHigh: 235 };
    const decision = decideColourCorrection(blown);
    expect(decision.findings).toContain('OVEREXPOSED');
    expect(corrected(blown.lumaMean, decision.correction!)).toBeCloseTo(150, -1);
  });

  it('mutes a colour cast that dominates the picture, but not the colours of a saturated scene', () => {
    const cast = { ...brightSky, chromaBlueMean: 98, chromaRedMean: 148, saturationMean: 38 };
    const decision = decideColourCorrection(cast);
    expect(decision.findings).toEqual(['COLOUR_CAST']);
    expect(decision.correction).toEqual({ brightness: 50, contrast: 50, saturation: 25, hue: 0 });
    // The same mean chroma in a scene whose colours are strong everywhere is its palette, not a cast.
    expect(decideColourCorrection({ ...cast, saturationMean: 80 }).correction).toBeUndefined();
  });

  it('keeps every level inside the ranges the API reference documents', () => {
    const extremes: ExposureStats[] = [
      { ...brightSky, lumaMean: 17, lumaLow: 16, lumaHigh: 18, chromaBlueMean: 16, chromaRedMean: 240 },
      { ...brightSky, lumaMean: 250, lumaLow: 249, lumaHigh: 251 },
    ];
    for (const stats of extremes) {
      const c = decideColourCorrection(stats).correction!;
      for (const level of [c.brightness, c.contrast, c.saturation]) {
        expect(level).toBeGreaterThanOrEqual(1);
        expect(level).toBeLessThanOrEqual(100);
        expect(Number.isInteger(level)).toBe(true);
      }
      expect(Math.abs(c.hue)).toBeLessThanOrEqual(180);
    }
  });
});

describe('signalstats parsing', () => {
  it('averages the figures of every printed frame and drops incomplete ones', () => {
    const printed = [
      'frame:0    pts:0       pts_time:0',
      'lavfi.signalstats.YMIN=16',
      'lavfi.signalstats.YLOW=40',
      'lavfi.signalstats.YAVG=100',
      'lavfi.signalstats.YHIGH=160',
      'lavfi.signalstats.UAVG=120',
      'lavfi.signalstats.VAVG=130',
      'lavfi.signalstats.SATAVG=10',
      'frame:0    pts:0       pts_time:0',
      'lavfi.signalstats.YLOW=60',
      'lavfi.signalstats.YAVG=120',
      'lavfi.signalstats.YHIGH=180',
      'lavfi.signalstats.UAVG=124',
      'lavfi.signalstats.VAVG=134',
      'lavfi.signalstats.SATAVG=20',
      'frame:0    pts:0       pts_time:0',
      'lavfi.signalstats.YAVG=5',
    ].join('\n');
    const frames = parseSignalStats(printed);
    expect(frames).toHaveLength(2);
    expect(averageExposure(frames)).toEqual({
      lumaMean: 110,
      lumaLow: 50,
      lumaHigh: 170,
      chromaBlueMean: 122,
      chromaRedMean: 132,
      saturationMean: 15,
      frames: 2,
    });
  });
});

describe('toJobSettings with smart colour', () => {
  const context = {
    assetId: 'a1b2c3d4e5',
    inputUri: 's3://uploads-bucket/uploads/a1b2c3d4e5/clip.mp4',
    outputPrefix: 's3://media-bucket/assets/a1b2c3d4e5/',
  };
  const target = { queueArn: 'Default', roleArn: 'arn:aws:iam::123456789012:role/mc' };
  const colour = { brightness: 70, contrast: 80, saturation: 40, hue: 0 };
  const videoDescriptions = (job: any) =>
    job.Settings.OutputGroups.flatMap((group: any) => group.Outputs.map((o: any) => o.VideoDescription));

  it('puts the levels in every video output and frame capture', () => {
    const plan = planLadder(toSourceProbe(anamorphicProbe));
    const job: any = toJobSettings({ ...context, plan, colour }, target);
    const descriptions = videoDescriptions(job);
    expect(descriptions.length).toBeGreaterThan(3);
    for (const description of descriptions) {
      expect(description.VideoPreprocessors.ColorCorrector).toEqual({
        Brightness: 70,
        Contrast: 80,
        Saturation: 40,
        Hue: 0,
      });
    }
  });

  it('writes no colour corrector for an SDR source left untouched', () => {
    const plan = planLadder(toSourceProbe(anamorphicProbe));
    const job: any = toJobSettings({ ...context, plan }, target);
    for (const description of videoDescriptions(job)) expect(description.VideoPreprocessors).toBeUndefined();
  });

  it('keeps the HDR conversion beside the levels', () => {
    const plan = planLadder(toSourceProbe(hdrProbe));
    const job: any = toJobSettings({ ...context, plan, colour }, target);
    const sdr = job.Settings.OutputGroups[0].Outputs.map((o: any) => o.VideoDescription.VideoPreprocessors);
    expect(
      sdr.some((p: any) => p.ColorCorrector.ColorSpaceConversion && p.ColorCorrector.Brightness === 70),
    ).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { defaultLadderConfig, planLadder, SourceRejectedError } from '#domain/media/ladder.ts';
import { toSourceProbe } from '#adapters/media/mediaconvert-probe.ts';
import { anamorphicProbe, hdrProbe, rotatedProbe, silentProbe } from './probe-fixtures.ts';

const sizes = (plan: ReturnType<typeof planLadder>) => plan.renditions.map((r) => `${r.width}x${r.height}`);

describe('planLadder', () => {
  it('never upscales: a 240-line anamorphic source gets one 16:9 rung of 426x240', () => {
    const plan = planLadder(toSourceProbe(anamorphicProbe));
    expect(sizes(plan)).toEqual(['426x240']);
    expect(plan.orientation).toBe('landscape');
  });

  it('gives a portrait source portrait rungs up to its own width', () => {
    const plan = planLadder(toSourceProbe(rotatedProbe));
    expect(sizes(plan)).toEqual(['1080x1920', '720x1280', '540x960', '360x640', '240x426']);
    expect(plan.orientation).toBe('portrait');
    expect(plan.renditions.every((r) => r.height > r.width)).toBe(true);
  });

  it("offers a rung at a 480-line source's own height, since the best standard rung (360) is 25% below it", () => {
    const sd = toSourceProbe({
      ...silentProbe,
      Container: {
        ...silentProbe.Container,
        Tracks: [
          {
            TrackType: 'video',
            Codec: 'AVC',
            VideoProperties: { Width: 854, Height: 480, BitRate: 2_000_000 },
          },
        ],
      },
    });
    const plan = planLadder(sd);
    expect(sizes(plan)).toEqual(['854x480', '640x360', '428x240']);
    expect(plan.renditions[0].nameModifier).toBe('_480p');
    // Between the 540 and 360 rungs' ceilings, from the 540 rung scaled by pixels.
    expect(plan.renditions[0].maxBitrateBps).toBeLessThan(2_000_000);
    expect(plan.renditions[0].maxBitrateBps).toBeGreaterThan(plan.renditions[1].maxBitrateBps);
    // 576 lines: the 540 rung is 6% below, close enough; nothing is added.
    const pal = toSourceProbe({
      ...silentProbe,
      Container: {
        ...silentProbe.Container,
        Tracks: [{ TrackType: 'video', VideoProperties: { Width: 1024, Height: 576 } }],
      },
    });
    expect(sizes(planLadder(pal))[0]).toBe('960x540');
    // Never above the configured ceiling: a 1440-line source under a 1080 ceiling tops out at 1080.
    const qhd = toSourceProbe({
      ...silentProbe,
      Container: {
        ...silentProbe.Container,
        Tracks: [{ TrackType: 'video', VideoProperties: { Width: 2560, Height: 1440 } }],
      },
    });
    expect(sizes(planLadder(qhd))[0]).toBe('1920x1080');
  });

  it('plans video-only outputs for a source without audio', () => {
    const plan = planLadder(toSourceProbe(silentProbe));
    expect(plan.audio).toBeUndefined();
    expect(sizes(plan)).toEqual(['640x360', '426x240']);
  });

  it('normalises loudness to the configured target for a source with audio', () => {
    const plan = planLadder(toSourceProbe(rotatedProbe), { ...defaultLadderConfig, loudnessTargetLkfs: -23 });
    expect(plan.audio).toMatchObject({ channels: 2, loudnessTargetLkfs: -23 });
  });

  it('keeps every rung of an HDR source SDR H.264 and the optional H.265 top rung HDR', () => {
    const plan = planLadder(toSourceProbe(hdrProbe), { ...defaultLadderConfig, hevcTopRung: true });
    const [top, ...rest] = plan.renditions;
    expect(top).toMatchObject({ codec: 'H_265', dynamicRange: 'HDR10', width: 1920, height: 1080 });
    expect(rest.every((r) => r.codec === 'H_264' && r.dynamicRange === 'SDR')).toBe(true);
    expect(plan.sourceDynamicRange).toBe('HDR10');
  });

  it('lowers bit-rate ceilings for a cheap source below the template ceilings', () => {
    const plan = planLadder(toSourceProbe(anamorphicProbe));
    expect(plan.renditions[0].maxBitrateBps).toBeLessThan(500_000);
    expect(plan.renditions[0].maxBitrateBps).toBeGreaterThanOrEqual(150_000);
  });

  it('uses the highest rung not above 720 lines for the MP4 download', () => {
    const plan = planLadder(toSourceProbe(rotatedProbe));
    expect(plan.download).toMatchObject({ width: 720, height: 1280, nameModifier: '_download' });
  });

  it('takes a thumbnail every interval and places the poster a quarter of the way in', () => {
    const plan = planLadder(toSourceProbe(anamorphicProbe), {
      ...defaultLadderConfig,
      thumbnailIntervalSec: 2,
    });
    expect(plan.thumbnails.maxCaptures).toBe(5);
    expect(plan.poster.atSec).toBe(2);
  });

  it('plans only the thumbnails the source has frames for: a 5 s clip gets one every 5 s, not two', () => {
    const fiveSeconds = toSourceProbe({
      ...anamorphicProbe,
      Container: { ...anamorphicProbe.Container, Duration: 5 },
    });
    expect(planLadder(fiveSeconds).thumbnails.maxCaptures).toBe(1);
    const justOver = toSourceProbe({
      ...anamorphicProbe,
      Container: { ...anamorphicProbe.Container, Duration: 5.05 },
    });
    expect(planLadder(justOver).thumbnails.maxCaptures).toBe(2);
  });

  it('rejects a source longer than the configured limit with a readable reason', () => {
    const config = { ...defaultLadderConfig, maxDurationSec: 5 };
    expect(() => planLadder(toSourceProbe(anamorphicProbe), config)).toThrow(/lasts 10 s; the limit is 5 s/);
  });

  it('rejects an empty file and a file without video', () => {
    const empty = toSourceProbe({ Container: { Tracks: [] }, Metadata: { FileSize: 0 } });
    expect(() => planLadder(empty)).toThrow(SourceRejectedError);
    const audioOnly = toSourceProbe({
      Container: { Duration: 3, Tracks: [{ TrackType: 'audio', Codec: 'AAC' }] },
      Metadata: { FileSize: 1000 },
    });
    expect(() => planLadder(audioOnly)).toThrow(/no video track/);
  });
});

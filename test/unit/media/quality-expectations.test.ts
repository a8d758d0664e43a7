import { describe, expect, it } from 'vitest';
import type { RenditionOutput } from '#domain/media/asset.ts';
import { lowVmafFlags, vmafFloor } from '#domain/media/quality-expectations.ts';

const rendition = (height: number, vmaf?: number): RenditionOutput => ({
  uri: `s3://media/hls/master_${height}p.m3u8`,
  codec: 'H_264',
  width: Math.round((height * 16) / 9),
  height,
  maxBitrateBps: 1_000_000,
  vmaf,
});

describe('VMAF floors by rendition scale', () => {
  it('expects less of a rung the smaller it is against the source', () => {
    expect(vmafFloor(1080, 1080)).toBe(60);
    expect(vmafFloor(720, 1080)).toBe(55);
    expect(vmafFloor(540, 1080)).toBe(50);
    expect(vmafFloor(360, 1080)).toBe(35);
    expect(vmafFloor(240, 1080)).toBe(30);
  });

  it('flags only renditions below their floor, and ignores unmeasured ones', () => {
    const flags = lowVmafFlags([rendition(720, 80), rendition(540, 45), rendition(360)], 720);
    expect(flags).toEqual([
      {
        uri: 's3://media/hls/master_540p.m3u8',
        vmaf: 45,
        expectedAtLeast: 55,
        reason: 'VMAF 45.0 is below 55, the floor for a 540-line rendition of a 720-line source',
      },
    ]);
  });
});

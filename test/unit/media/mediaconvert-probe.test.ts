import { describe, expect, it } from 'vitest';
import { toSourceProbe } from '#adapters/media/mediaconvert-probe.ts';
import { anamorphicProbe, hdrProbe, rotatedProbe, silentProbe } from './probe-fixtures.ts';

describe('toSourceProbe', () => {
  it('applies the sample aspect ratio, so 320x240 at SAR 4:3 displays as 427x240 (16:9)', () => {
    const probe = toSourceProbe(anamorphicProbe);
    expect(probe.video).toMatchObject({ displayWidth: 427, displayHeight: 240, storedWidth: 320 });
  });

  it('swaps the axes of a source rotated by a quarter turn', () => {
    const probe = toSourceProbe(rotatedProbe);
    expect(probe.video).toMatchObject({ displayWidth: 1080, displayHeight: 1920, rotationDeg: 270 });
  });

  it('reports a silent source as having no audio and counts its data tracks', () => {
    const probe = toSourceProbe(silentProbe);
    expect(probe.audio).toBeUndefined();
    expect(probe.dataTrackCount).toBe(100);
  });

  it('recognises PQ transfer as HDR10', () => {
    expect(toSourceProbe(hdrProbe).video?.dynamicRange).toBe('HDR10');
  });
});

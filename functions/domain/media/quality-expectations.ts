/**
 * What VMAF a rendition should reach, and the renditions that fall far below. VMAF (model v0.6.1)
 * is computed at the source's display size, so a rung's score falls with its size relative to the
 * source: the expectation is a floor per scale (rendition short side / source short side).
 *
 * The floors are the lowest score this project measured at each scale on the four shared Big Buck
 * Bunny clips (local endpoint, x264 veryfast, default ladder; `npm run bench -- media` prints the
 * figures), minus 6 points: one just-noticeable difference, as VMAF practice reads it (Jan Ozer,
 * "Finding the Just Noticeable Difference with Netflix VMAF", Streaming Learning Center). Measured
 * lows: scale 1: 66.6; 0.67-0.75: 63.9; 0.5: 58.6; 0.33: 42.0; 0.22: 51.3 (one clip). Content
 * matters (animation scores high), so a flag means "look at this rendition", not "broken".
 */
import type { RenditionOutput } from './asset.ts';

export const VMAF_FLOORS: { minScale: number; floor: number }[] = [
  { minScale: 0.9, floor: 60 },
  { minScale: 0.6, floor: 55 },
  { minScale: 0.45, floor: 50 },
  { minScale: 0.3, floor: 35 },
  { minScale: 0, floor: 30 },
];

export interface QualityFlag {
  uri: string;
  vmaf: number;
  /** The floor for the rendition's scale. */
  expectedAtLeast: number;
  reason: string;
}

/** The VMAF floor for a rendition of `shortSide` pixels made from a source of `sourceShortSide`. */
export function vmafFloor(shortSide: number, sourceShortSide: number): number {
  const scale = shortSide / Math.max(1, sourceShortSide);
  return VMAF_FLOORS.find((row) => scale >= row.minScale)!.floor;
}

/** The renditions whose VMAF is below their scale's floor, with the reason. */
export function lowVmafFlags(renditions: RenditionOutput[], sourceShortSide: number): QualityFlag[] {
  return renditions.flatMap((rendition) => {
    if (rendition.vmaf === undefined) return [];
    const shortSide = Math.min(rendition.width, rendition.height);
    const floor = vmafFloor(shortSide, sourceShortSide);
    if (rendition.vmaf >= floor) return [];
    return [
      {
        uri: rendition.uri,
        vmaf: rendition.vmaf,
        expectedAtLeast: floor,
        reason: `VMAF ${rendition.vmaf.toFixed(1)} is below ${floor}, the floor for a ${shortSide}-line rendition of a ${sourceShortSide}-line source`,
      },
    ];
  });
}

/** Picture geometry: output sizes and scale/pad chains under MediaConvert's scaling behaviours. */
import type { VideoEncodeSpec } from './settings/spec.ts';

/** Even number nearest `x`, at least 2 (4:2:0 chroma needs even sizes). */
export function even(x: number): number {
  return Math.max(2, 2 * Math.round(x / 2));
}

/** Output picture size and the scale/pad chain for a target box under a MediaConvert scaling behaviour. */
export function geometry(
  source: { width: number; height: number },
  target: { width?: number; height?: number; scaling: VideoEncodeSpec['scaling'] },
): { width: number; height: number; filter: string } {
  const aspect = source.width / source.height;
  let width = target.width;
  let height = target.height;
  if (!width && !height) {
    width = even(source.width);
    height = even(source.height);
  } else if (!height) height = even(width! / aspect);
  else if (!width) width = even(height * aspect);
  const w = width!;
  const h = height!;
  switch (target.scaling) {
    case 'STRETCH_TO_OUTPUT':
      return { width: w, height: h, filter: `scale=${w}:${h}` };
    case 'FILL':
      return {
        width: w,
        height: h,
        filter: `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}`,
      };
    case 'FIT_NO_UPSCALE': {
      const scale = Math.min(1, w / source.width, h / source.height);
      const fw = even(source.width * scale);
      const fh = even(source.height * scale);
      return { width: fw, height: fh, filter: `scale=${fw}:${fh}` };
    }
    default: {
      // DEFAULT and FIT: fit inside the box keeping the aspect ratio; DEFAULT pads to the box as MediaConvert does.
      const scale = Math.min(w / source.width, h / source.height);
      const fw = Math.min(w, even(source.width * scale));
      const fh = Math.min(h, even(source.height * scale));
      if (target.scaling === 'FIT' || (fw === w && fh === h))
        return { width: fw, height: fh, filter: `scale=${fw}:${fh}` };
      return { width: w, height: h, filter: `scale=${fw}:${fh},pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2` };
    }
  }
}

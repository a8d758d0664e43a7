/**
 * The job's timeline: its inputs and their clippings as segments read in order, and the picture
 * they are joined into. One whole input is read as it is; otherwise each segment is cropped,
 * squared (sample aspect ratio applied) and fitted into the first segment's picture, then the
 * segments are concatenated.
 */
import { JobFailure } from './job-failure.ts';
import type { InputSpec, RectangleSpec, Timecode, TranscodeSpec } from './settings/spec.ts';
import type { SourceFacts } from './source-facts.ts';

export interface Segment {
  /** Index in the job's inputs. */
  input: number;
  file: string;
  facts: SourceFacts;
  /** Seconds into the input; absent means its start or end. */
  startSec?: number;
  endSec?: number;
  crop?: RectangleSpec;
  /** Seconds the segment lasts. */
  durationSec: number;
}

export interface Timeline {
  segments: Segment[];
  /** The joined picture's facts: what every output is scaled from. */
  canvas: SourceFacts;
  /** One whole input without crop: read directly, no concatenation. */
  direct: boolean;
}

const even = (x: number) => Math.max(2, 2 * Math.round(x / 2));

/** Seconds of a timecode at `fps` frames per second. */
function secondsOf(timecode: Timecode, fps: number): number {
  return timecode.hours * 3600 + timecode.minutes * 60 + timecode.seconds + timecode.frames / fps;
}

/** Where the input's timecodes start, seconds: the embedded one (else 0), 0, or timecodeStart. */
function timecodeOrigin(input: InputSpec, facts: SourceFacts): number {
  if (input.timecodeSource === 'SPECIFIEDSTART' && input.timecodeStart)
    return secondsOf(input.timecodeStart, facts.fps);
  const embedded =
    input.timecodeSource === 'EMBEDDED'
      ? /^(\d+):(\d+):(\d+)[:;.](\d+)$/.exec(facts.startTimecode ?? '')
      : null;
  if (!embedded) return 0;
  const [hours, minutes, seconds, frames] = embedded.slice(1).map(Number);
  return secondsOf({ hours, minutes, seconds, frames, text: '' }, facts.fps);
}

function checkCrop(input: InputSpec, facts: SourceFacts): void {
  const crop = input.crop;
  if (!crop) return;
  if (crop.x + crop.width > facts.pixelWidth || crop.y + crop.height > facts.pixelHeight) {
    throw new JobFailure(
      1999,
      `${input.path}.crop ${crop.width}x${crop.height} at ${crop.x},${crop.y} does not fit the ${facts.pixelWidth}x${facts.pixelHeight} input picture`,
    );
  }
}

/** The segments one input contributes: its clippings in order, or the whole of it. */
function segmentsOf(input: InputSpec, index: number, file: string, facts: SourceFacts): Segment[] {
  checkCrop(input, facts);
  if (input.clippings.length === 0) {
    return [{ input: index, file, facts, crop: input.crop, durationSec: facts.durationSec }];
  }
  const origin = timecodeOrigin(input, facts);
  return input.clippings.map((clipping, c) => {
    const at = `${input.path}.inputClippings[${c}]`;
    const startSec = clipping.start ? secondsOf(clipping.start, facts.fps) - origin : 0;
    // The end timecode's frame is included.
    const endSec = clipping.end
      ? secondsOf(clipping.end, facts.fps) - origin + 1 / facts.fps
      : facts.durationSec;
    if (startSec < 0 || startSec >= facts.durationSec) {
      throw new JobFailure(
        1999,
        `${at}.startTimecode ${clipping.start?.text} is outside the input (${facts.durationSec.toFixed(3)} s from ${origin.toFixed(3)} s)`,
      );
    }
    return {
      input: index,
      file,
      facts,
      startSec: startSec > 0 ? startSec : undefined,
      endSec: clipping.end ? Math.min(endSec, facts.durationSec) : undefined,
      crop: input.crop,
      durationSec: Math.min(endSec, facts.durationSec) - startSec,
    };
  });
}

/** A segment's picture after crop and square pixels, before fitting. */
function segmentPicture(segment: Segment): { width: number; height: number } {
  const { facts, crop } = segment;
  if (!crop) return { width: facts.width, height: facts.height };
  return { width: even(crop.width * facts.sar), height: crop.height };
}

/** The timeline of `spec` over its downloaded `files` and their `facts` (both per input). */
export function planTimeline(spec: TranscodeSpec, files: string[], facts: SourceFacts[]): Timeline {
  const segments = spec.inputs.flatMap((input, i) => segmentsOf(input, i, files[i], facts[i]));
  const first = segments[0];
  const direct =
    segments.length === 1 && !first.crop && first.startSec === undefined && first.endSec === undefined;
  if (direct) return { segments, canvas: first.facts, direct };
  const picture = segmentPicture(first);
  return {
    segments,
    direct,
    canvas: {
      ...first.facts,
      width: even(picture.width),
      height: even(picture.height),
      pixelWidth: even(picture.width),
      pixelHeight: even(picture.height),
      sar: 1,
      quarterTurns: 0,
      durationSec: segments.reduce((sum, segment) => sum + segment.durationSec, 0),
    },
  };
}

/** A segment's chain to the canvas: rotation, crop, square pixels, fitted and padded, the canvas rate. */
export function segmentVideoChain(segment: Segment, rotationFilters: string[], canvas: SourceFacts): string {
  const { crop, facts } = segment;
  const chain = [...rotationFilters];
  if (crop) chain.push(`crop=${crop.width}:${crop.height}:${crop.x}:${crop.y}`);
  const picture = segmentPicture(segment);
  if (Math.abs(facts.sar - 1) > 1e-3) chain.push(`scale=${picture.width}:${picture.height}`, 'setsar=1');
  chain.push(
    `scale=${canvas.width}:${canvas.height}:force_original_aspect_ratio=decrease`,
    `pad=${canvas.width}:${canvas.height}:(ow-iw)/2:(oh-ih)/2`,
    'setsar=1',
    `fps=${canvas.fps}`,
  );
  return chain.join(',');
}

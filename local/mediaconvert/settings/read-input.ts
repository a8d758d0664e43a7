/**
 * The job's inputs, in order: the object to read, its rotation, audio selectors, clippings (start
 * and end timecodes) and crop rectangle. Several inputs, and several clippings of one input, are
 * joined in order into one timeline, as the API reference describes InputClippings: "the
 * transcoding service creates the job outputs by stringing the clips together in the order you
 * specify them".
 */
import { BadRequestException } from '../api-errors.ts';
import { parseS3Uri } from '../s3-uri.ts';
import {
  DOCUMENTED_RANGES as R,
  evenIn,
  type Json,
  objectArray,
  refusePresent,
  requireObject,
} from './checks.ts';
import type { ClippingSpec, InputSpec, OutputGroupSpec, RectangleSpec, Timecode } from './spec.ts';

const REFUSED_INPUT_SETTINGS = [
  'imageInserter',
  'decryptionSettings',
  'supplementalImps',
  'videoOverlays',
  'dolbyVisionMetadataXml',
  'position',
];

/**
 * InputClipping.StartTimecode/EndTimecode's pattern in the service model (HH:MM:SS:FF or with `;`);
 * the optional `@rate` suffix it also allows is refused here.
 */
const CLIP_TIMECODE = /^([01][0-9]|2[0-4]):([0-5][0-9]):([0-5][0-9])[:;]([0-9]{2})$/;
/** Input.TimecodeStart's pattern in the service model. */
const START_TIMECODE = /^([0-1]\d|2[0-3]):([0-5]\d):([0-5]\d)[:;]([0-5]\d)$/;

function readTimecode(value: unknown, at: string, pattern: RegExp): Timecode {
  const match = typeof value === 'string' ? pattern.exec(value) : null;
  if (!match)
    throw new BadRequestException(`${at} must be a timecode HH:MM:SS:FF, got ${JSON.stringify(value)}`);
  const [hours, minutes, seconds, frames] = match.slice(1, 5).map(Number);
  return { hours, minutes, seconds, frames, text: value as string };
}

const order = (t: Timecode) => ((t.hours * 60 + t.minutes) * 60 + t.seconds) * 1000 + t.frames;

function readClippings(value: unknown, at: string): ClippingSpec[] {
  return objectArray(value, at).map((clipping, i) => {
    const clipAt = `${at}[${i}]`;
    if (clipping.startTimecode === undefined && clipping.endTimecode === undefined) {
      // "Start timecode or End timecode may be left blank, but not both."
      throw new BadRequestException(`${clipAt}: give startTimecode, endTimecode or both`);
    }
    const start =
      clipping.startTimecode === undefined
        ? undefined
        : readTimecode(clipping.startTimecode, `${clipAt}.startTimecode`, CLIP_TIMECODE);
    const end =
      clipping.endTimecode === undefined
        ? undefined
        : readTimecode(clipping.endTimecode, `${clipAt}.endTimecode`, CLIP_TIMECODE);
    if (start && end && order(end) < order(start)) {
      throw new BadRequestException(
        `${clipAt}.endTimecode ${end.text} is before startTimecode ${start.text}`,
      );
    }
    return { start, end };
  });
}

/** Input.Crop: Rectangle members, even numbers within the documented bounds. */
function readCrop(value: unknown, at: string): RectangleSpec | undefined {
  if (value === undefined) return undefined;
  const crop = requireObject(value, at);
  return {
    x: evenIn(crop.x, `${at}.x`, R.rectangleOffset, 0),
    y: evenIn(crop.y, `${at}.y`, R.rectangleOffset, 0),
    width: evenIn(crop.width, `${at}.width`, R.rectangleSize),
    height: evenIn(crop.height, `${at}.height`, R.rectangleSize),
  };
}

/** Each audio selector's track, 0-based: its first `tracks` entry (1-based on the wire), else track 1. */
function audioTracksOf(selectors: Json, at: string): Record<string, number> {
  const tracks: Record<string, number> = {};
  for (const [name, selector] of Object.entries(requireObject(selectors ?? {}, at))) {
    const listed = requireObject(selector, `${at}.${name}`).tracks;
    const first = Array.isArray(listed) && listed.length > 0 ? listed[0] : 1;
    if (!Number.isInteger(first) || first < 1) {
      throw new BadRequestException(
        `${at}.${name}.tracks[0] must be a track number from 1, got ${JSON.stringify(first)}`,
      );
    }
    tracks[name] = first - 1;
  }
  return tracks;
}

function readTimecodeSource(input: Json, at: string): Pick<InputSpec, 'timecodeSource' | 'timecodeStart'> {
  const source = input.timecodeSource ?? 'EMBEDDED';
  if (!['EMBEDDED', 'ZEROBASED', 'SPECIFIEDSTART'].includes(source)) {
    throw new BadRequestException(
      `${at}.timecodeSource must be EMBEDDED, ZEROBASED or SPECIFIEDSTART, got ${JSON.stringify(source)}`,
    );
  }
  if (source !== 'SPECIFIEDSTART') return { timecodeSource: source };
  return {
    timecodeSource: source,
    timecodeStart: readTimecode(input.timecodeStart, `${at}.timecodeStart`, START_TIMECODE),
  };
}

function readInput(input: Json, at: string): InputSpec {
  refusePresent(input, REFUSED_INPUT_SETTINGS, at, 'not supported by the local endpoint');
  const location = parseS3Uri(input.fileInput, `${at}.fileInput`);
  if (!location.base) throw new BadRequestException(`${at}.fileInput: names no object`);
  return {
    ...location,
    uri: input.fileInput,
    rotate: requireObject(input.videoSelector ?? {}, `${at}.videoSelector`).rotate ?? 'DEGREE_0',
    audioTracks: audioTracksOf(input.audioSelectors, `${at}.audioSelectors`),
    clippings: readClippings(input.inputClippings, `${at}.inputClippings`),
    crop: readCrop(input.crop, `${at}.crop`),
    ...readTimecodeSource(input, at),
    path: at,
  };
}

/** The job's inputs, in order. */
export function readInputs(settings: Json): InputSpec[] {
  const inputs = objectArray(settings.inputs, 'settings.inputs');
  if (inputs.length === 0) throw new BadRequestException('settings.inputs: at least one input is required');
  return inputs.map((input, i) => readInput(input, `settings.inputs[${i}]`));
}

/** Every output's audio selector must exist in every input (each input maps it to its own track). */
export function checkAudioSelectors(inputs: InputSpec[], groups: OutputGroupSpec[]): void {
  for (const output of groups.flatMap((group) => group.outputs)) {
    const name = output.audio?.selectorName;
    if (name === undefined) continue;
    const lacking = inputs.find((input) => !(name in input.audioTracks));
    if (lacking) {
      throw new BadRequestException(
        `${output.path}.audioDescriptions[0].audioSourceName: no audio selector named "${name}" in ${lacking.path}`,
      );
    }
  }
}

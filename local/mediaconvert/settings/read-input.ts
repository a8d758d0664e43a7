/** The job's inputs: the object to read, its rotation and its audio selectors. */
import { BadRequestException } from '../api-errors.ts';
import { parseS3Uri } from '../s3-uri.ts';
import { type Json, objectArray, refusePresent, requireObject } from './checks.ts';
import type { InputSpec, OutputGroupSpec } from './spec.ts';

const REFUSED_INPUT_SETTINGS = [
  'inputClippings',
  'imageInserter',
  'decryptionSettings',
  'supplementalImps',
  'videoOverlays',
  'dolbyVisionMetadataXml',
];

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

function readInput(input: Json, at: string): InputSpec {
  refusePresent(input, REFUSED_INPUT_SETTINGS, at, 'not supported by the local endpoint');
  const location = parseS3Uri(input.fileInput, `${at}.fileInput`);
  if (!location.base) throw new BadRequestException(`${at}.fileInput: names no object`);
  return {
    ...location,
    uri: input.fileInput,
    rotate: input.videoSelector?.rotate ?? 'DEGREE_0',
    audioTracks: audioTracksOf(input.audioSelectors, `${at}.audioSelectors`),
    path: at,
  };
}

/** The job's inputs, in order. */
export function readInputs(settings: Json): InputSpec[] {
  const inputs = objectArray(settings.inputs, 'settings.inputs');
  if (inputs.length !== 1) {
    throw new BadRequestException('settings.inputs: the local endpoint transcodes exactly one input per job');
  }
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

/**
 * Reads MediaConvert job settings (wire shape, lowerCamelCase) into what the local endpoint will do.
 * Structural features it cannot reproduce (other output group types, containers, codecs, clipping,
 * captions, overlays, encryption...) are refused with a BadRequestException naming the setting;
 * tuning knobs that only change how well something is encoded (AQ modes, HRD fill, PIDs...) are
 * accepted and left to x264/x265 defaults. See README.md for the list.
 */
import { BadRequestException } from '../api-errors.ts';
import type { PresetLookup } from '../presets.ts';
import { parseS3Uri, refuseParentSegments } from '../s3-uri.ts';
import {
  DOCUMENTED_RANGES as R,
  type Json,
  numberIn,
  objectArray,
  refusePresent,
  requireObject,
} from './checks.ts';
import { checkAudioSelectors, readInputs } from './read-input.ts';
import { readOutput } from './read-output.ts';
import type { OutputGroupSpec, OutputSpec, TranscodeSpec } from './spec.ts';

const REFUSED_JOB_SETTINGS = [
  'motionImageInserter',
  'nielsenNonLinearWatermark',
  'kantarWatermark',
  'esam',
  'extendedDataServices',
];
const REFUSED_HLS_SETTINGS = ['encryption', 'captionLanguageMappings', 'adMarkers', 'imageBasedTrickPlay'];

/** HLS settings the local endpoint cannot reproduce. */
function refuseHlsFeatures(hls: Json, at: string): void {
  refusePresent(hls, REFUSED_HLS_SETTINGS, at, 'not supported by the local endpoint');
  if (hls.segmentControl === 'SINGLE_FILE') {
    throw new BadRequestException(`${at}.segmentControl: SINGLE_FILE (byte ranges) is not supported locally`);
  }
}

/** Two outputs of a group must not write the same file. */
function refuseSharedNames(specs: OutputSpec[], at: string): void {
  const modifiers = specs.map((s) => `${s.nameModifier}.${s.extension}`);
  const duplicate = modifiers.find((m, i) => modifiers.indexOf(m) !== i);
  if (duplicate !== undefined)
    throw new BadRequestException(`${at}.outputs: two outputs would share the name modifier "${duplicate}"`);
}

/** One output group: its type, destination, segment length and outputs. */
function readOutputGroup(group: Json, at: string, presets: PresetLookup): OutputGroupSpec {
  requireObject(group, at);
  const type = requireObject(group.outputGroupSettings ?? {}, `${at}.outputGroupSettings`).type;
  if (type !== 'HLS_GROUP_SETTINGS' && type !== 'FILE_GROUP_SETTINGS') {
    throw new BadRequestException(
      `${at}.outputGroupSettings.type: ${JSON.stringify(type)} is not supported by the local endpoint (HLS_GROUP_SETTINGS, FILE_GROUP_SETTINGS)`,
    );
  }
  const hls = requireObject(
    group.outputGroupSettings.hlsGroupSettings ?? {},
    `${at}.outputGroupSettings.hlsGroupSettings`,
  );
  if (type === 'HLS_GROUP_SETTINGS') refuseHlsFeatures(hls, `${at}.outputGroupSettings.hlsGroupSettings`);
  const settingsName = type === 'HLS_GROUP_SETTINGS' ? 'hlsGroupSettings' : 'fileGroupSettings';
  const destination = parseS3Uri(
    group.outputGroupSettings[settingsName]?.destination,
    `${at}.outputGroupSettings.${settingsName}.destination`,
  );
  const groupType = type === 'HLS_GROUP_SETTINGS' ? 'HLS_GROUP' : 'FILE_GROUP';
  const outputs = objectArray(group.outputs, `${at}.outputs`);
  if (outputs.length === 0) throw new BadRequestException(`${at}.outputs: at least one output is required`);
  const specs = outputs.map((output: Json, o: number) =>
    readOutput(output, groupType, presets, `${at}.outputs[${o}]`),
  );
  refuseSharedNames(specs, at);
  for (const [o, spec] of specs.entries()) {
    refuseParentSegments(`${destination.key}${spec.nameModifier}`, `${at}.outputs[${o}].nameModifier`);
  }
  return {
    type: groupType,
    destination,
    segmentSec: numberIn(
      hls.segmentLength,
      `${at}.outputGroupSettings.hlsGroupSettings.segmentLength`,
      R.segmentLength,
      {
        fallback: 10,
      },
    ),
    outputs: specs,
  };
}

/** Reads a CreateJob body's settings into a TranscodeSpec, or throws BadRequestException. */
export function readJobSettings(settings: Json, presets: PresetLookup): TranscodeSpec {
  if (!settings || typeof settings !== 'object') throw new BadRequestException('settings is required');
  refusePresent(settings, REFUSED_JOB_SETTINGS, 'settings', 'not supported by the local endpoint');
  const inputs = readInputs(settings);
  const groupSettings = objectArray(settings.outputGroups, 'settings.outputGroups');
  if (groupSettings.length === 0)
    throw new BadRequestException('settings.outputGroups: at least one output group is required');
  const groups = groupSettings.map((group, g) =>
    readOutputGroup(group, `settings.outputGroups[${g}]`, presets),
  );
  checkAudioSelectors(inputs, groups);
  return { inputs, groups };
}

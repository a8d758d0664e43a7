/**
 * Reads MediaConvert job settings (wire shape, lowerCamelCase) into what the local endpoint will do.
 * Structural features it cannot reproduce (other output group types, containers, codecs, clipping,
 * captions, overlays, encryption...) are refused with a BadRequestException naming the setting;
 * tuning knobs that only change how well something is encoded (AQ modes, HRD fill, PIDs...) are
 * accepted and left to x264/x265 defaults. See README.md for the list.
 */
import { BadRequestException } from '../api-errors.ts';
import type { PresetLookup } from '../presets.ts';
import { type Json, objectArray, refusePresent } from './checks.ts';
import { checkAudioSelectors, readInputs } from './read-input.ts';
import { readOutputGroup } from './read-output-group.ts';
import type { TranscodeSpec } from './spec.ts';

const REFUSED_JOB_SETTINGS = [
  'motionImageInserter',
  'nielsenNonLinearWatermark',
  'kantarWatermark',
  'esam',
  'extendedDataServices',
];
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

/**
 * One output group: HLS (TS renditions and a master playlist), file (MP4, frame captures), DASH ISO
 * (an MPD over fragmented MP4) or CMAF (fragmented MP4 with an HLS and a DASH manifest).
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
import { readOutput } from './read-output.ts';
import type { OutputGroupSpec, OutputSpec } from './spec.ts';

interface GroupKind {
  type: OutputGroupSpec['type'];
  settingsName: string;
  /** The API's default SegmentLength, seconds (HLS and CMAF 10, DASH ISO 30). */
  defaultSegmentSec: number;
  refused: string[];
}

const GROUP_KINDS: Record<string, GroupKind> = {
  HLS_GROUP_SETTINGS: {
    type: 'HLS_GROUP',
    settingsName: 'hlsGroupSettings',
    defaultSegmentSec: 10,
    refused: ['encryption', 'captionLanguageMappings', 'adMarkers', 'imageBasedTrickPlay'],
  },
  FILE_GROUP_SETTINGS: {
    type: 'FILE_GROUP',
    settingsName: 'fileGroupSettings',
    defaultSegmentSec: 10,
    refused: [],
  },
  DASH_ISO_GROUP_SETTINGS: {
    type: 'DASH_ISO_GROUP',
    settingsName: 'dashIsoGroupSettings',
    defaultSegmentSec: 30,
    refused: ['encryption', 'imageBasedTrickPlay'],
  },
  CMAF_GROUP_SETTINGS: {
    type: 'CMAF_GROUP',
    settingsName: 'cmafGroupSettings',
    defaultSegmentSec: 10,
    refused: ['encryption', 'imageBasedTrickPlay', 'additionalManifests'],
  },
};

/** Two outputs of a group must not write the same file. */
function refuseSharedNames(specs: OutputSpec[], at: string): void {
  const modifiers = specs.map((s) => `${s.nameModifier}.${s.extension}`);
  const duplicate = modifiers.find((m, i) => modifiers.indexOf(m) !== i);
  if (duplicate !== undefined)
    throw new BadRequestException(`${at}.outputs: two outputs would share the name modifier "${duplicate}"`);
}

/** The group's segmenting: segment and fragment lengths (seconds) and which manifests a CMAF group writes. */
function readSegmenting(kind: GroupKind, settings: Json, settingsAt: string) {
  refusePresent(settings, kind.refused, settingsAt, 'not supported by the local endpoint');
  if (settings.segmentControl === 'SINGLE_FILE') {
    throw new BadRequestException(
      `${settingsAt}.segmentControl: SINGLE_FILE (byte ranges) is not supported locally`,
    );
  }
  const segmentSec = numberIn(settings.segmentLength, `${settingsAt}.segmentLength`, R.segmentLength, {
    fallback: kind.defaultSegmentSec,
  });
  const packaged = kind.type === 'DASH_ISO_GROUP' || kind.type === 'CMAF_GROUP';
  return {
    segmentSec,
    // Keyframes every fragment: the API's default FragmentLength is 2 s.
    fragmentSec: packaged
      ? Math.min(
          segmentSec,
          numberIn(settings.fragmentLength, `${settingsAt}.fragmentLength`, R.segmentLength, { fallback: 2 }),
        )
      : undefined,
    writeHls: kind.type === 'CMAF_GROUP' && settings.writeHlsManifest !== 'DISABLED',
    writeDash:
      kind.type === 'DASH_ISO_GROUP' ||
      (kind.type === 'CMAF_GROUP' && settings.writeDashManifest !== 'DISABLED'),
  };
}

/** One output group: its type, destination, segmenting and outputs. */
export function readOutputGroup(group: Json, at: string, presets: PresetLookup): OutputGroupSpec {
  requireObject(group, at);
  const groupSettings = requireObject(group.outputGroupSettings ?? {}, `${at}.outputGroupSettings`);
  const kind = GROUP_KINDS[groupSettings.type];
  if (!kind) {
    throw new BadRequestException(
      `${at}.outputGroupSettings.type: ${JSON.stringify(groupSettings.type)} is not supported by the local endpoint (${Object.keys(GROUP_KINDS).join(', ')})`,
    );
  }
  const settingsAt = `${at}.outputGroupSettings.${kind.settingsName}`;
  const settings = requireObject(groupSettings[kind.settingsName] ?? {}, settingsAt);
  const destination = parseS3Uri(settings.destination, `${settingsAt}.destination`);
  const outputs = objectArray(group.outputs, `${at}.outputs`);
  if (outputs.length === 0) throw new BadRequestException(`${at}.outputs: at least one output is required`);
  const specs = outputs.map((output, o) => readOutput(output, kind.type, presets, `${at}.outputs[${o}]`));
  refuseSharedNames(specs, at);
  for (const [o, spec] of specs.entries()) {
    refuseParentSegments(`${destination.key}${spec.nameModifier}`, `${at}.outputs[${o}].nameModifier`);
  }
  return { type: kind.type, destination, ...readSegmenting(kind, settings, settingsAt), outputs: specs };
}

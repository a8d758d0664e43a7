/** An output's audioDescriptions into one AAC encode of a selected input track. */
import { BadRequestException } from '../api-errors.ts';
import type { AudioEncodeSpec } from './spec.ts';
import {
  DOCUMENTED_RANGES as R,
  type Json,
  numberIn,
  objectArray,
  refusePresent,
  requireObject,
} from './checks.ts';

/** Reads the (single) audio description of an output; the job checks its selector against every input. */
export function readAudio(descriptions: Json, at: string): AudioEncodeSpec | undefined {
  const list = objectArray(descriptions, `${at}.audioDescriptions`);
  if (list.length === 0) return undefined;
  if (list.length > 1) {
    throw new BadRequestException(
      `${at}.audioDescriptions: the local endpoint muxes one audio track per output`,
    );
  }
  const description = list[0];
  const descriptionAt = `${at}.audioDescriptions[0]`;
  refusePresent(
    description,
    ['remixSettings'],
    descriptionAt,
    'not supported by the local endpoint; use codingMode',
  );
  const codecSettings = requireObject(description.codecSettings ?? {}, `${descriptionAt}.codecSettings`);
  if (codecSettings.codec !== 'AAC') {
    throw new BadRequestException(
      `${descriptionAt}.codecSettings.codec: ${JSON.stringify(codecSettings.codec)} is not supported by the local endpoint (AAC)`,
    );
  }
  const aac = requireObject(codecSettings.aacSettings ?? {}, `${descriptionAt}.codecSettings.aacSettings`);
  const channelsByMode: Record<string, number> = {
    CODING_MODE_1_0: 1,
    CODING_MODE_2_0: 2,
    CODING_MODE_5_1: 6,
  };
  const mode = aac.codingMode ?? 'CODING_MODE_2_0';
  if (!(mode in channelsByMode)) {
    throw new BadRequestException(
      `${descriptionAt}.codecSettings.aacSettings.codingMode: ${mode} is not supported`,
    );
  }
  const normalization = description.audioNormalizationSettings;
  const corrects = normalization && normalization.algorithmControl !== 'MEASURE_ONLY';
  return {
    selectorName: description.audioSourceName ?? 'Audio Selector 1',
    bitrate: numberIn(aac.bitrate, `${descriptionAt}.codecSettings.aacSettings.bitrate`, R.aacBitrate, {
      fallback: 96_000,
    }),
    channels: channelsByMode[mode],
    sampleRate: numberIn(
      aac.sampleRate,
      `${descriptionAt}.codecSettings.aacSettings.sampleRate`,
      R.aacSampleRate,
      {
        fallback: 48_000,
      },
    ),
    loudnessTarget: corrects
      ? numberIn(
          normalization.targetLkfs,
          `${descriptionAt}.audioNormalizationSettings.targetLkfs`,
          R.targetLkfs,
          {
            fallback: -24,
            fractional: true,
          },
        )
      : undefined,
  };
}

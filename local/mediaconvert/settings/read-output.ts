/** One output of a group: its container decides the kind (HLS rendition, MP4 file, frame captures). */
import { BadRequestException } from '../api-errors.ts';
import { type Json, refusePresent } from './checks.ts';
import { readAudio } from './read-audio.ts';
import { readVideo } from './read-video.ts';
import type { OutputGroupSpec, OutputSpec } from './spec.ts';

/** Reads one output of a group of `groupType`; `at` names it in error messages. */
export function readOutput(
  output: Json,
  groupType: OutputGroupSpec['type'],
  selectors: Record<string, Json>,
  at: string,
): OutputSpec {
  if (output?.preset !== undefined)
    throw new BadRequestException(`${at}.preset: output presets are not supported locally`);
  refusePresent(output, ['captionDescriptions'], at, 'captions are not supported by the local endpoint');
  const container = output?.containerSettings?.container ?? (groupType === 'HLS_GROUP' ? 'M3U8' : undefined);
  const nameModifier = output?.nameModifier ?? '';
  const video = output?.videoDescription
    ? readVideo(output.videoDescription, `${at}.videoDescription`)
    : undefined;
  if (groupType === 'HLS_GROUP') {
    if (container !== 'M3U8')
      throw new BadRequestException(
        `${at}.containerSettings.container: HLS outputs use M3U8, got ${container}`,
      );
    if (!video || !('codec' in video))
      throw new BadRequestException(
        `${at}.videoDescription: the local endpoint's HLS outputs need H_264 or H_265 video`,
      );
    return {
      kind: 'hls',
      nameModifier,
      extension: 'm3u8',
      video,
      audio: readAudio(output.audioDescriptions, selectors, at),
      path: at,
    };
  }
  if (container === 'MP4') {
    if (video && !('codec' in video))
      throw new BadRequestException(
        `${at}.videoDescription.codecSettings.codec: FRAME_CAPTURE needs container RAW`,
      );
    const audio = readAudio(output.audioDescriptions, selectors, at);
    if (!video && !audio) throw new BadRequestException(`${at}: an MP4 output needs video or audio`);
    return { kind: 'mp4', nameModifier, extension: output.extension ?? 'mp4', video, audio, path: at };
  }
  if (container === 'RAW') {
    if (!video || 'codec' in video)
      throw new BadRequestException(
        `${at}.videoDescription.codecSettings.codec: RAW outputs must be FRAME_CAPTURE locally`,
      );
    return { kind: 'frames', nameModifier, extension: output.extension ?? 'jpg', frames: video, path: at };
  }
  throw new BadRequestException(
    `${at}.containerSettings.container: ${JSON.stringify(container)} is not supported by the local endpoint (M3U8, MP4, RAW)`,
  );
}

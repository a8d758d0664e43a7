/**
 * One output of a group: a named preset supplies its settings, then its container decides the kind
 * (HLS rendition, MP4 file, frame captures).
 */
import { BadRequestException } from '../api-errors.ts';
import type { PresetLookup } from '../presets.ts';
import { type Json, refusePresent, requireObject } from './checks.ts';
import { readAudio } from './read-audio.ts';
import { readVideo } from './read-video.ts';
import type {
  AudioEncodeSpec,
  FrameCaptureSpec,
  OutputGroupSpec,
  OutputSpec,
  VideoEncodeSpec,
} from './spec.ts';

/**
 * The output's settings with its preset's applied: the API reference says an output names "either
 * Preset or Container settings, but not both"; the output's own video and audio descriptions, name
 * modifier and extension still apply over the preset's.
 */
export function withPreset(output: Json, presets: PresetLookup, at: string): Json {
  if (output.preset === undefined) return output;
  if (output.containerSettings !== undefined) {
    throw new BadRequestException(`${at}: specify either preset or containerSettings, not both`);
  }
  const settings = typeof output.preset === 'string' ? presets.settingsOf(output.preset) : undefined;
  if (!settings)
    throw new BadRequestException(`${at}.preset: there is no preset named ${JSON.stringify(output.preset)}`);
  const { preset: _name, ...own } = output;
  return { ...settings, ...own };
}

/** The group an output with this container belongs in (how a preset's settings are checked). */
function groupTypeFor(container: unknown): OutputGroupSpec['type'] {
  const byContainer: Record<string, OutputGroupSpec['type']> = {
    M3U8: 'HLS_GROUP',
    MPD: 'DASH_ISO_GROUP',
    CMFC: 'CMAF_GROUP',
  };
  return byContainer[String(container)] ?? 'FILE_GROUP';
}

const PACKAGED_CONTAINERS: Partial<Record<OutputGroupSpec['type'], string>> = {
  DASH_ISO_GROUP: 'MPD',
  CMAF_GROUP: 'CMFC',
};

/** CreatePreset's check: the settings read as one output of the group their container belongs in. */
export function checkPresetSettings(presets: PresetLookup) {
  return (settings: Json, at: string): void => {
    if (settings.preset !== undefined)
      throw new BadRequestException(`${at}.preset: a preset cannot name another`);
    readOutput(settings, groupTypeFor(settings.containerSettings?.container), presets, at);
  };
}

/** What every kind of output is read from: its name, container, video and audio. */
interface OutputParts {
  at: string;
  nameModifier: string;
  extension?: string;
  container: unknown;
  video?: VideoEncodeSpec | FrameCaptureSpec;
  audio?: AudioEncodeSpec;
}

const isEncode = (video: OutputParts['video']): video is VideoEncodeSpec =>
  video !== undefined && 'codec' in video;

function hlsOutput({ at, nameModifier, container, video, audio }: OutputParts): OutputSpec {
  if (container !== 'M3U8')
    throw new BadRequestException(
      `${at}.containerSettings.container: HLS outputs use M3U8, got ${container}`,
    );
  if (!isEncode(video))
    throw new BadRequestException(
      `${at}.videoDescription: the local endpoint's HLS outputs need H_264 or H_265 video`,
    );
  return { kind: 'hls', nameModifier, extension: 'm3u8', video, audio, path: at };
}

/** A DASH/CMAF output is one representation: the service takes video or audio in it, not both. */
function packagedOutput(
  { at, nameModifier, container, video, audio }: OutputParts,
  expected: string,
): OutputSpec {
  if (container !== expected)
    throw new BadRequestException(
      `${at}.containerSettings.container: this group's outputs use ${expected}, got ${container}`,
    );
  if (video && !isEncode(video))
    throw new BadRequestException(
      `${at}.videoDescription.codecSettings.codec: FRAME_CAPTURE needs container RAW`,
    );
  if (Boolean(video) === Boolean(audio))
    throw new BadRequestException(
      `${at}: a ${expected} output carries either video or audio, not both or neither`,
    );
  return {
    kind: 'packaged',
    nameModifier,
    extension: 'mpd',
    video: video as VideoEncodeSpec | undefined,
    audio,
    path: at,
  };
}

/** A file group's output: an MP4, or JPEG frame captures in a RAW container. */
function fileOutput({ at, nameModifier, extension, container, video, audio }: OutputParts): OutputSpec {
  if (container === 'MP4') {
    if (video && !isEncode(video))
      throw new BadRequestException(
        `${at}.videoDescription.codecSettings.codec: FRAME_CAPTURE needs container RAW`,
      );
    if (!video && !audio) throw new BadRequestException(`${at}: an MP4 output needs video or audio`);
    return {
      kind: 'mp4',
      nameModifier,
      extension: extension ?? 'mp4',
      video: video as VideoEncodeSpec | undefined,
      audio,
      path: at,
    };
  }
  if (container === 'RAW') {
    if (!video || isEncode(video))
      throw new BadRequestException(
        `${at}.videoDescription.codecSettings.codec: RAW outputs must be FRAME_CAPTURE locally`,
      );
    return { kind: 'frames', nameModifier, extension: extension ?? 'jpg', frames: video, path: at };
  }
  throw new BadRequestException(
    `${at}.containerSettings.container: ${JSON.stringify(container)} is not supported by the local endpoint (M3U8, MP4, RAW, MPD, CMFC)`,
  );
}

/** Reads one output of a group of `groupType`; `at` names it in error messages. */
export function readOutput(
  outputSettings: Json,
  groupType: OutputGroupSpec['type'],
  presets: PresetLookup,
  at: string,
): OutputSpec {
  const output = withPreset(requireObject(outputSettings, at), presets, at);
  refusePresent(output, ['captionDescriptions'], at, 'captions are not supported by the local endpoint');
  const packagedContainer = PACKAGED_CONTAINERS[groupType];
  const parts: OutputParts = {
    at,
    nameModifier: output.nameModifier ?? '',
    extension: output.extension,
    container:
      output.containerSettings?.container ?? (groupType === 'HLS_GROUP' ? 'M3U8' : packagedContainer),
    video: output.videoDescription ? readVideo(output.videoDescription, `${at}.videoDescription`) : undefined,
    audio: readAudio(output.audioDescriptions, at),
  };
  if (groupType === 'HLS_GROUP') return hlsOutput(parts);
  if (packagedContainer) return packagedOutput(parts, packagedContainer);
  return fileOutput(parts);
}

/**
 * Reads MediaConvert's Probe response (the SDK's `ProbeResult`) into the source facts the planner
 * uses, already corrected for rotation and sample aspect ratio. The wire format stays here; the
 * domain sees only `SourceProbe`.
 */
import type { ProbeResult, Track } from '@aws-sdk/client-mediaconvert';
import type { DynamicRange, SourceProbe, SourceVideo } from '#domain/media/probe.ts';

const HDR10_TRANSFER = new Set(['SMPTE_2084']);
const HLG_TRANSFER = new Set(['ARIB_B67']);

/** Normalises any rotation in degrees (MediaConvert reports e.g. -90) to a clockwise quarter turn. */
export function normaliseRotation(degrees: number | undefined): 0 | 90 | 180 | 270 {
  const quarter = Math.round(((((degrees ?? 0) % 360) + 360) % 360) / 90) % 4;
  return (quarter * 90) as 0 | 90 | 180 | 270;
}

function dynamicRangeOf(transfer: string | undefined): DynamicRange {
  if (transfer && HDR10_TRANSFER.has(transfer)) return 'HDR10';
  if (transfer && HLG_TRANSFER.has(transfer)) return 'HLG';
  return 'SDR';
}

/** Flattens a MediaConvert Probe result into the source facts the planner uses. */
export function toSourceProbe(result: ProbeResult): SourceProbe {
  const tracks = result.Container?.Tracks ?? [];
  const videoTrack = tracks.find((t) => t.TrackType === 'video' && t.VideoProperties);
  const audioTracks = tracks.filter((t) => t.TrackType === 'audio');
  const firstAudio = audioTracks[0];
  const trackDurations = tracks.map((t) => t.Duration ?? 0);
  const durationSec = result.Container?.Duration ?? Math.max(0, ...trackDurations);
  return {
    container: result.Container?.Format ?? 'unknown',
    durationSec,
    sizeBytes: result.Metadata?.FileSize ?? 0,
    video: videoTrack ? toSourceVideo(videoTrack) : undefined,
    audio: firstAudio
      ? {
          codec: firstAudio.Codec ?? 'UNKNOWN',
          channels: firstAudio.AudioProperties?.Channels ?? 2,
          sampleRate: firstAudio.AudioProperties?.SampleRate ?? 48_000,
          languageCode: firstAudio.AudioProperties?.LanguageCode,
        }
      : undefined,
    audioTrackCount: audioTracks.length,
    dataTrackCount: tracks.filter((t) => t.TrackType === 'data').length,
  };
}

function toSourceVideo(track: Track): SourceVideo {
  const props = track.VideoProperties ?? {};
  const storedWidth = props.Width ?? 0;
  const storedHeight = props.Height ?? 0;
  const sarNum = props.SampleAspectRatio?.Numerator || 1;
  const sarDen = props.SampleAspectRatio?.Denominator || 1;
  const rotationDeg = normaliseRotation(props.Rotation);
  // SAR stretches the stored width; a quarter turn then swaps the axes.
  const unrotatedWidth = Math.round((storedWidth * sarNum) / sarDen);
  const quarterTurn = rotationDeg === 90 || rotationDeg === 270;
  const fps =
    props.FrameRate?.Numerator && props.FrameRate.Denominator
      ? props.FrameRate.Numerator / props.FrameRate.Denominator
      : 0;
  return {
    codec: track.Codec ?? 'UNKNOWN',
    storedWidth,
    storedHeight,
    displayWidth: quarterTurn ? storedHeight : unrotatedWidth,
    displayHeight: quarterTurn ? unrotatedWidth : storedHeight,
    displayAspect:
      storedHeight && storedWidth
        ? quarterTurn
          ? (storedHeight * sarDen) / (storedWidth * sarNum)
          : (storedWidth * sarNum) / (storedHeight * sarDen)
        : 1,
    rotationDeg,
    sampleAspectRatio: { num: sarNum, den: sarDen },
    frameRate: fps,
    bitDepth: props.BitDepth ?? 8,
    bitRateBps: props.BitRate ?? 0,
    dynamicRange: dynamicRangeOf(props.TransferCharacteristics),
    colorPrimaries: props.ColorPrimaries,
    transferCharacteristics: props.TransferCharacteristics,
  };
}

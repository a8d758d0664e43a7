/** What the command builder needs to know about an input, read from ffprobe. */
import { type FfprobeResult, frameRateOf, rotationOf } from './ffprobe.ts';
import type { Rotation } from './settings/spec.ts';

export interface SourceFacts {
  /** Display size after rotation and SAR, square pixels. */
  width: number;
  height: number;
  /** Stored picture size after rotation, before the sample aspect ratio: the grid crop rectangles use. */
  pixelWidth: number;
  pixelHeight: number;
  /** Pixel aspect of the stored picture. */
  sar: number;
  /** Frames per second (24 if unknown). */
  fps: number;
  /** Seconds. */
  durationSec: number;
  audioStreams: number;
  hdr: boolean;
  /** ffprobe's color_transfer of the video, e.g. smpte2084. */
  transfer?: string;
  /** Clockwise quarter turns ffmpeg's autorotation will apply (0 when DEGREE_0 is asked). */
  quarterTurns: number;
  /** The container's or video stream's start timecode (HH:MM:SS:FF), when it has one. */
  startTimecode?: string;
}

/** What the command builder needs to know about the input, or undefined when it has no video. */
export function sourceFacts(probe: FfprobeResult, rotate: Rotation): SourceFacts | undefined {
  const video = probe.streams.find((s) => s.codec_type === 'video' && (s.width ?? 0) > 0);
  if (!video) return undefined;
  const [sarNum, sarDen] = (
    video.sample_aspect_ratio && video.sample_aspect_ratio !== '0:1' ? video.sample_aspect_ratio : '1:1'
  )
    .split(':')
    .map(Number);
  const sar = sarNum > 0 && sarDen > 0 ? sarNum / sarDen : 1;
  const width = Math.round(video.width! * sar);
  const height = video.height!;
  const autoTurns = Math.round((((-rotationOf(video) % 360) + 360) % 360) / 90) % 4;
  const turns =
    rotate === 'AUTO' ? autoTurns : { DEGREE_0: 0, DEGREE_90: 1, DEGREE_180: 2, DEGREE_270: 3 }[rotate];
  const swap = turns % 2 === 1;
  return {
    width: swap ? height : width,
    height: swap ? width : height,
    pixelWidth: swap ? video.height! : video.width!,
    pixelHeight: swap ? video.width! : video.height!,
    sar,
    fps: frameRateOf(video) || 24,
    durationSec: Number(probe.format.duration ?? video.duration ?? 0),
    audioStreams: probe.streams.filter((s) => s.codec_type === 'audio').length,
    hdr: ['smpte2084', 'arib-std-b67'].includes(video.color_transfer ?? ''),
    transfer: video.color_transfer,
    quarterTurns: turns,
    startTimecode: video.tags?.timecode ?? probe.format.tags?.timecode,
  };
}

/**
 * What Marquee knows about an uploaded source, already corrected for rotation and sample aspect
 * ratio. The transcoder adapter reads it from the service's probe (MediaConvert's Probe API).
 */

export type DynamicRange = 'SDR' | 'HDR10' | 'HLG';

export interface SourceVideo {
  codec: string;
  /** Stored (coded) size in pixels, before rotation and SAR. */
  storedWidth: number;
  storedHeight: number;
  /** Size as a player shows it: SAR applied, then rotation; square pixels. */
  displayWidth: number;
  displayHeight: number;
  /** Display width / display height, exact (not from the rounded sizes). */
  displayAspect: number;
  /** Clockwise degrees a player rotates the picture: 0, 90, 180 or 270. */
  rotationDeg: 0 | 90 | 180 | 270;
  sampleAspectRatio: { num: number; den: number };
  /** Frames per second. */
  frameRate: number;
  bitDepth: number;
  /** Bits/s; 0 if the container does not say. */
  bitRateBps: number;
  dynamicRange: DynamicRange;
  colorPrimaries?: string;
  transferCharacteristics?: string;
}

export interface SourceAudio {
  codec: string;
  channels: number;
  /** Hz. */
  sampleRate: number;
  languageCode?: string;
}

export interface SourceProbe {
  container: string;
  /** Seconds. */
  durationSec: number;
  /** Bytes. */
  sizeBytes: number;
  /** Absent for a file with no video track. */
  video?: SourceVideo;
  /** The first audio track; absent when the source is silent. */
  audio?: SourceAudio;
  audioTrackCount: number;
  dataTrackCount: number;
}

/**
 * What the local endpoint will do for a job, read from its settings: the input, and per output group
 * the outputs with their video, audio or frame-capture encoding.
 */

export interface S3Location {
  bucket: string;
  /** Key prefix, '' or ending in '/'. */
  prefix: string;
  /** File base name; undefined means "the input's base name". */
  base?: string;
}

/**
 * ColorCorrector levels as the API takes them: brightness, contrast and saturation 1-100 (50 leaves
 * the picture as it is), hue -180-180 degrees (0 leaves it).
 */
export interface ColorCorrection {
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
}

export interface VideoEncodeSpec {
  codec: 'H_264' | 'H_265';
  width?: number;
  height?: number;
  scaling: 'DEFAULT' | 'STRETCH_TO_OUTPUT' | 'FIT' | 'FIT_NO_UPSCALE' | 'FILL';
  rateControl: 'QVBR' | 'VBR' | 'CBR';
  qvbrQuality?: number;
  bitrate?: number;
  maxBitrate?: number;
  bufferSize?: number;
  gop: { size: number; units: 'FRAMES' | 'SECONDS' };
  profile?: string;
  frameRate?: { numerator: number; denominator: number };
  toneMapTo709: boolean;
  par?: { numerator: number; denominator: number };
  /** Absent when the output asks for no change. */
  color?: ColorCorrection;
}

export interface AudioEncodeSpec {
  /** The input audio selector it encodes; each input maps the name to one of its audio tracks. */
  selectorName: string;
  bitrate: number;
  channels: number;
  sampleRate: number;
  /** LKFS target when loudness correction was asked for. */
  loudnessTarget?: number;
}

export interface FrameCaptureSpec {
  width?: number;
  height?: number;
  scaling: VideoEncodeSpec['scaling'];
  /** Captures per second = numerator / denominator. */
  framerateNumerator: number;
  framerateDenominator: number;
  maxCaptures: number;
  /** 1..100 JPEG quality. */
  quality: number;
  color?: ColorCorrection;
}

export interface OutputSpec {
  /** hls: a TS rendition; mp4: a file; frames: JPEG captures; packaged: one DASH/CMAF representation. */
  kind: 'hls' | 'mp4' | 'frames' | 'packaged';
  nameModifier: string;
  extension: string;
  video?: VideoEncodeSpec;
  audio?: AudioEncodeSpec;
  frames?: FrameCaptureSpec;
  /** Where in the job's settings it came from, for error messages. */
  path: string;
}

export interface OutputGroupSpec {
  type: 'HLS_GROUP' | 'FILE_GROUP' | 'DASH_ISO_GROUP' | 'CMAF_GROUP';
  destination: S3Location;
  /** Seconds. */
  segmentSec: number;
  /** DASH/CMAF fragment length, seconds: a keyframe starts every fragment. */
  fragmentSec?: number;
  /** CMAF groups: write the HLS manifests. */
  writeHls: boolean;
  /** DASH ISO and CMAF groups: write the MPD. */
  writeDash: boolean;
  outputs: OutputSpec[];
}

export type Rotation = 'AUTO' | 'DEGREE_0' | 'DEGREE_90' | 'DEGREE_180' | 'DEGREE_270';

/** A timecode as the API writes it, HH:MM:SS:FF; the frame counts at the input's own rate. */
export interface Timecode {
  hours: number;
  minutes: number;
  seconds: number;
  frames: number;
  /** As written, for messages. */
  text: string;
}

/** A portion of an input; a missing end runs to the input's end, a missing start from its beginning. */
export interface ClippingSpec {
  start?: Timecode;
  /** Inclusive: the frame at the end timecode is part of the clip (the API reference says so). */
  end?: Timecode;
}

/** A rectangle in the input picture's pixels, after rotation and before the sample aspect ratio is applied. */
export interface RectangleSpec {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface InputSpec extends S3Location {
  uri: string;
  key: string;
  rotate: Rotation;
  /** In order; empty means the whole input. */
  clippings: ClippingSpec[];
  crop?: RectangleSpec;
  /** How the clippings' timecodes count: from the embedded timecode (else 0), from 0, or from timecodeStart. */
  timecodeSource: 'EMBEDDED' | 'ZEROBASED' | 'SPECIFIEDSTART';
  timecodeStart?: Timecode;
  /** Audio selector name -> 0-based index among the input's audio streams. */
  audioTracks: Record<string, number>;
  /** Where in the job's settings it came from, for error messages. */
  path: string;
}

export interface TranscodeSpec {
  inputs: InputSpec[];
  groups: OutputGroupSpec[];
}

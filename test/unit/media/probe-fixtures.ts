/**
 * MediaConvert Probe results for the shared test clips, written by hand from `ffprobe` of
 * /work/shared/data/video (see its SOURCES.md), in the AWS SDK's shape.
 */
import type { ProbeResult } from '@aws-sdk/client-mediaconvert';

/** bbb_prog_10s.mp4: 320x240 stored, SAR 4:3, so it displays as 16:9; AAC stereo. */
export const anamorphicProbe: ProbeResult = {
  Container: {
    Format: 'mp4',
    Duration: 9.917,
    BitRate: 335_568,
    Tracks: [
      {
        TrackType: 'video',
        Codec: 'AVC',
        Index: 1,
        Duration: 9.917,
        VideoProperties: {
          Width: 320,
          Height: 240,
          BitRate: 231_292,
          BitDepth: 8,
          FrameRate: { Numerator: 24, Denominator: 1 },
          SampleAspectRatio: { Numerator: 4, Denominator: 3 },
          DisplayAspectRatio: { Numerator: 16, Denominator: 9 },
        },
      },
      { TrackType: 'audio', Codec: 'AAC', Index: 2, AudioProperties: { Channels: 2, SampleRate: 44_100 } },
    ],
  },
  Metadata: { FileSize: 415_965, MimeType: 'video/mp4' },
};

/** rotate-buck-bunny.mp4: 1920x1080 stored with a -90 degree display matrix; 5.1 audio; 2 s. */
export const rotatedProbe: ProbeResult = {
  Container: {
    Format: 'mp4',
    Duration: 2.005,
    Tracks: [
      {
        TrackType: 'video',
        Codec: 'AVC',
        Index: 1,
        VideoProperties: {
          Width: 1920,
          Height: 1080,
          Rotation: -90,
          BitRate: 1_641_335,
          FrameRate: { Numerator: 24, Denominator: 1 },
          ColorPrimaries: 'ITU_709',
          TransferCharacteristics: 'ITU_709',
        },
      },
      { TrackType: 'audio', Codec: 'AAC', Index: 2, AudioProperties: { Channels: 6, SampleRate: 48_000 } },
    ],
  },
  Metadata: { FileSize: 675_899 },
};

/** many_tracks.mp4: 640x360, no audio, 100 subtitle (data) tracks. */
export const silentProbe: ProbeResult = {
  Container: {
    Format: 'mp4',
    Duration: 10.1,
    Tracks: [
      {
        TrackType: 'video',
        Codec: 'AVC',
        Index: 1,
        VideoProperties: { Width: 640, Height: 360, FrameRate: { Numerator: 10, Denominator: 1 } },
      },
      ...Array.from({ length: 100 }, (_, i) => ({
        TrackType: 'data' as const,
        Codec: 'UNKNOWN' as const,
        Index: i + 2,
      })),
    ],
  },
  Metadata: { FileSize: 208_534 },
};

/** A 4K HDR10 source (PQ transfer, BT.2020), as the Probe API reports one. */
export const hdrProbe: ProbeResult = {
  Container: {
    Format: 'quicktime',
    Duration: 60,
    Tracks: [
      {
        TrackType: 'video',
        Codec: 'HEVC',
        VideoProperties: {
          Width: 3840,
          Height: 2160,
          BitDepth: 10,
          BitRate: 25_000_000,
          ColorPrimaries: 'ITU_2020',
          TransferCharacteristics: 'SMPTE_2084',
          HdrMetadata: { ContentLightLevel: { MaxContentLightLevel: 1000, MaxFrameAverageLightLevel: 400 } },
        },
      },
      { TrackType: 'audio', Codec: 'EAC3', AudioProperties: { Channels: 6, SampleRate: 48_000 } },
    ],
  },
  Metadata: { FileSize: 190_000_000 },
};

/** ffprobe, and its answer rewritten as a MediaConvert Probe result (wire shape, lowerCamelCase). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface FfprobeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  bit_rate?: string;
  bits_per_raw_sample?: string;
  duration?: string;
  channels?: number;
  channel_layout?: string;
  sample_rate?: string;
  color_primaries?: string;
  color_transfer?: string;
  color_space?: string;
  tags?: Record<string, string>;
  side_data_list?: {
    side_data_type?: string;
    rotation?: number;
    max_content?: number;
    max_average?: number;
  }[];
}

export interface FfprobeResult {
  streams: FfprobeStream[];
  format: {
    format_name?: string;
    duration?: string;
    size?: string;
    bit_rate?: string;
    tags?: Record<string, string>;
  };
}

/** Runs ffprobe on a local file; rejects with ffprobe's own message when the file is unreadable. */
export async function ffprobe(ffprobePath: string, file: string): Promise<FfprobeResult> {
  try {
    const { stdout } = await run(
      ffprobePath,
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const parsed = JSON.parse(stdout) as Partial<FfprobeResult>;
    if (!parsed.format) throw new Error('ffprobe found no container');
    return { streams: parsed.streams ?? [], format: parsed.format };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    const firstLine = stderr?.split('\n').pop();
    throw new Error(firstLine ? firstLine.replace(`${file}: `, '') : (error as Error).message);
  }
}

/** Frames per second of a stream, 0 when unknown. */
export function frameRateOf(stream: FfprobeStream | undefined): number {
  const [num, den] = (
    stream?.avg_frame_rate && stream.avg_frame_rate !== '0/0'
      ? stream.avg_frame_rate
      : (stream?.r_frame_rate ?? '0/1')
  )
    .split('/')
    .map(Number);
  return den ? num / den : 0;
}

/** Display-matrix rotation in degrees as ffprobe reports it (e.g. -90), 0 if none. */
export function rotationOf(stream: FfprobeStream | undefined): number {
  const fromSideData = stream?.side_data_list?.find((s) => typeof s.rotation === 'number')?.rotation;
  return fromSideData ?? Number(stream?.tags?.rotate ?? 0);
}

const CODECS: Record<string, string> = {
  h264: 'AVC',
  hevc: 'HEVC',
  av1: 'AV1',
  vp8: 'VP8',
  vp9: 'VP9',
  mpeg2video: 'MPEG2',
  mpeg1video: 'MPEG1',
  mpeg4: 'MP4V',
  prores: 'PRORES',
  mjpeg: 'MJPEG',
  theora: 'THEORA',
  vc1: 'VC1',
  dvvideo: 'DV',
  h263: 'H263',
  aac: 'AAC',
  ac3: 'AC3',
  eac3: 'EAC3',
  mp3: 'MP3',
  mp2: 'MP2',
  opus: 'OPUS',
  vorbis: 'VORBIS',
  flac: 'FLAC',
  pcm_s16le: 'PCM',
  pcm_s24le: 'PCM',
  pcm_s16be: 'PCM',
  amr_nb: 'AMR',
  mov_text: 'UNKNOWN',
};
const PRIMARIES: Record<string, string> = {
  bt709: 'ITU_709',
  bt2020: 'ITU_2020',
  bt470bg: 'ITU_470BG',
  smpte170m: 'SMPTE_170M',
  smpte240m: 'SMPTE_240M',
  smpte432: 'SMPTE_EG_432_1',
  smpte431: 'SMPTE_431_2',
};
const TRANSFERS: Record<string, string> = {
  bt709: 'ITU_709',
  smpte2084: 'SMPTE_2084',
  'arib-std-b67': 'ARIB_B67',
  smpte170m: 'SMPTE_170M',
  bt470bg: 'ITU_470BG',
  'bt2020-10': 'ITU_2020_10bit',
  'bt2020-12': 'ITU_2020_12bit',
  linear: 'LINEAR',
  'iec61966-2-1': 'IEC_61966_2_1',
};

function containerFormat(probe: FfprobeResult): string {
  const name = probe.format.format_name ?? '';
  const brand = probe.format.tags?.major_brand?.trim();
  if (name.startsWith('mov,mp4'))
    return brand === 'qt' ? 'quicktime' : brand?.startsWith('3g') ? 'three_gp' : 'mp4';
  if (name.includes('matroska') || name.includes('webm')) {
    const webmCodecs = new Set(['vp8', 'vp9', 'av1', 'vorbis', 'opus']);
    return probe.streams.every((s) => webmCodecs.has(s.codec_name ?? '')) ? 'webm' : 'matroska';
  }
  const known: Record<string, string> = {
    mpegts: 'mpegts',
    avi: 'avi',
    mxf: 'mxf',
    asf: 'asf',
    ogg: 'ogg',
    wav: 'wave',
    mp3: 'mp3',
    flac: 'flac',
    aac: 'aac',
    mpeg: 'mpegps',
  };
  return known[name.split(',')[0]] ?? name.split(',')[0];
}

function ratio(text: string | undefined) {
  const [numerator, denominator] = (text ?? '1:1').split(':').map(Number);
  return numerator > 0 && denominator > 0 ? { numerator, denominator } : { numerator: 1, denominator: 1 };
}

function fraction(text: string | undefined) {
  const [numerator, denominator] = (text ?? '0/1').split('/').map(Number);
  return { numerator, denominator };
}

/** ffprobe's view of a file in MediaConvert's Probe result shape (lowerCamelCase, as on the wire). */
export function toProbeResult(
  probe: FfprobeResult,
  metadata: { fileSize: number; eTag?: string; mimeType?: string },
) {
  const tracks = probe.streams.map((stream) => {
    const codec = CODECS[stream.codec_name ?? ''] ?? 'UNKNOWN';
    const base = {
      index: stream.index + 1,
      codec,
      duration: stream.duration ? Number(stream.duration) : undefined,
    };
    if (stream.codec_type === 'video') {
      const light = stream.side_data_list?.find((s) => s.side_data_type === 'Content light level metadata');
      return {
        ...base,
        trackType: 'video',
        videoProperties: {
          width: stream.width,
          height: stream.height,
          bitRate: stream.bit_rate ? Number(stream.bit_rate) : undefined,
          bitDepth: stream.bits_per_raw_sample
            ? Number(stream.bits_per_raw_sample)
            : stream.pix_fmt?.includes('10')
              ? 10
              : 8,
          frameRate: fraction(stream.avg_frame_rate ?? stream.r_frame_rate),
          sampleAspectRatio: ratio(stream.sample_aspect_ratio),
          rotation: rotationOf(stream),
          colorPrimaries: PRIMARIES[stream.color_primaries ?? ''],
          transferCharacteristics: TRANSFERS[stream.color_transfer ?? ''],
          hdrMetadata: light
            ? {
                contentLightLevel: {
                  maxContentLightLevel: light.max_content,
                  maxFrameAverageLightLevel: light.max_average,
                },
              }
            : undefined,
        },
      };
    }
    if (stream.codec_type === 'audio') {
      return {
        ...base,
        trackType: 'audio',
        audioProperties: {
          channels: stream.channels,
          channelLayout: stream.channel_layout,
          sampleRate: stream.sample_rate ? Number(stream.sample_rate) : undefined,
          bitRate: stream.bit_rate ? Number(stream.bit_rate) : undefined,
          languageCode: stream.tags?.language,
        },
      };
    }
    return { ...base, trackType: 'data', dataProperties: { languageCode: stream.tags?.language } };
  });
  const indexesOf = (type: string) => tracks.filter((t) => t.trackType === type).map((t) => t.index);
  return {
    container: {
      format: containerFormat(probe),
      duration: probe.format.duration ? Number(probe.format.duration) : undefined,
      bitRate: probe.format.bit_rate ? Number(probe.format.bit_rate) : undefined,
      tracks,
    },
    metadata: { fileSize: metadata.fileSize, eTag: metadata.eTag, mimeType: metadata.mimeType },
    trackMappings: [
      {
        videoTrackIndexes: indexesOf('video'),
        audioTrackIndexes: indexesOf('audio'),
        dataTrackIndexes: indexesOf('data'),
      },
    ],
  };
}

/**
 * Checks on what a job wrote, shared by the media integration tests: outputs are read with the npm
 * ffmpeg (which reads HLS, DASH and CMAF), never with the bundled ffprobe, which crashes on MPEG-TS.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CreateJobCommandInput, Input } from '@aws-sdk/client-mediaconvert';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { resolveFfmpegPath } from '#local/mediaconvert/binaries.ts';
import { readMediaFile } from '#local/mediaconvert/media-file.ts';
import type { MediaHarness } from './harness.ts';

const run = promisify(execFile);

export const ROLE = 'arn:aws:iam::000000000000:role/MediaConvertRole';

/** Copies every object under an s3:// prefix into a local folder, keeping relative paths. */
export async function downloadPrefix(
  harness: MediaHarness,
  uriPrefix: string,
  into: string,
): Promise<string[]> {
  const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(uriPrefix)!;
  const listed = await harness.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const keys = (listed.Contents ?? []).map((o) => o.Key!);
  for (const key of keys) {
    const object = await harness.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const file = path.join(into, key.slice(prefix.length));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, await object.Body!.transformToByteArray());
  }
  return keys;
}

/** The streams of an output, read with ffmpeg (the bundled ffprobe is not trusted with outputs). */
export async function probeStreams(file: string) {
  const channels: Record<string, number> = { mono: 1, stereo: 2, '5.1': 6 };
  const { streams } = await readMediaFile(resolveFfmpegPath(), file);
  return streams.map((stream) => ({
    codec_type: stream.mediaType,
    codec_name: stream.codec,
    width: stream.width,
    height: stream.height,
    channels: stream.channelLayout ? channels[stream.channelLayout] : undefined,
  }));
}

/** ffmpeg's one-line description of a file's video stream (codec, pixel format, colour tags). */
export async function videoStreamLine(file: string): Promise<string> {
  const result = await run(resolveFfmpegPath(), ['-hide_banner', '-i', file]).catch((error) => error);
  return (
    String(result.stderr)
      .split('\n')
      .find((line) => /Stream #0:\d+.*: Video:/.test(line)) ?? ''
  );
}

/** Mean luma (0-255) of a picture, from ffmpeg's signalstats filter. */
export async function meanLuma(file: string): Promise<number> {
  return (await frameLumas(file))[0];
}

/** A clip whose frame n has luma 16 + 1.5n (lossless), so a capture's brightness says which frame it is. */
export async function frameCounterClip(file: string, seconds: number): Promise<void> {
  await lavfiClip(file, `nullsrc=s=128x128:r=24:d=${seconds},geq=lum='16+1.5*N':cb=128:cr=128`);
}

/** The frame a JPEG capture of `frameCounterClip` shows (JPEG is full range: Y' = (Y - 16) * 255 / 219). */
export const capturedFrame = (luma: number) => Math.round(luma / 1.5 / (255 / 219));

/** Decodes every stream of a file or playlist; resolves with ffmpeg's error output (empty when clean). */
export async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await run(resolveFfmpegPath(), [
    '-v',
    'error',
    '-nostdin',
    '-i',
    file,
    '-map',
    '0',
    '-f',
    'null',
    '-',
  ]);
  return stderr.trim();
}

/**
 * What a player reading `file` (an MP4, an HLS master, an MPD) gets: ffmpeg demuxes and decodes every
 * stream to the end (a failure rejects), and the streams and seconds it found. Paths must be
 * absolute: ffmpeg 4.1's DASH demuxer resolves segment names against a relative path twice.
 */
export async function playback(file: string) {
  await run(resolveFfmpegPath(), [
    '-v',
    'error',
    '-nostdin',
    '-i',
    path.resolve(file),
    '-map',
    '0',
    '-f',
    'null',
    '-',
  ]);
  const { streams, durationSec } = await readMediaFile(resolveFfmpegPath(), path.resolve(file));
  return {
    durationSec,
    video: streams.filter((s) => s.mediaType === 'video').map((s) => `${s.codec} ${s.width}x${s.height}`),
    audio: streams.filter((s) => s.mediaType === 'audio').map((s) => `${s.codec} ${s.channelLayout}`),
  };
}

/** The mean luma (0-255, as stored) of every frame of a video, in order, from ffmpeg's signalstats filter. */
export async function frameLumas(file: string): Promise<number[]> {
  const { stderr } = await run(
    resolveFfmpegPath(),
    [
      '-hide_banner',
      '-i',
      file,
      '-vf',
      'signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG',
      '-f',
      'null',
      '-',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return [...stderr.matchAll(/YAVG=([\d.]+)/g)].map((m) => Number(m[1]));
}

/** A clip from an ffmpeg lavfi source graph, encoded losslessly (no audio). */
export async function lavfiClip(file: string, graph: string): Promise<void> {
  await run(resolveFfmpegPath(), [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', graph],
    ...['-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv420p', file],
  ]);
}

/** Mean luma and chroma (0-255, as stored) over a video's frames, from ffmpeg's signalstats filter. */
export async function meanPlanes(file: string): Promise<{ y: number; u: number; v: number }> {
  const { stderr } = await run(
    resolveFfmpegPath(),
    ['-hide_banner', '-i', file, '-vf', 'signalstats,metadata=mode=print', '-f', 'null', '-'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const mean = (key: string) => {
    const values = [...stderr.matchAll(new RegExp(`${key}=([\\d.]+)`, 'g'))].map((m) => Number(m[1]));
    return values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
  };
  return { y: mean('YAVG'), u: mean('UAVG'), v: mean('VAVG') };
}

/** A job with one MP4 output of H.264 QVBR video (`level` 1-10) from `inputs`, written under `destination`. */
export function mp4Job(inputs: Input[], destination: string, level = 7): CreateJobCommandInput {
  return {
    Role: ROLE,
    Settings: {
      Inputs: inputs,
      OutputGroups: [
        {
          OutputGroupSettings: {
            Type: 'FILE_GROUP_SETTINGS',
            FileGroupSettings: { Destination: destination },
          },
          Outputs: [
            {
              ContainerSettings: { Container: 'MP4' },
              VideoDescription: {
                CodecSettings: {
                  Codec: 'H_264',
                  H264Settings: { RateControlMode: 'QVBR', QvbrSettings: { QvbrQualityLevel: level } },
                },
              },
            },
          ],
        },
      ],
    },
  };
}

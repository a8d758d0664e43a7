/**
 * What an output file holds, read with ffmpeg's framecrc muxer (every packet's time, duration and
 * size, and each stream's type, codec and size) instead of ffprobe: the bundled ffprobe 5.2 build
 * crashes on MPEG-TS and HLS outputs, and one reader keeps every output kind measured alike.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface StreamFacts {
  index: number;
  mediaType: string;
  codec: string;
  width?: number;
  height?: number;
  /** ffmpeg's layout name: mono, stereo, 5.1... */
  channelLayout?: string;
}

export interface MediaFileFacts {
  streams: StreamFacts[];
  /** Seconds, from the first packet to the end of the last. */
  durationSec: number;
  /** File size over duration, bits/s (container overhead included). */
  averageBitrate: number;
  /** Highest rate over consecutive `windowSec` windows of packets, bits/s. */
  peakBitrate: number;
}

interface Packet {
  stream: number;
  startSec: number;
  endSec: number;
  bytes: number;
}

function parseFramecrc(text: string): { streams: StreamFacts[]; packets: Packet[] } {
  const streams = new Map<number, StreamFacts>();
  const timeBase = new Map<number, number>();
  const packets: Packet[] = [];
  const streamOf = (index: number) => {
    if (!streams.has(index)) streams.set(index, { index, mediaType: 'unknown', codec: 'unknown' });
    return streams.get(index)!;
  };
  for (const line of text.split('\n')) {
    const header = /^#(\w+) (\d+): (.*)$/.exec(line);
    if (header) {
      const [, name, indexText, value] = header;
      const index = Number(indexText);
      if (name === 'tb') {
        const [num, den] = value.split('/').map(Number);
        timeBase.set(index, num / den);
      } else if (name === 'media_type') streamOf(index).mediaType = value.trim();
      else if (name === 'codec_id') streamOf(index).codec = value.trim();
      else if (name === 'dimensions') {
        const [width, height] = value.split('x').map(Number);
        Object.assign(streamOf(index), { width, height });
      } else if (name === 'channel_layout_name') streamOf(index).channelLayout = value.trim();
      continue;
    }
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length < 5 || line.startsWith('#')) continue;
    const stream = Number(fields[0]);
    const base = timeBase.get(stream) ?? 1;
    const startSec = Number(fields[2]) * base;
    packets.push({ stream, startSec, endSec: startSec + Number(fields[3]) * base, bytes: Number(fields[4]) });
  }
  return { streams: [...streams.values()], packets };
}

function peakOver(packets: Packet[], startSec: number, windowSec: number): number {
  const windows = new Map<number, number>();
  for (const packet of packets) {
    const window = Math.floor((packet.startSec - startSec) / windowSec);
    windows.set(window, (windows.get(window) ?? 0) + packet.bytes * 8);
  }
  return Math.max(0, ...[...windows.values()].map((bits) => bits / windowSec));
}

/** Streams, duration and bit rates of a media file or playlist (`file`), bits/s. */
export async function readMediaFile(
  ffmpegPath: string,
  file: string,
  windowSec = 2,
): Promise<MediaFileFacts> {
  const { stdout } = await run(
    ffmpegPath,
    ['-v', 'error', '-nostdin', '-i', file, '-map', '0', '-c', 'copy', '-f', 'framecrc', '-'],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const { streams, packets } = parseFramecrc(stdout);
  const startSec = Math.min(...packets.map((p) => p.startSec));
  const endSec = Math.max(...packets.map((p) => p.endSec));
  const durationSec = packets.length > 0 ? Math.max(0, endSec - startSec) : 0;
  const bytes =
    file.endsWith('.m3u8') || file.endsWith('.mpd')
      ? packets.reduce((sum, p) => sum + p.bytes, 0)
      : (await stat(file)).size;
  return {
    streams,
    durationSec,
    averageBitrate: durationSec > 0 ? Math.round((bytes * 8) / durationSec) : 0,
    peakBitrate: Math.round(peakOver(packets, startSec, windowSec)),
  };
}

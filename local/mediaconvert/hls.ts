/**
 * HLS post-processing. ffmpeg 4.1 crashes with `-hls_playlist_type vod` and cannot name variant
 * streams, so each rendition is muxed as its own playlist and we finish the job here: mark each
 * rendition playlist VOD and write the master playlist with BANDWIDTH, AVERAGE-BANDWIDTH, RESOLUTION
 * and RFC 6381 CODECS measured from the segments themselves.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RenditionStats {
  /** Peak segment bit rate, bits/s. */
  peakBitrate: number;
  /** Whole-rendition average, bits/s. */
  averageBitrate: number;
  /** Seconds. */
  durationSec: number;
  segments: string[];
}

/** Adds `#EXT-X-PLAYLIST-TYPE:VOD` and measures the rendition from its segments' sizes and durations. */
export async function finishRenditionPlaylist(playlistFile: string): Promise<RenditionStats> {
  const text = await readFile(playlistFile, 'utf8');
  const lines = text.split('\n');
  if (!text.includes('#EXT-X-PLAYLIST-TYPE')) {
    const at = lines.findIndex((line) => line.startsWith('#EXT-X-TARGETDURATION'));
    lines.splice(at + 1, 0, '#EXT-X-PLAYLIST-TYPE:VOD');
    await writeFile(playlistFile, lines.join('\n'));
  }
  const segments: string[] = [];
  let peakBitrate = 0;
  let totalBits = 0;
  let durationSec = 0;
  for (let i = 0; i < lines.length; i++) {
    const extinf = /^#EXTINF:([\d.]+)/.exec(lines[i]);
    if (!extinf) continue;
    const segment = lines[i + 1].trim();
    const seconds = Number(extinf[1]);
    const bits = (await stat(path.join(path.dirname(playlistFile), segment))).size * 8;
    segments.push(segment);
    totalBits += bits;
    durationSec += seconds;
    // Very short trailing segments overstate the peak; weigh them as at least half a second.
    peakBitrate = Math.max(peakBitrate, bits / Math.max(seconds, 0.5));
  }
  return {
    peakBitrate: Math.round(peakBitrate),
    averageBitrate: Math.round(totalBits / Math.max(durationSec, 1e-3)),
    durationSec,
    segments,
  };
}

/**
 * RFC 6381 codec strings of a segment's streams: `avc1.64001e`, `hvc1.1.6.L93.B0`, `mp4a.40.2`.
 * Read with ffmpeg's trace_headers bitstream filter (profile and level straight from the SPS) because
 * the bundled ffprobe 5.2 static build crashes on MPEG-TS input.
 */
export async function segmentCodecs(ffmpegPath: string, segment: string): Promise<string[]> {
  const { stderr } = await run(
    ffmpegPath,
    [
      '-hide_banner',
      '-nostdin',
      '-i',
      segment,
      '-map',
      '0:v:0?',
      '-c',
      'copy',
      '-bsf:v',
      'trace_headers',
      '-frames:v',
      '1',
      '-f',
      'null',
      '-',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const field = (name: string) => Number(new RegExp(`\\s${name}\\s+[01]+ = (\\d+)`).exec(stderr)?.[1]);
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  const codecs: string[] = [];
  // Only the input's stream lines: ffmpeg lists the null output's streams again after "Output #0".
  const inputSection = stderr.split(/^Output #0/m)[0];
  for (const line of inputSection.split('\n').filter((l) => /Stream #0:\d+.*: (Video|Audio):/.test(l))) {
    if (/Video: h264/.test(line)) {
      const constraints = [0, 1, 2, 3, 4, 5].reduce(
        (bits, i) => bits | ((field(`constraint_set${i}_flag`) || 0) << (7 - i)),
        0,
      );
      codecs.push(
        `avc1.${hex(field('profile_idc') || 100)}${hex(constraints)}${hex(field('level_idc') || 31)}`,
      );
    } else if (/Video: hevc/.test(line)) {
      const profile = field('general_profile_idc') || 1;
      codecs.push(`hvc1.${profile}.${profile === 2 ? 4 : 6}.L${field('general_level_idc') || 93}.B0`);
    } else if (/Audio: aac \(HE-AACv2\)/.test(line)) codecs.push('mp4a.40.29');
    else if (/Audio: aac \(HE-AAC\)/.test(line)) codecs.push('mp4a.40.5');
    else if (/Audio: aac/.test(line)) codecs.push('mp4a.40.2');
  }
  return codecs;
}

export interface MasterEntry {
  /** Rendition playlist file name, relative to the master. */
  uri: string;
  stats: RenditionStats;
  width?: number;
  height?: number;
  codecs: string[];
  frameRate?: number;
}

/** Writes the master playlist listing every rendition, largest picture first. */
export async function writeMasterPlaylist(file: string, entries: MasterEntry[]): Promise<void> {
  const pixels = (entry: MasterEntry) => (entry.width ?? 0) * (entry.height ?? 0);
  const sorted = [...entries].sort(
    (a, b) => pixels(b) - pixels(a) || b.stats.peakBitrate - a.stats.peakBitrate,
  );
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const entry of sorted) {
    const attributes = [
      `BANDWIDTH=${entry.stats.peakBitrate}`,
      `AVERAGE-BANDWIDTH=${entry.stats.averageBitrate}`,
    ];
    if (entry.width && entry.height) attributes.push(`RESOLUTION=${entry.width}x${entry.height}`);
    if (entry.frameRate) attributes.push(`FRAME-RATE=${entry.frameRate.toFixed(3)}`);
    attributes.push(`CODECS="${entry.codecs.join(',')}"`);
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, entry.uri);
  }
  await writeFile(file, `${lines.join('\n')}\n`);
}

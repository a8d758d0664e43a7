/**
 * Finishing a DASH ISO or CMAF group after ffmpeg's dash muxer wrote it to a staging folder: each
 * representation's files get the output's name (`<base><nameModifier>_init.mp4`,
 * `<base><nameModifier>_000000001.mp4`), the MPD (`<base>.mpd`) and, for CMAF, the HLS playlists
 * (`<base>.m3u8`, `<base><nameModifier>.m3u8`) are rewritten to those names, and each
 * representation's bandwidth becomes its measured peak segment rate.
 */
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { outputBase, PACKAGING_NAMES, type PlannedOutput } from './ffmpeg-command.ts';
import type { GroupDetail, OutputDetail } from './job.ts';
import { JobFailure } from './job-failure.ts';
import type { OutputGroupSpec } from './settings/spec.ts';

interface Representation {
  planned: PlannedOutput;
  /** `<base><nameModifier>`, the output's file stem in its destination. */
  stem: string;
  segments: string[];
  /** Bits/s over the whole representation, and the highest full-segment rate. */
  averageBitrate: number;
  peakBitrate: number;
  durationSec: number;
}

/** Moves representation `index`'s files to the output's names; measures them. */
async function moveRepresentation(
  staging: string,
  destination: string,
  index: number,
  planned: PlannedOutput,
  base: string,
  group: OutputGroupSpec,
  totalSec: number,
): Promise<Representation> {
  const stem = `${base}${planned.spec.nameModifier}`;
  const files = (await readdir(staging)).filter((name) => name.startsWith(`rep${index}_`)).sort();
  const init = `rep${index}_init.mp4`;
  if (!files.includes(init))
    throw new JobFailure(1999, `No DASH/CMAF segments were written for ${planned.spec.path}`);
  await rename(path.join(staging, init), path.join(destination, `${stem}_init.mp4`));
  const segments: string[] = [];
  const sizes: number[] = [];
  for (const file of files.filter((name) => name !== init)) {
    const number = /_(\d{9})\.mp4$/.exec(file)![1];
    sizes.push((await stat(path.join(staging, file))).size);
    segments.push(`${stem}_${number}.mp4`);
    await rename(path.join(staging, file), path.join(destination, `${stem}_${number}.mp4`));
  }
  const bits = sizes.reduce((sum, size) => sum + size * 8, 0);
  const full = sizes.length > 1 ? sizes.slice(0, -1) : sizes;
  return {
    planned,
    stem,
    segments,
    averageBitrate: Math.round(bits / Math.max(totalSec, 1e-3)),
    peakBitrate: Math.round((Math.max(...full) * 8) / Math.min(group.segmentSec, Math.max(totalSec, 1e-3))),
    durationSec: totalSec,
  };
}

/** The MPD with each representation's segment names and bandwidth. */
function rewriteMpd(mpd: string, representations: Representation[]): string {
  return mpd.replace(
    /<Representation id="(\d+)"([^>]*)>([\s\S]*?)<\/Representation>/g,
    (whole, id, attributes, body) => {
      const representation = representations[Number(id)];
      if (!representation) return whole;
      const { stem, peakBitrate } = representation;
      return `<Representation id="${id}"${attributes.replace(/bandwidth="\d+"/, `bandwidth="${peakBitrate}"`)}>${body
        .replace(PACKAGING_NAMES.init, `${stem}_init.mp4`)
        .replace(PACKAGING_NAMES.media, `${stem}_$Number%09d$.mp4`)}</Representation>`;
    },
  );
}

/** The fMP4 HLS playlists ffmpeg wrote for a CMAF group, renamed to the outputs' names. */
async function writeHlsPlaylists(
  staging: string,
  destination: string,
  base: string,
  representations: Representation[],
) {
  let master = await readFile(path.join(staging, PACKAGING_NAMES.hlsMaster), 'utf8');
  // A variant plays with the audio rendition: its bandwidth is the sum, measured (ffmpeg writes estimates).
  const audio = representations.filter((r) => !r.planned.spec.video);
  const audioPeak = Math.max(0, ...audio.map((r) => r.peakBitrate));
  const audioAverage = Math.max(0, ...audio.map((r) => r.averageBitrate));
  for (const [index, representation] of representations.entries()) {
    const { stem } = representation;
    let media = await readFile(path.join(staging, `media_${index}.m3u8`), 'utf8');
    media = media
      .replaceAll(`rep${index}_init.mp4`, `${stem}_init.mp4`)
      .replaceAll(`rep${index}_`, `${stem}_`);
    if (!media.includes('#EXT-X-PLAYLIST-TYPE'))
      media = media.replace('#EXT-X-TARGETDURATION', '#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION');
    await writeFile(path.join(destination, `${stem}.m3u8`), media);
    master = master
      .replace(
        new RegExp(`#EXT-X-STREAM-INF:BANDWIDTH=\\d+(,[^\\n]*)\\n(media_${index}\\.m3u8)`),
        `#EXT-X-STREAM-INF:BANDWIDTH=${representation.peakBitrate + audioPeak},AVERAGE-BANDWIDTH=${representation.averageBitrate + audioAverage}$1\n$2`,
      )
      .replaceAll(`media_${index}.m3u8`, `${stem}.m3u8`);
  }
  await writeFile(path.join(destination, `${base}.m3u8`), master);
}

/** The seconds an MPD presents (its mediaPresentationDuration). */
function presentationSec(mpd: string): number {
  const match = /mediaPresentationDuration="PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?"/.exec(mpd);
  return match ? Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0) : 0;
}

/** Names, rewrites and describes one DASH/CMAF group's files; returns its COMPLETE detail. */
export async function finishPackagedGroup(
  group: OutputGroupSpec,
  members: PlannedOutput[],
  staging: string,
  outDir: string,
  inputKey: string,
): Promise<GroupDetail> {
  const { bucket, prefix } = group.destination;
  const destination = path.join(outDir, bucket, prefix);
  await mkdir(destination, { recursive: true });
  const base = outputBase(group.destination, inputKey);
  const mpd = await readFile(path.join(staging, PACKAGING_NAMES.manifest), 'utf8');
  const totalSec = presentationSec(mpd);
  const representations: Representation[] = [];
  for (const [index, planned] of members.entries()) {
    representations.push(
      await moveRepresentation(staging, destination, index, planned, base, group, totalSec),
    );
  }
  const uri = (name: string) => `s3://${bucket}/${prefix}${name}`;
  const playlists: string[] = [];
  if (group.writeHls) {
    await writeHlsPlaylists(staging, destination, base, representations);
    playlists.push(uri(`${base}.m3u8`));
  }
  if (group.writeDash) {
    await writeFile(path.join(destination, `${base}.mpd`), rewriteMpd(mpd, representations));
    playlists.push(uri(`${base}.mpd`));
  }
  const outputDetails = representations.map(
    ({ planned, stem, averageBitrate, peakBitrate, durationSec }): OutputDetail => ({
      outputFilePaths: [uri(group.writeHls ? `${stem}.m3u8` : `${stem}_init.mp4`)],
      durationInMs: Math.round(durationSec * 1000),
      videoDetails:
        planned.width && planned.height
          ? { widthInPx: planned.width, heightInPx: planned.height, averageBitrate, peakBitrate }
          : undefined,
    }),
  );
  return { type: group.type, playlistFilePaths: playlists, outputDetails };
}

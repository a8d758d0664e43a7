/**
 * What a finished job reports per output (the COMPLETE event's outputGroupDetails), and the HLS
 * finishing that needs every rendition first: VOD rendition playlists and the master playlist.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FfmpegCommand, PlannedOutput } from './ffmpeg-command.ts';
import { readMediaFile } from './media-file.ts';
import {
  finishRenditionPlaylist,
  type MasterEntry,
  type RenditionStats,
  segmentCodecs,
  writeMasterPlaylist,
} from './hls.ts';
import type { GroupDetail, Job, OutputDetail } from './job.ts';
import { JobFailure } from './job-failure.ts';
import { finishPackagedGroup } from './packaged-groups.ts';
import type { SourceFacts } from './source-facts.ts';

/** The binary the description reads outputs with (ffmpeg: the bundled ffprobe crashes on MPEG-TS). */
export interface OutputTools {
  ffmpegPath: string;
}

/** Where an output's files are written locally: `outDir/<bucket>/<keyStem>` plus extension. */
export function localStem(outDir: string, planned: PlannedOutput): string {
  return path.join(outDir, planned.bucket, planned.keyStem);
}

function masterBase(planned: PlannedOutput, destinationBase: string | undefined): string {
  if (destinationBase) return destinationBase;
  const name = path.posix.basename(planned.keyStem);
  return planned.spec.nameModifier ? name.slice(0, name.length - planned.spec.nameModifier.length) : name;
}

async function describeHlsRendition(
  planned: PlannedOutput,
  detail: OutputDetail,
  stem: string,
  facts: SourceFacts,
  tools: OutputTools,
): Promise<MasterEntry> {
  const stats: RenditionStats = await finishRenditionPlaylist(`${stem}.m3u8`);
  const firstSegment = path.join(path.dirname(stem), stats.segments[0]);
  detail.outputFilePaths.push(`s3://${planned.bucket}/${planned.keyStem}.m3u8`);
  detail.durationInMs = Math.round(stats.durationSec * 1000);
  if (detail.videoDetails) {
    // The figures the master playlist gives players: AVERAGE-BANDWIDTH and BANDWIDTH.
    detail.videoDetails.averageBitrate = stats.averageBitrate;
    detail.videoDetails.peakBitrate = stats.peakBitrate;
  }
  return {
    uri: `${path.posix.basename(planned.keyStem)}.m3u8`,
    stats,
    width: planned.width,
    height: planned.height,
    codecs: await segmentCodecs(tools.ffmpegPath, firstSegment),
    frameRate: planned.spec.video?.frameRate
      ? planned.spec.video.frameRate.numerator / planned.spec.video.frameRate.denominator
      : facts.fps,
  };
}

async function describeFile(planned: PlannedOutput, detail: OutputDetail, stem: string, tools: OutputTools) {
  const facts = await readMediaFile(tools.ffmpegPath, `${stem}.${planned.spec.extension}`);
  detail.outputFilePaths.push(`s3://${planned.bucket}/${planned.keyStem}.${planned.spec.extension}`);
  detail.durationInMs = Math.round(facts.durationSec * 1000);
  if (detail.videoDetails) {
    detail.videoDetails.averageBitrate = facts.averageBitrate;
    detail.videoDetails.peakBitrate = facts.peakBitrate;
  }
}

async function describeFrameCaptures(
  planned: PlannedOutput,
  detail: OutputDetail,
  stem: string,
  facts: SourceFacts,
) {
  const name = path.basename(stem);
  const captures = (await readdir(path.dirname(stem)))
    .filter((f) => f.startsWith(`${name}.`) && /\.\d{7}\./.test(f))
    .sort();
  if (captures.length === 0) throw new JobFailure(1999, `No frames were captured for ${planned.spec.path}`);
  // MediaConvert reports the last capture of a frame-capture output.
  const lastKey = path.posix.join(path.posix.dirname(planned.keyStem), captures[captures.length - 1]);
  detail.outputFilePaths.push(`s3://${planned.bucket}/${lastKey}`);
  detail.durationInMs = Math.round(facts.durationSec * 1000);
}

/** Describes every output of a finished ffmpeg run and writes the HLS, DASH and CMAF manifests. */
export async function describeOutputs(
  job: Job,
  command: Pick<FfmpegCommand, 'outputs' | 'packaging'>,
  outDir: string,
  facts: SourceFacts,
  tools: OutputTools,
): Promise<GroupDetail[]> {
  const { outputs } = command;
  const groups: GroupDetail[] = job.spec.groups.map((group) => ({
    type: group.type,
    outputDetails: [],
    ...(group.type === 'HLS_GROUP' ? { playlistFilePaths: [] as string[] } : {}),
  }));
  const masters = new Map<number, MasterEntry[]>();
  for (const planned of outputs.filter((o) => o.spec.kind !== 'packaged')) {
    const stem = localStem(outDir, planned);
    const videoDetails =
      planned.width && planned.height ? { widthInPx: planned.width, heightInPx: planned.height } : undefined;
    const detail: OutputDetail = { outputFilePaths: [], videoDetails };
    if (planned.spec.kind === 'hls') {
      const entry = await describeHlsRendition(planned, detail, stem, facts, tools);
      masters.set(planned.groupIndex, [...(masters.get(planned.groupIndex) ?? []), entry]);
    } else if (planned.spec.kind === 'mp4') await describeFile(planned, detail, stem, tools);
    else await describeFrameCaptures(planned, detail, stem, facts);
    groups[planned.groupIndex].outputDetails.push(detail);
  }
  for (const [groupIndex, entries] of masters) {
    const group = job.spec.groups[groupIndex];
    const base = outputs.find((o) => o.groupIndex === groupIndex)!;
    const masterKey = `${group.destination.prefix}${masterBase(base, group.destination.base)}`;
    await writeMasterPlaylist(path.join(outDir, group.destination.bucket, `${masterKey}.m3u8`), entries);
    groups[groupIndex].playlistFilePaths = [`s3://${group.destination.bucket}/${masterKey}.m3u8`];
  }
  for (const { groupIndex, dir } of command.packaging) {
    const members = outputs.filter((o) => o.groupIndex === groupIndex);
    groups[groupIndex] = await finishPackagedGroup(
      job.spec.groups[groupIndex],
      members,
      dir,
      outDir,
      job.spec.inputs[0].key,
    );
  }
  return groups;
}

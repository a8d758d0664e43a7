/**
 * The local MediaConvert's jobs: an in-memory store, idempotency by clientRequestToken, a FIFO queue
 * with bounded concurrency, and the runner (download, probe, one ffmpeg command, HLS finishing,
 * quality metrics, upload, Job State Change events).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { buildFfmpegCommand, type PlannedOutput, type SourceFacts } from './ffmpeg-command.ts';
import { ffprobe, frameRateOf, rotationOf, type FfprobeResult } from './ffprobe.ts';
import {
  finishRenditionPlaylist,
  segmentCodecs,
  type MasterEntry,
  type RenditionStats,
  writeMasterPlaylist,
} from './hls.ts';
import { measureQuality } from './quality.ts';
import { downloadObject, uploadTree } from './storage.ts';
import { MediaConvertApiError } from './api-errors.ts';
import { readJobSettings } from './settings/read-job.ts';
import type { TranscodeSpec } from './settings/spec.ts';

export const ACCOUNT_ID = '000000000000';
export const REGION = 'us-east-1';

export type JobStatus = 'SUBMITTED' | 'PROGRESSING' | 'COMPLETE' | 'CANCELED' | 'ERROR';

export interface JobStateChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'MediaConvert Job State Change';
  source: 'aws.mediaconvert';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export type Publish = (event: JobStateChangeEvent) => Promise<void>;

// biome-ignore lint/suspicious/noExplicitAny: job documents are open JSON as sent on the wire
type Json = any;

interface OutputDetail {
  outputFilePaths: string[];
  durationInMs?: number;
  videoDetails?: {
    widthInPx: number;
    heightInPx: number;
    averageBitrate?: number;
    psnrDb?: number;
    ssim?: number;
  };
}

interface GroupDetail {
  type: 'HLS_GROUP' | 'FILE_GROUP';
  playlistFilePaths?: string[];
  outputDetails: OutputDetail[];
}

export interface Job {
  id: string;
  arn: string;
  status: JobStatus;
  queue: string;
  role: string;
  settings: Json;
  userMetadata: Record<string, string>;
  accelerationSettings?: Json;
  statusUpdateInterval?: string;
  priority: number;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  jobPercentComplete?: number;
  errorCode?: number;
  errorMessage?: string;
  outputGroupDetails?: GroupDetail[];
  clientRequestToken?: string;
  spec: TranscodeSpec;
  /** Wall time of each step of the run, ms (local extension, reported in the COMPLETE event). */
  phasesMs: Record<string, number>;
  process?: ChildProcess;
}

export interface JobRunnerOptions {
  s3: S3Client;
  publish: Publish;
  concurrency: number;
  ffmpegPath: string;
  ffprobePath: string;
  workDir: string;
  preset: string;
  measureQuality: boolean;
  /** Shortest gap between STATUS_UPDATE events, ms. */
  statusUpdateMs: number;
}

class JobFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const queueArn = (name: string) =>
  name.startsWith('arn:') ? name : `arn:aws:mediaconvert:${REGION}:${ACCOUNT_ID}:queues/${name}`;

/** The job as GetJob/CreateJob return it (restJson1: lowerCamelCase members, epoch-second timestamps). */
export function jobToWire(job: Job): Json {
  const seconds = (date: Date | undefined) => (date ? Math.floor(date.getTime() / 1000) : undefined);
  return {
    id: job.id,
    arn: job.arn,
    status: job.status,
    queue: job.queue,
    role: job.role,
    settings: job.settings,
    userMetadata: job.userMetadata,
    accelerationSettings: job.accelerationSettings,
    // No accelerator here: PREFERRED falls back to normal transcoding, as MediaConvert does for ineligible jobs.
    accelerationStatus: job.accelerationSettings?.mode === 'PREFERRED' ? 'NOT_ACCELERATED' : 'NOT_APPLICABLE',
    statusUpdateInterval: job.statusUpdateInterval ?? 'SECONDS_60',
    priority: job.priority,
    createdAt: seconds(job.createdAt),
    jobPercentComplete: job.status === 'PROGRESSING' ? job.jobPercentComplete : undefined,
    currentPhase: job.status === 'PROGRESSING' ? 'TRANSCODING' : undefined,
    errorCode: job.errorCode,
    errorMessage: job.errorMessage,
    outputGroupDetails: job.outputGroupDetails?.map((group) => ({
      outputDetails: group.outputDetails.map((detail) => ({
        durationInMs: detail.durationInMs,
        videoDetails: detail.videoDetails
          ? { widthInPx: detail.videoDetails.widthInPx, heightInPx: detail.videoDetails.heightInPx }
          : undefined,
      })),
    })),
    timing: {
      submitTime: seconds(job.createdAt),
      startTime: seconds(job.startedAt),
      finishTime: seconds(job.finishedAt),
    },
  };
}

export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private readonly byToken = new Map<string, Job>();
  private readonly pending: Job[] = [];
  private running = 0;
  private readonly settled = new Set<Promise<void>>();

  constructor(private readonly options: JobRunnerOptions) {}

  /** CreateJob: validates, dedupes by clientRequestToken, queues. Returns the (possibly existing) job. */
  create(body: Json): Job {
    const token: string | undefined = body?.clientRequestToken;
    const existing = token ? this.byToken.get(token) : undefined;
    if (existing) return existing;
    if (body?.jobTemplate)
      throw new MediaConvertApiError(
        400,
        'BadRequestException',
        'jobTemplate: job templates are not supported by the local endpoint; send settings',
      );
    if (typeof body?.role !== 'string' || body.role.length === 0) {
      throw new MediaConvertApiError(400, 'BadRequestException', 'role is required');
    }
    const spec = readJobSettings(body.settings);
    const id = `${Date.now()}-${randomBytes(3).toString('hex')}`;
    const job: Job = {
      id,
      arn: `arn:aws:mediaconvert:${REGION}:${ACCOUNT_ID}:jobs/${id}`,
      status: 'SUBMITTED',
      queue: queueArn(body.queue ?? 'Default'),
      role: body.role,
      settings: body.settings,
      userMetadata: body.userMetadata ?? {},
      accelerationSettings: body.accelerationSettings,
      statusUpdateInterval: body.statusUpdateInterval,
      priority: body.priority ?? 0,
      createdAt: new Date(),
      clientRequestToken: token,
      spec,
      phasesMs: {},
    };
    this.jobs.set(id, job);
    if (token) this.byToken.set(token, job);
    this.pending.push(job);
    // Start on the next turn so CreateJob answers SUBMITTED, as the service does.
    setImmediate(() => this.pump());
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** ListJobs: newest first unless ASCENDING; filters by queue and status; opaque offset tokens. */
  list(query: { maxResults?: number; nextToken?: string; order?: string; queue?: string; status?: string }) {
    let jobs = [...this.jobs.values()].sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
    );
    if (query.order !== 'ASCENDING') jobs.reverse();
    if (query.queue) jobs = jobs.filter((job) => job.queue === queueArn(query.queue!));
    if (query.status) jobs = jobs.filter((job) => job.status === query.status);
    const start = query.nextToken ? Number(Buffer.from(query.nextToken, 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0)
      throw new MediaConvertApiError(400, 'BadRequestException', 'nextToken is invalid');
    const size = Math.min(20, Math.max(1, query.maxResults ?? 20));
    const page = jobs.slice(start, start + size);
    const next =
      start + size < jobs.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
    return { jobs: page, nextToken: next };
  }

  /** CancelJob: only SUBMITTED and PROGRESSING jobs can be canceled. */
  async cancel(id: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job)
      throw new MediaConvertApiError(404, 'NotFoundException', `The specified job ${id} does not exist.`);
    if (job.status !== 'SUBMITTED' && job.status !== 'PROGRESSING') {
      throw new MediaConvertApiError(
        409,
        'ConflictException',
        `Job ${id} is ${job.status} and cannot be canceled.`,
      );
    }
    const index = this.pending.indexOf(job);
    if (index >= 0) this.pending.splice(index, 1);
    job.status = 'CANCELED';
    job.finishedAt = new Date();
    job.process?.kill('SIGKILL');
    await this.emit(job, { status: 'CANCELED' });
  }

  /** Waits for running jobs to settle (used by close()). */
  async drain(): Promise<void> {
    for (const job of this.pending.splice(0)) {
      job.status = 'CANCELED';
    }
    for (const job of this.jobs.values()) job.process?.kill('SIGKILL');
    await Promise.allSettled([...this.settled]);
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.pending.length > 0) {
      const job = this.pending.shift()!;
      this.running++;
      const run = this.run(job).finally(() => {
        this.running--;
        this.settled.delete(run);
        this.pump();
      });
      this.settled.add(run);
    }
  }

  private async emit(job: Job, detail: Record<string, unknown>): Promise<void> {
    const event: JobStateChangeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'MediaConvert Job State Change',
      source: 'aws.mediaconvert',
      account: ACCOUNT_ID,
      time: new Date().toISOString(),
      region: REGION,
      resources: [job.arn],
      detail: {
        timestamp: Date.now(),
        accountId: ACCOUNT_ID,
        queue: job.queue,
        jobId: job.id,
        userMetadata: job.userMetadata,
        ...detail,
      },
    };
    try {
      await this.options.publish(event);
    } catch (error) {
      console.error(
        `local mediaconvert: publishing ${String(detail.status)} for job ${job.id} failed:`,
        error,
      );
    }
  }

  private async run(job: Job): Promise<void> {
    if (job.status !== 'SUBMITTED') return;
    job.status = 'PROGRESSING';
    job.startedAt = new Date();
    job.jobPercentComplete = 0;
    await this.emit(job, { status: 'PROGRESSING' });
    const dir = path.join(this.options.workDir, job.id);
    try {
      const details = await this.transcode(job, dir);
      if (job.status !== 'PROGRESSING') return;
      job.status = 'COMPLETE';
      job.finishedAt = new Date();
      job.jobPercentComplete = 100;
      job.outputGroupDetails = details;
      await this.emit(job, { status: 'COMPLETE', outputGroupDetails: details, localPhasesMs: job.phasesMs });
    } catch (error) {
      if (job.status !== 'PROGRESSING') return;
      job.status = 'ERROR';
      job.finishedAt = new Date();
      job.errorCode = error instanceof JobFailure ? error.code : 1999;
      job.errorMessage = (error as Error).message;
      await this.emit(job, { status: 'ERROR', errorCode: job.errorCode, errorMessage: job.errorMessage });
    } finally {
      job.process = undefined;
      if (!process.env.MARQUEE_KEEP_MEDIACONVERT_WORK) await rm(dir, { recursive: true, force: true });
    }
  }

  private async transcode(job: Job, dir: string): Promise<GroupDetail[]> {
    const { spec } = job;
    const { s3, ffprobePath } = this.options;
    const inputFile = path.join(dir, 'input', path.posix.basename(spec.input.key));
    let phaseStart = performance.now();
    const phaseDone = (name: string) => {
      const now = performance.now();
      job.phasesMs[name] = Math.round(now - phaseStart);
      phaseStart = now;
    };
    try {
      await downloadObject(s3, spec.input.bucket, spec.input.key, inputFile);
    } catch (error) {
      throw new JobFailure(
        1010,
        `Unable to open input file [${spec.input.uri}]: ${(error as Error).name}: ${(error as Error).message}`,
      );
    }
    phaseDone('download');
    let probe: FfprobeResult;
    try {
      probe = await ffprobe(ffprobePath, inputFile);
    } catch (error) {
      throw new JobFailure(
        1010,
        `Unable to open input file [${spec.input.uri}]: ${(error as Error).message}`,
      );
    }
    const facts = sourceFacts(probe, spec.rotate);
    if (!facts)
      throw new JobFailure(1010, `Unable to open input file [${spec.input.uri}]: no video track found`);
    const wantedAudio = spec.groups
      .flatMap((g) => g.outputs)
      .map((o) => o.audio?.audioStream)
      .filter((s) => s !== undefined);
    const missing = wantedAudio.find((stream) => stream >= facts.audioStreams);
    if (missing !== undefined) {
      throw new JobFailure(
        1040,
        `No audio track ${missing + 1} in input [${spec.input.uri}] for the audio selector (the input has ${facts.audioStreams})`,
      );
    }
    const outDir = path.join(dir, 'out');
    await mkdir(outDir, { recursive: true });
    phaseDone('probe');
    const command = buildFfmpegCommand(spec, inputFile, facts, outDir, { preset: this.options.preset });
    for (const planned of command.outputs)
      await mkdir(path.dirname(localStem(outDir, planned)), { recursive: true });
    await this.runFfmpeg(job, command.args, facts.durationSec);
    phaseDone('transcode');
    if (job.status !== 'PROGRESSING') return [];
    const details = await this.describeOutputs(job, command.outputs, outDir, facts);
    phaseDone('finishOutputs');
    if (this.options.measureQuality) {
      await this.addQuality(command.outputs, details, outDir, inputFile, spec);
      phaseDone('quality');
    }
    try {
      await uploadTree(s3, outDir);
      phaseDone('upload');
    } catch (error) {
      throw new JobFailure(1432, `Unable to write output files: ${(error as Error).message}`);
    }
    return details;
  }

  private runFfmpeg(job: Job, args: string[], durationSec: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      job.process = child;
      let stderr = '';
      let lastUpdate = 0;
      child.stderr.on('data', (chunk) => {
        stderr = (stderr + chunk).slice(-4000);
      });
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        const micros = /out_time_ms=(\d+)/.exec(chunk)?.[1];
        if (!micros || durationSec <= 0) return;
        const percent = Math.min(99, Math.floor((Number(micros) / 1e6 / durationSec) * 100));
        job.jobPercentComplete = Math.max(job.jobPercentComplete ?? 0, percent);
        const now = Date.now();
        if (now - lastUpdate >= this.options.statusUpdateMs) {
          lastUpdate = now;
          void this.emit(job, {
            status: 'STATUS_UPDATE',
            framesDecoded: undefined,
            jobProgress: {
              phaseProgress: {},
              jobPercentComplete: job.jobPercentComplete,
              currentPhase: 'TRANSCODING',
              retryCount: 0,
            },
          });
        }
      });
      child.on('error', (error) => reject(new JobFailure(1999, `ffmpeg could not start: ${error.message}`)));
      child.on('close', (code, signal) => {
        if (code === 0) resolve();
        else if (signal === 'SIGKILL' && job.status !== 'PROGRESSING') resolve();
        else
          reject(
            new JobFailure(
              1999,
              `Transcoding failed (ffmpeg exit ${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
            ),
          );
      });
    });
  }

  private async describeOutputs(
    job: Job,
    outputs: PlannedOutput[],
    outDir: string,
    facts: SourceFacts,
  ): Promise<GroupDetail[]> {
    const groups: GroupDetail[] = job.spec.groups.map((group) => ({
      type: group.type,
      outputDetails: [],
      ...(group.type === 'HLS_GROUP' ? { playlistFilePaths: [] as string[] } : {}),
    }));
    const masters = new Map<number, MasterEntry[]>();
    for (const planned of outputs) {
      const stem = localStem(outDir, planned);
      const uriStem = `s3://${planned.bucket}/${planned.keyStem}`;
      const videoDetails =
        planned.width && planned.height
          ? { widthInPx: planned.width, heightInPx: planned.height }
          : undefined;
      const detail: OutputDetail = { outputFilePaths: [], videoDetails };
      if (planned.spec.kind === 'hls') {
        const stats: RenditionStats = await finishRenditionPlaylist(`${stem}.m3u8`);
        const firstSegment = path.join(path.dirname(stem), stats.segments[0]);
        const entry: MasterEntry = {
          uri: `${path.posix.basename(planned.keyStem)}.m3u8`,
          stats,
          width: planned.width,
          height: planned.height,
          codecs: await segmentCodecs(this.options.ffmpegPath, firstSegment),
          frameRate: planned.spec.video?.frameRate
            ? planned.spec.video.frameRate.numerator / planned.spec.video.frameRate.denominator
            : facts.fps,
        };
        masters.set(planned.groupIndex, [...(masters.get(planned.groupIndex) ?? []), entry]);
        detail.outputFilePaths.push(`${uriStem}.m3u8`);
        detail.durationInMs = Math.round(stats.durationSec * 1000);
        if (detail.videoDetails) detail.videoDetails.averageBitrate = stats.averageBitrate;
      } else if (planned.spec.kind === 'mp4') {
        const file = `${stem}.${planned.spec.extension}`;
        const format = (await ffprobe(this.options.ffprobePath, file)).format;
        detail.outputFilePaths.push(`${uriStem}.${planned.spec.extension}`);
        detail.durationInMs = Math.round(Number(format.duration ?? 0) * 1000);
        if (detail.videoDetails && format.bit_rate)
          detail.videoDetails.averageBitrate = Number(format.bit_rate);
      } else {
        const name = path.basename(stem);
        const captures = (await readdir(path.dirname(stem)))
          .filter((f) => f.startsWith(`${name}.`) && /\.\d{7}\./.test(f))
          .sort();
        if (captures.length === 0)
          throw new JobFailure(1999, `No frames were captured for ${planned.spec.path}`);
        // MediaConvert reports the last capture of a frame-capture output.
        const lastKey = path.posix.join(path.posix.dirname(planned.keyStem), captures[captures.length - 1]);
        detail.outputFilePaths.push(`s3://${planned.bucket}/${lastKey}`);
        detail.durationInMs = Math.round(facts.durationSec * 1000);
      }
      groups[planned.groupIndex].outputDetails.push(detail);
    }
    for (const [groupIndex, entries] of masters) {
      const group = job.spec.groups[groupIndex];
      const base = outputs.find((o) => o.groupIndex === groupIndex)!;
      const masterKey = `${group.destination.prefix}${masterBase(base, group.destination.base)}`;
      await writeMasterPlaylist(path.join(outDir, group.destination.bucket, `${masterKey}.m3u8`), entries);
      groups[groupIndex].playlistFilePaths = [`s3://${group.destination.bucket}/${masterKey}.m3u8`];
    }
    return groups;
  }

  private async addQuality(
    outputs: PlannedOutput[],
    groups: GroupDetail[],
    outDir: string,
    inputFile: string,
    spec: TranscodeSpec,
  ): Promise<void> {
    const perGroupIndex = new Map<number, number>();
    const measured: { detail: OutputDetail; file: string }[] = [];
    for (const planned of outputs) {
      const index = perGroupIndex.get(planned.groupIndex) ?? 0;
      perGroupIndex.set(planned.groupIndex, index + 1);
      const detail = groups[planned.groupIndex].outputDetails[index];
      if (!planned.spec.video || !detail.videoDetails) continue;
      const extension = planned.spec.kind === 'hls' ? 'm3u8' : planned.spec.extension;
      measured.push({ detail, file: `${localStem(outDir, planned)}.${extension}` });
    }
    const prefilter = { DEGREE_90: 'transpose=1', DEGREE_180: 'hflip,vflip', DEGREE_270: 'transpose=2' }[
      spec.rotate as 'DEGREE_90'
    ];
    try {
      const scores = await measureQuality({
        ffmpegPath: this.options.ffmpegPath,
        source: inputFile,
        renditions: measured.map(({ detail, file }) => ({
          file,
          width: detail.videoDetails!.widthInPx,
          height: detail.videoDetails!.heightInPx,
        })),
        sourcePrefilter: prefilter ?? '',
        autorotate: spec.rotate === 'AUTO',
        // Beside, not inside, the output tree: everything under outDir is uploaded.
        workDir: path.join(path.dirname(outDir), 'quality'),
      });
      measured.forEach(({ detail }, i) => {
        detail.videoDetails!.psnrDb = Math.round(scores[i].psnrDb * 100) / 100;
        detail.videoDetails!.ssim = Math.round(scores[i].ssim * 10000) / 10000;
      });
    } catch (error) {
      // Quality is a report, not a deliverable: the job still completes without it.
      console.error('local mediaconvert: quality not measured:', (error as Error).message);
    }
  }
}

function localStem(outDir: string, planned: PlannedOutput): string {
  return path.join(outDir, planned.bucket, planned.keyStem);
}

function masterBase(planned: PlannedOutput, destinationBase: string | undefined): string {
  if (destinationBase) return destinationBase;
  const name = path.posix.basename(planned.keyStem);
  return planned.spec.nameModifier ? name.slice(0, name.length - planned.spec.nameModifier.length) : name;
}

/** What the command builder needs to know about the input, or undefined when it has no video. */
export function sourceFacts(probe: FfprobeResult, rotate: TranscodeSpec['rotate']): SourceFacts | undefined {
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
    sar,
    fps: frameRateOf(video) || 24,
    durationSec: Number(probe.format.duration ?? video.duration ?? 0),
    audioStreams: probe.streams.filter((s) => s.codec_type === 'audio').length,
    hdr: ['smpte2084', 'arib-std-b67'].includes(video.color_transfer ?? ''),
    transfer: video.color_transfer,
    quarterTurns: turns,
  };
}

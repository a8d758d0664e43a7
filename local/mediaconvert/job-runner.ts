/**
 * The local MediaConvert's jobs: an in-memory store, idempotency by clientRequestToken, a FIFO queue
 * with bounded concurrency, and each job's life from SUBMITTED to COMPLETE, ERROR or CANCELED with
 * its Job State Change events.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { BadRequestException, MediaConvertApiError } from './api-errors.ts';
import { ACCOUNT_ID, type Job, queueArn, REGION } from './job.ts';
import { jobStateChange, type Publish } from './job-events.ts';
import { JobFailure } from './job-failure.ts';
import { type JobTemplate, type JobTemplateStore, withTemplate } from './job-templates.ts';
import { ordered, pageOf } from './paging.ts';
import type { PresetLookup } from './presets.ts';
import { requireObject } from './settings/checks.ts';
import { readJobSettings } from './settings/read-job.ts';
import { transcode } from './transcode.ts';

// biome-ignore lint/suspicious/noExplicitAny: job documents are open JSON as sent on the wire
type Json = any;

export interface JobRunnerOptions {
  presets: PresetLookup;
  templates: JobTemplateStore;
  s3: S3Client;
  publish: Publish;
  concurrency: number;
  ffmpegPath: string;
  ffprobePath: string;
  workDir: string;
  preset: string;
  /** Shortest gap between STATUS_UPDATE events, ms. */
  statusUpdateMs: number;
  /** Longest a transcode may run, ms, given the seconds of video it makes. */
  transcodeTimeoutMs: (durationSec: number) => number;
}

/** A STATUS_UPDATE event's detail. */
function statusUpdate(percent: number): Record<string, unknown> {
  return {
    status: 'STATUS_UPDATE',
    framesDecoded: undefined,
    jobProgress: {
      phaseProgress: {},
      jobPercentComplete: percent,
      currentPhase: 'TRANSCODING',
      retryCount: 0,
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
    requireObject(body, 'the request body');
    const token: string | undefined = body.clientRequestToken;
    const existing = token ? this.byToken.get(token) : undefined;
    if (existing) return existing;
    if (typeof body.role !== 'string' || body.role.length === 0)
      throw new BadRequestException('role is required');
    const template = this.templateOf(body.jobTemplate);
    const settings = template ? withTemplate(template, body.settings) : body.settings;
    const spec = readJobSettings(settings, this.options.presets);
    const id = `${Date.now()}-${randomBytes(3).toString('hex')}`;
    const job: Job = {
      id,
      arn: `arn:aws:mediaconvert:${REGION}:${ACCOUNT_ID}:jobs/${id}`,
      status: 'SUBMITTED',
      queue: queueArn(body.queue ?? template?.queue ?? 'Default'),
      role: body.role,
      settings,
      jobTemplate: template?.name,
      userMetadata: body.userMetadata ?? {},
      accelerationSettings: body.accelerationSettings ?? template?.accelerationSettings,
      statusUpdateInterval: body.statusUpdateInterval ?? template?.statusUpdateInterval,
      priority: body.priority ?? template?.priority ?? 0,
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

  /** The template a CreateJob names, if any; a name that is not a template is the caller's mistake. */
  private templateOf(name: unknown): JobTemplate | undefined {
    if (name === undefined) return undefined;
    if (typeof name !== 'string') throw new BadRequestException('jobTemplate must be a template name');
    try {
      return this.options.templates.get(name);
    } catch {
      throw new BadRequestException(`jobTemplate: there is no job template named ${JSON.stringify(name)}`);
    }
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** ListJobs: newest first unless ASCENDING; filters by queue and status; opaque offset tokens. */
  list(query: { maxResults?: number; nextToken?: string; order?: string; queue?: string; status?: string }) {
    let jobs = ordered(
      [...this.jobs.values()].map((job) => ({ job, createdAt: job.createdAt, name: job.id })),
      query.order,
    ).map(({ job }) => job);
    if (query.queue) jobs = jobs.filter((job) => job.queue === queueArn(query.queue!));
    if (query.status) jobs = jobs.filter((job) => job.status === query.status);
    const { page, nextToken } = pageOf(jobs, query);
    return { jobs: page, nextToken };
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
    try {
      await this.options.publish(jobStateChange(job, detail));
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
      const details = await transcode(job, dir, {
        ...this.options,
        onProgress: (percent) => void this.emit(job, statusUpdate(percent)),
      });
      if (job.status !== 'PROGRESSING') return;
      job.status = 'COMPLETE';
      job.finishedAt = new Date();
      job.jobPercentComplete = 100;
      job.outputGroupDetails = details;
      await this.emit(job, {
        status: 'COMPLETE',
        outputGroupDetails: details,
        localPhasesMs: job.phasesMs,
      });
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
}

/** A local MediaConvert job: what CreateJob stored, its state, and its wire form for GetJob/ListJobs. */
import type { ChildProcess } from 'node:child_process';
import type { OutputGroupSpec, TranscodeSpec } from './settings/spec.ts';

export const ACCOUNT_ID = '000000000000';
export const REGION = 'us-east-1';

export type JobStatus = 'SUBMITTED' | 'PROGRESSING' | 'COMPLETE' | 'CANCELED' | 'ERROR';

// biome-ignore lint/suspicious/noExplicitAny: job documents are open JSON as sent on the wire
type Json = any;

export interface OutputDetail {
  outputFilePaths: string[];
  durationInMs?: number;
  videoDetails?: {
    widthInPx: number;
    heightInPx: number;
    /** Muxed stream (video, audio, container), bits/s: the HLS AVERAGE-BANDWIDTH. */
    averageBitrate?: number;
    /** Local extension, muxed like averageBitrate: the HLS BANDWIDTH (peak segment rate), bits/s. */
    peakBitrate?: number;
  };
}

export interface GroupDetail {
  type: OutputGroupSpec['type'];
  playlistFilePaths?: string[];
  outputDetails: OutputDetail[];
}

export interface Job {
  id: string;
  arn: string;
  status: JobStatus;
  queue: string;
  role: string;
  /** The job's settings, with its template's applied. */
  settings: Json;
  jobTemplate?: string;
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

export const queueArn = (name: string) =>
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
    jobTemplate: job.jobTemplate,
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

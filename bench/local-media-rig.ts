/**
 * The emulators the media benchmarks run jobs on: s3rver with the benchmark's buckets and one local
 * MediaConvert endpoint, each job awaited through the endpoint's own job events.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateJobCommand, MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { startS3 } from '#local/emulators/s3.ts';
import type { JobStateChangeEvent } from '#local/mediaconvert/job-events.ts';
import { startMediaConvertServer } from '#local/mediaconvert/server.ts';
import { localS3Client } from '#local/mediaconvert/storage.ts';

export const BENCH_BUCKETS = { uploads: 'bench-uploads', media: 'bench-media' } as const;

export interface LocalMediaRig {
  /** A temporary folder the rig removes on close. */
  dir: string;
  s3Endpoint: string;
  s3: S3Client;
  mediaConvert: MediaConvertClient;
  /** Submits a job and waits for its final event; throws unless it ended COMPLETE. */
  runJob(request: object): Promise<{ ms: number; final: JobStateChangeEvent }>;
  close(): Promise<void>;
}

/** Starts s3rver (with BENCH_BUCKETS) and the local endpoint under a fresh temporary folder. */
export async function startLocalMediaRig(prefix: string): Promise<LocalMediaRig> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const s3Server = await startS3({ port: 0, dir: path.join(dir, 's3'), onRecord: () => {} });
  const s3 = localS3Client(s3Server.endpoint);
  for (const bucket of Object.values(BENCH_BUCKETS))
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const waiters = new Map<string, (event: JobStateChangeEvent) => void>();
  const server = await startMediaConvertServer({
    s3: s3Server.endpoint,
    workDir: path.join(dir, 'work'),
    publish: async (event) => {
      if (['COMPLETE', 'ERROR'].includes(String(event.detail.status)))
        waiters.get(String(event.detail.jobId))?.(event);
    },
  });
  const mediaConvert = new MediaConvertClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
  });
  return {
    dir,
    s3Endpoint: s3Server.endpoint,
    s3,
    mediaConvert,
    async runJob(request) {
      const start = performance.now();
      const { Job } = await mediaConvert.send(new CreateJobCommand(request as never));
      const final = await new Promise<JobStateChangeEvent>((resolve) => waiters.set(Job!.Id!, resolve));
      if (final.detail.status !== 'COMPLETE')
        throw new Error(`bench job failed: ${JSON.stringify(final.detail)}`);
      return { ms: performance.now() - start, final };
    },
    async close() {
      mediaConvert.destroy();
      await server.close();
      s3.destroy();
      await s3Server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

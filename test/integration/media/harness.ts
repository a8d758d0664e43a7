/** Starts s3rver and the local MediaConvert endpoint in a temp directory for one test file. */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { localS3Client } from '#local/mediaconvert/storage.ts';
import { sharedVideoDir } from '../../support/videos.ts';
import { sharedDataPath } from '../../support/fixtures.ts';
import {
  type JobStateChangeEvent,
  type MediaConvertServerOptions,
  startMediaConvertServer,
} from '#local/mediaconvert/server.ts';

const require = createRequire(import.meta.url);

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

export const sharedVideo = path.resolve(sharedDataPath(), 'video');

/** Netflix's VMAF v0.6.1 model in the shared data (see its SOURCES.md). */
export const sharedVmafModel = path.resolve(sharedVideo, '..', 'vmaf', 'vmaf_v0.6.1.pkl');

/** Whether the media tests skip: only on an explicit MARQUEE_SKIP_MEDIA_DATA=1 (see sharedVideoDir). */
export function skipWithoutSharedVideo(clip = 'bbb_prog_10s.mp4'): boolean {
  return sharedVideoDir(clip) === undefined;
}

export interface MediaHarness {
  s3: S3Client;
  s3Url: string;
  mediaConvert: MediaConvertClient;
  mediaConvertUrl: string;
  events: JobStateChangeEvent[];
  dir: string;
  put(bucket: string, key: string, body: Buffer | string): Promise<string>;
  putFile(bucket: string, key: string, file: string): Promise<string>;
  /** Uploads a shared clip (by name) to the uploads bucket under `key`; returns its s3:// URI. */
  putSharedClip(key: string, clip?: string): Promise<string>;
  /** Resolves with the job's final event (COMPLETE, ERROR or CANCELED). */
  settled(jobId: string, timeoutMs?: number): Promise<JobStateChangeEvent>;
  close(): Promise<void>;
}

export const BUCKETS = ['uploads-bucket', 'media-bucket'];

export async function startMediaHarness(
  overrides: Partial<MediaConvertServerOptions> = {},
): Promise<MediaHarness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-media-'));
  const S3rver = require('s3rver') as S3rverClass;
  const s3rver = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: path.join(dir, 's3'),
    configureBuckets: BUCKETS.map((name) => ({ name })),
  });
  const { port } = await s3rver.run();
  const s3Url = `http://127.0.0.1:${port}`;
  const s3 = localS3Client(s3Url);
  const events: JobStateChangeEvent[] = [];
  const waiters: (() => void)[] = [];
  const server = await startMediaConvertServer({
    s3: s3Url,
    workDir: path.join(dir, 'work'),
    publish: async (event) => {
      events.push(event);
      for (const wake of waiters.splice(0)) wake();
    },
    ...overrides,
  });
  const mediaConvert = new MediaConvertClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const put = async (bucket: string, key: string, body: Buffer | string) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return `s3://${bucket}/${key}`;
  };
  return {
    s3,
    s3Url,
    mediaConvert,
    mediaConvertUrl: server.url,
    events,
    dir,
    put,
    putFile: async (bucket, key, file) => put(bucket, key, await readFile(file)),
    putSharedClip: async (key, clip = 'bbb_prog_10s.mp4') =>
      put('uploads-bucket', key, await readFile(path.join(sharedVideo, clip))),
    settled(jobId, timeoutMs = 120_000) {
      const final = () =>
        events.find(
          (e) =>
            e.detail.jobId === jobId && ['COMPLETE', 'ERROR', 'CANCELED'].includes(String(e.detail.status)),
        );
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`job ${jobId} did not settle in ${timeoutMs} ms`)),
          timeoutMs,
        );
        const check = () => {
          const event = final();
          if (event) {
            clearTimeout(timer);
            resolve(event);
          } else waiters.push(check);
        };
        check();
      });
    },
    async close() {
      mediaConvert.destroy();
      await server.close();
      await s3rver.close();
      s3.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A MediaConvert-compatible REST endpoint backed by ffmpeg, for local runs and tests. It speaks the
 * service's restJson1 wire format (lowerCamelCase members, map keys as given, epoch-second timestamps,
 * `x-amzn-errortype` errors), so `@aws-sdk/client-mediaconvert` works against it unchanged.
 *
 * Operations: CreateJob, GetJob, ListJobs, CancelJob, DescribeEndpoints, Probe.
 */
import { mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { resolveFfmpegPath, resolveFfprobePath } from './binaries.ts';
import { ffprobe, toProbeResult } from './ffprobe.ts';
import { jobToWire } from './job.ts';
import type { JobStateChangeEvent } from './job-events.ts';
import { JobRunner } from './job-runner.ts';
import { downloadObject, localS3Client } from './storage.ts';
import { MediaConvertApiError } from './api-errors.ts';
import { parseS3Uri } from './s3-uri.ts';

export type { JobStateChangeEvent } from './job-events.ts';

export interface MediaConvertServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: '127.0.0.1' | string;
  /** S3 client config, or the S3 server's endpoint URL. */
  s3: S3ClientConfig | string;
  /** Delivers each Job State Change event (EventBridge shape) to the local event bus or a test collector. */
  publish: (event: JobStateChangeEvent) => Promise<void>;
  /** Jobs transcoding at once; more wait in the queue. Default 1 (the machine has 2 cores). */
  concurrency?: number;
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Scratch directory for inputs and outputs; each job's folder is removed when it settles. */
  workDir: string;
  /** x264/x265 preset used for every output. Default `veryfast`. */
  preset?: string;
  /** Measure PSNR and SSIM of each video output against the source after the job. Default true. */
  measureQuality?: boolean;
  /** Shortest gap between STATUS_UPDATE events, ms. Default 1000. */
  statusUpdateMs?: number;
}

export interface MediaConvertServer {
  url: string;
  close(): Promise<void>;
}

const API = '/2017-08-29';

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new MediaConvertApiError(400, 'BadRequestException', 'the request body is not valid JSON');
  }
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
    ...headers,
  });
  response.end(text);
}

/** Starts the endpoint; resolves once it listens. */
export async function startMediaConvertServer(
  options: MediaConvertServerOptions,
): Promise<MediaConvertServer> {
  const s3 = localS3Client(options.s3);
  const ffprobePath = options.ffprobePath ?? resolveFfprobePath();
  await mkdir(options.workDir, { recursive: true });
  const runner = new JobRunner({
    s3,
    publish: options.publish,
    concurrency: options.concurrency ?? 1,
    ffmpegPath: options.ffmpegPath ?? resolveFfmpegPath(),
    ffprobePath,
    workDir: path.join(options.workDir, 'jobs'),
    preset: options.preset ?? 'veryfast',
    measureQuality: options.measureQuality ?? true,
    statusUpdateMs: options.statusUpdateMs ?? 1000,
  });
  let url = '';

  async function probe(body: { inputFiles?: { fileUrl?: string }[] }) {
    const files = body.inputFiles ?? [];
    if (files.length === 0)
      throw new MediaConvertApiError(400, 'BadRequestException', 'inputFiles: at least one file is required');
    const probeResults = [];
    for (const [i, file] of files.entries()) {
      const location = parseS3Uri(file.fileUrl, `inputFiles[${i}].fileUrl`);
      const local = path.join(
        options.workDir,
        'probe',
        crypto.randomUUID(),
        path.posix.basename(location.key) || 'input',
      );
      try {
        let object: { size: number; eTag?: string; contentType?: string };
        try {
          object = await downloadObject(s3, location.bucket, location.key, local);
        } catch (error) {
          const name = (error as Error).name;
          if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket') {
            throw new MediaConvertApiError(
              400,
              'BadRequestException',
              `inputFiles[${i}].fileUrl: ${file.fileUrl} does not exist`,
            );
          }
          throw error;
        }
        let result: ReturnType<typeof toProbeResult>;
        try {
          result = toProbeResult(await ffprobe(ffprobePath, local), {
            fileSize: object.size,
            eTag: object.eTag,
            mimeType: object.contentType,
          });
        } catch (error) {
          // An unreadable file still gets a result, as the service does: metadata without a container.
          result = {
            container: undefined as never,
            metadata: { fileSize: object.size, eTag: object.eTag, mimeType: object.contentType },
            trackMappings: [],
          };
          console.warn(`local mediaconvert: probe of ${file.fileUrl}: ${(error as Error).message}`);
        }
        probeResults.push(result);
      } finally {
        await rm(path.dirname(local), { recursive: true, force: true });
      }
    }
    return { probeResults };
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const pathname = target.pathname.replace(/\/+$/, '');
    const jobMatch = new RegExp(`^${API}/jobs/([^/]+)$`).exec(pathname);
    if (method === 'POST' && pathname === `${API}/jobs`) {
      const job = runner.create(await readJson(request));
      return send(response, 201, { job: jobToWire(job) });
    }
    if (method === 'GET' && jobMatch) {
      const job = runner.get(decodeURIComponent(jobMatch[1]));
      if (!job)
        throw new MediaConvertApiError(
          404,
          'NotFoundException',
          `The specified job ${jobMatch[1]} does not exist.`,
        );
      return send(response, 200, { job: jobToWire(job) });
    }
    if (method === 'DELETE' && jobMatch) {
      await runner.cancel(decodeURIComponent(jobMatch[1]));
      return send(response, 202, {});
    }
    if (method === 'GET' && pathname === `${API}/jobs`) {
      const query = target.searchParams;
      const maxResults = query.get('maxResults');
      const page = runner.list({
        maxResults: maxResults ? Number(maxResults) : undefined,
        nextToken: query.get('nextToken') ?? undefined,
        order: query.get('order') ?? undefined,
        queue: query.get('queue') ?? undefined,
        status: query.get('status') ?? undefined,
      });
      return send(response, 200, { jobs: page.jobs.map(jobToWire), nextToken: page.nextToken });
    }
    if (method === 'POST' && pathname === `${API}/endpoints`) {
      await readJson(request);
      return send(response, 200, { endpoints: [{ url }] });
    }
    if (method === 'POST' && pathname === `${API}/probe`) {
      return send(response, 200, await probe((await readJson(request)) as never));
    }
    throw new MediaConvertApiError(
      method === 'GET' || method === 'POST' || method === 'DELETE' || method === 'PUT' ? 400 : 405,
      'BadRequestException',
      `${method} ${target.pathname} is not supported by the local MediaConvert endpoint`,
    );
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (error instanceof MediaConvertApiError) {
        send(response, error.statusCode, { message: error.message }, { 'x-amzn-errortype': error.errorType });
        return;
      }
      console.error('local mediaconvert: internal error', error);
      send(
        response,
        500,
        { message: 'internal error' },
        { 'x-amzn-errortype': 'InternalServerErrorException' },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  url = `http://${address.address}:${address.port}`;
  return {
    url,
    async close() {
      await runner.drain();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A MediaConvert-compatible REST endpoint backed by ffmpeg, for local runs and tests. It speaks the
 * service's restJson1 wire format (lowerCamelCase members, map keys as given, epoch-second timestamps,
 * `x-amzn-errortype` errors), so `@aws-sdk/client-mediaconvert` works against it unchanged.
 *
 * Operations: CreateJob, GetJob, ListJobs, CancelJob, DescribeEndpoints, Probe, and Create/Get/List/
 * DeletePreset and Create/Get/List/DeleteJobTemplate.
 */
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { resolveFfmpegPath, resolveFfprobePath } from './binaries.ts';
import type { JobStateChangeEvent } from './job-events.ts';
import { JobRunner } from './job-runner.ts';
import { JobTemplateStore } from './job-templates.ts';
import { PresetCatalog } from './presets.ts';
import { localS3Client } from './storage.ts';
import { MediaConvertApiError } from './api-errors.ts';
import { type ApiRoute, apiRoutes } from './api-routes.ts';

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
  /** Shortest gap between STATUS_UPDATE events, ms. Default 1000. */
  statusUpdateMs?: number;
  /**
   * Longest a job's ffmpeg run may take, ms, given the seconds of video it makes; a stuck run fails
   * the job (ERROR 1999) instead of hanging it. Default 2 minutes plus 30 s per second of video.
   */
  transcodeTimeoutMs?: (durationSec: number) => number;
}

export interface MediaConvertServer {
  url: string;
  close(): Promise<void>;
}

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

async function dispatch(
  routes: ApiRoute[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const target = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  const pathname = target.pathname.replace(/\/+$/, '');
  for (const candidate of routes) {
    const match = candidate.method === method ? candidate.path.exec(pathname) : null;
    if (!match) continue;
    const { status, body } = await candidate.handle({
      params: match.slice(1).map(decodeURIComponent),
      query: target.searchParams,
      body: () => readJson(request),
    });
    return send(response, status, body);
  }
  throw new MediaConvertApiError(
    ['GET', 'POST', 'DELETE', 'PUT'].includes(method) ? 400 : 405,
    'BadRequestException',
    `${method} ${target.pathname} is not supported by the local MediaConvert endpoint`,
  );
}

/** Answers an error as the service does; anything unexpected is a 500 without details. */
function sendError(response: ServerResponse, error: unknown): void {
  if (error instanceof MediaConvertApiError) {
    send(response, error.statusCode, { message: error.message }, { 'x-amzn-errortype': error.errorType });
    return;
  }
  console.error('local mediaconvert: internal error', error);
  send(response, 500, { message: 'internal error' }, { 'x-amzn-errortype': 'InternalServerErrorException' });
}

/** Starts the endpoint; resolves once it listens. */
export async function startMediaConvertServer(
  options: MediaConvertServerOptions,
): Promise<MediaConvertServer> {
  const s3 = localS3Client(options.s3);
  const ffprobePath = options.ffprobePath ?? resolveFfprobePath();
  await mkdir(options.workDir, { recursive: true });
  const presets = new PresetCatalog();
  const templates = new JobTemplateStore();
  const runner = new JobRunner({
    presets,
    templates,
    s3,
    publish: options.publish,
    concurrency: options.concurrency ?? 1,
    ffmpegPath: options.ffmpegPath ?? resolveFfmpegPath(),
    ffprobePath,
    workDir: path.join(options.workDir, 'jobs'),
    preset: options.preset ?? 'veryfast',
    statusUpdateMs: options.statusUpdateMs ?? 1000,
    transcodeTimeoutMs: options.transcodeTimeoutMs ?? ((durationSec) => 120_000 + 30_000 * durationSec),
  });
  let url = '';
  const routes = apiRoutes({
    runner,
    presets,
    templates,
    probe: { s3, ffprobePath, workDir: options.workDir },
    url: () => url,
  });
  const server = createServer((request, response) => {
    dispatch(routes, request, response).catch((error: unknown) => sendError(response, error));
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

/**
 * The local stand-in for the CloudFront distribution in front of the media bucket: serves the
 * bucket's objects from the S3 emulator over HTTP on 127.0.0.1, only to requests whose signature
 * passes CloudFront's checks (cloudfront-signature.ts), with the CORS headers a browser player needs
 * and Range requests passed through (MP4 seeking). A refused request gets CloudFront's 403 XML body;
 * the `x-marquee-denied` header (local only) says why, for tests and debugging.
 *
 * Also serves a development player (`/_marquee/player.html`, hls.js from node_modules) that is
 * not part of the CDN: no object key starts with `_marquee/`.
 */
import { createReadStream } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type ListeningServer, listenOnLoopback } from '../loopback.ts';
import { localS3Client } from '../mediaconvert/storage.ts';
import { checkSignedUrl, type Denial } from './cloudfront-signature.ts';

export interface PlaybackServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Endpoint of the S3 emulator. */
  s3: string;
  /** The bucket the CDN serves (the declared media bucket's physical name). */
  bucket: string;
  /** Public keys by key-pair id: the distribution's key group. */
  trustedKeys: ReadonlyMap<string, KeyObject>;
}

const require = createRequire(import.meta.url);
const PLAYER_FILES: Record<string, { file: string; contentType: string }> = {
  '/_marquee/player.html': {
    file: path.join(import.meta.dirname, 'player.html'),
    contentType: 'text/html; charset=utf-8',
  },
  '/_marquee/hls.min.js': {
    file: require.resolve('hls.js/dist/hls.min.js'),
    contentType: 'text/javascript; charset=utf-8',
  },
};

// What CloudFront's managed CORS-With-Preflight response headers policy adds.
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': '*',
};

/** Headers of an S3 answer that a CDN passes on to the viewer. */
const FORWARDED_HEADERS = [
  ['ContentType', 'content-type'],
  ['ContentLength', 'content-length'],
  ['ContentRange', 'content-range'],
  ['ETag', 'etag'],
  ['LastModified', 'last-modified'],
] as const;

type ObjectAnswer = { Body?: unknown } & Partial<Record<(typeof FORWARDED_HEADERS)[number][0], unknown>>;

function refuse(response: ServerResponse, denial: Pick<Denial, 'code' | 'message'>, reason: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${denial.code}</Code><Message>${denial.message}</Message></Error>`;
  response.writeHead(403, {
    ...CORS_HEADERS,
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-marquee-denied': reason,
  });
  response.end(body);
}

async function serveObject(
  s3: S3Client,
  bucket: string,
  request: IncomingMessage,
  response: ServerResponse,
  key: string,
): Promise<void> {
  const range = request.headers.range;
  const head = request.method === 'HEAD';
  let answer: ObjectAnswer;
  try {
    answer = head
      ? await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, Range: range }))
      : await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) {
      // With Origin Access Control and no s3:ListBucket, S3 answers a missing key with 403 too.
      refuse(response, { code: 'AccessDenied', message: 'Access Denied' }, 'no-such-object');
    } else if (status === 416) {
      response.writeHead(416, CORS_HEADERS).end();
    } else {
      response.writeHead(502, CORS_HEADERS).end();
    }
    return;
  }
  const headers: Record<string, string> = { ...CORS_HEADERS, 'accept-ranges': 'bytes' };
  for (const [member, header] of FORWARDED_HEADERS) {
    const value = answer[member];
    if (value !== undefined) headers[header] = value instanceof Date ? value.toUTCString() : String(value);
  }
  response.writeHead(range && answer.ContentRange ? 206 : 200, headers);
  if (head) response.end();
  else await pipeline(answer.Body as Readable, response);
}

/** The full URL asked for and the object key it names; undefined when either is malformed (400). */
function requestTarget(request: IncomingMessage): { url: URL; key: string } | undefined {
  try {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
    return { url, key: decodeURIComponent(url.pathname.slice(1)) };
  } catch {
    return undefined;
  }
}

function servePlayerFile(response: ServerResponse, pathname: string): boolean {
  const asset = PLAYER_FILES[pathname];
  if (!asset) return false;
  response.writeHead(200, { 'content-type': asset.contentType, 'cache-control': 'no-store' });
  createReadStream(asset.file).pipe(response);
  return true;
}

/** Starts the server on 127.0.0.1. */
export async function startPlaybackServer(options: PlaybackServerOptions): Promise<ListeningServer> {
  const s3 = localS3Client(options.s3);

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const target = requestTarget(request);
    if (!target) {
      response.writeHead(400, CORS_HEADERS).end();
      return;
    }
    const { url, key } = target;
    if (request.method === 'GET' && servePlayerFile(response, url.pathname)) return;
    if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method ?? '')) {
      // The distribution allows GET, HEAD and OPTIONS only.
      refuse(response, { code: 'AccessDenied', message: 'Access denied' }, 'method');
      return;
    }
    const denial = checkSignedUrl(
      url,
      options.trustedKeys,
      Math.floor(Date.now() / 1000),
      request.socket.remoteAddress ?? '',
    );
    if (denial) {
      refuse(response, denial, denial.reason);
      return;
    }
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        ...CORS_HEADERS,
        'access-control-allow-methods': 'GET, HEAD, OPTIONS',
        'access-control-allow-headers': request.headers['access-control-request-headers'] ?? '*',
        'access-control-max-age': '600',
      });
      response.end();
      return;
    }
    await serveObject(s3, options.bucket, request, response, key);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      // The viewer went away mid-body, or S3 failed after the headers: nothing more can be said.
      if (!response.headersSent) response.writeHead(502, CORS_HEADERS);
      response.end();
    });
  });
  const listening = await listenOnLoopback(server, options.port);
  return {
    url: listening.url,
    close: async () => {
      await listening.close();
      s3.destroy();
    },
  };
}

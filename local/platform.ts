/**
 * The whole platform on one machine: DynamoDB Local, s3rver, the local MediaConvert endpoint,
 * the event bus and the HTTP gateway, wired from the one declaration. The handlers and AWS SDK
 * clients are the ones Lambda runs; only the AWS_ENDPOINT_URL_* variables point them here.
 */
import { mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buckets, playbackBucket, s3Triggers } from '#platform/declaration.ts';
import { DevAuthority } from './dev-auth.ts';
import { startDynamoDb, type RunningDynamoDb } from './emulators/dynamodb.ts';
import { startS3, type RunningS3 } from './emulators/s3.ts';
import { LocalEventBus } from './event-bus.ts';
import { startGateway } from './gateway.ts';
import { LocalLambdaRuntime } from './lambda-runtime.ts';
import { startLocalPlayback } from './playback/start.ts';
import { localClients, provisionBuckets, provisionTables } from './provision.ts';
import { toLambdaS3Event } from './s3-notifications.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where `npm start` and the scripts keep local state unless told otherwise. */
export const defaultStateDir = path.join(repoRoot, '.marquee', 'state');

export interface PlatformOptions {
  /** Where state lives; absent: a throwaway folder and in-memory DynamoDB (tests). */
  stateDir?: string;
  /** Wipe the state first. */
  fresh?: boolean;
  /** Gateway port; 0 picks a free one. */
  port?: number;
  /** Enforce bearer tokens and scopes like the cloud's JWT authorizer. */
  auth?: boolean;
  /** Run the declared schedules on the wall clock. */
  schedules?: boolean;
  /** Start the ffmpeg-backed MediaConvert endpoint. */
  mediaConvert?: boolean;
  /** Extra environment for the functions (e.g. model config). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface LocalPlatform {
  url: string;
  endpoints: { dynamodb: string; s3: string; mediaconvert?: string; playback?: string };
  /** Physical names by environment variable (ITEMS_TABLE, UPLOADS_BUCKET, ...). */
  names: Record<string, string>;
  runtime: LocalLambdaRuntime;
  bus: LocalEventBus;
  /** A token with every scope when auth is on. */
  token?: string;
  auth?: DevAuthority;
  /** Waits until every S3 notification and bus delivery so far has been handled. */
  settle(): Promise<void>;
  /** Saves the DynamoDB working copy to the state folder (after bulk loads). */
  checkpoint(): void;
  stop(): Promise<void>;
}

/**
 * The environment every function gets locally: the SDK pointed at the emulators, checksums only
 * when required (s3rver), metrics off, and the physical table and bucket names by variable.
 */
export function functionEnv(
  endpoints: { dynamodb: string; s3: string },
  names: Record<string, string>,
): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    // What the Media stack sets in AWS; the local MediaConvert endpoint accepts any queue and role.
    MEDIACONVERT_QUEUE_ARN: 'Default',
    MEDIACONVERT_ROLE_ARN: 'arn:aws:iam::000000000000:role/marquee-local-mediaconvert',
    ...names,
  };
}

export class PortInUseError extends Error {}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', () =>
      reject(new PortInUseError(`port ${port} is already in use; pick another with --port or PORT`)),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

export async function startPlatform(options: PlatformOptions = {}): Promise<LocalPlatform> {
  const log = options.log ?? (() => {});
  await assertPortFree(options.port ?? 0);
  const persistent = options.stateDir !== undefined;
  const stateDir =
    options.stateDir ?? path.join(repoRoot, '.marquee', 'tmp', `run-${process.pid}-${Date.now()}`);
  if (options.fresh || !persistent) rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    if (!persistent) rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    const [dynamoPort, s3Port] = [await freePort(), await freePort()];
    const runtime = new LocalLambdaRuntime(repoRoot, log);
    const pendingTriggers = new Set<Promise<unknown>>();
    let bucketEnvByName: Record<string, string> = {};
    // Both emulators start at once: Java's start-up dominates the time to ready.
    const [dynamoStart, s3Start] = await Promise.allSettled([
      startDynamoDb({ port: dynamoPort, dir: persistent ? path.join(stateDir, 'dynamodb') : undefined }),
      startS3({
        port: s3Port,
        dir: path.join(stateDir, 's3'),
        onRecord: (record) => {
          if (!record.eventName.startsWith('ObjectCreated')) return;
          const bucketEnv = bucketEnvByName[record.s3.bucket.name];
          for (const trigger of s3Triggers) {
            if (buckets[trigger.bucket].env !== bucketEnv) continue;
            const p = runtime.invoke(trigger.function, toLambdaS3Event(record)).catch(() => {});
            pendingTriggers.add(p);
            void p.finally(() => pendingTriggers.delete(p));
          }
        },
      }),
    ]);
    if (dynamoStart.status === 'fulfilled') stops.push(dynamoStart.value.stop);
    if (s3Start.status === 'fulfilled') stops.push(s3Start.value.stop);
    if (dynamoStart.status === 'rejected') throw dynamoStart.reason;
    if (s3Start.status === 'rejected') throw s3Start.reason;
    const dynamo: RunningDynamoDb = dynamoStart.value;
    const s3: RunningS3 = s3Start.value;

    const clients = localClients({ dynamodb: dynamo.endpoint, s3: s3.endpoint });
    const names = {
      ...(await provisionTables(clients.dynamodb, 'marquee')),
      ...(await provisionBuckets(clients.s3, 'marquee')),
    };
    clients.dynamodb.destroy();
    clients.s3.destroy();
    bucketEnvByName = Object.fromEntries(Object.entries(names).map(([env, name]) => [name, env]));

    const bus = new LocalEventBus((fn, event) => runtime.invoke(fn, event), log);
    stops.push(() => bus.stop());

    // Everything the functions read, set before any handler module is imported.
    Object.assign(process.env, {
      ...functionEnv({ dynamodb: dynamo.endpoint, s3: s3.endpoint }, names),
      MARQUEE_STAGE: 'local',
      // Serving's split artifacts live with the rest of the local state (Lambda's /tmp in AWS).
      MODELS_CACHE_DIR: path.join(stateDir, 'models-cache'),
      ...options.env,
    });

    const endpoints: LocalPlatform['endpoints'] = { dynamodb: dynamo.endpoint, s3: s3.endpoint };
    // The CDN in front of the served bucket; its URL and signing key reach the signing function.
    const servedBucket = playbackBucket();
    if (servedBucket) {
      const playback = await startLocalPlayback({
        stateDir,
        s3: s3.endpoint,
        bucket: names[buckets[servedBucket].env],
      });
      stops.push(playback.close);
      endpoints.playback = playback.url;
      Object.assign(process.env, playback.env);
    }
    if (options.mediaConvert !== false) {
      const mediaconvert = await startLocalMediaConvert(stateDir, s3.endpoint, bus, log);
      if (mediaconvert) {
        stops.push(mediaconvert.close);
        endpoints.mediaconvert = mediaconvert.url;
        process.env.AWS_ENDPOINT_URL_MEDIACONVERT = mediaconvert.url;
      }
    }

    const auth = options.auth ? new DevAuthority() : undefined;
    const gateway = await startGateway({
      port: options.port ?? 0,
      invoke: (fn, event: APIGatewayProxyEventV2) => runtime.invoke(fn, event),
      auth,
      log,
    });
    stops.push(gateway.close);
    if (options.schedules) bus.startSchedules();

    return {
      url: gateway.url,
      endpoints,
      names,
      runtime,
      bus,
      auth,
      token: auth?.issue('local-developer', ['marquee/read', 'marquee/write', 'marquee/admin']),
      settle: async () => {
        while (pendingTriggers.size > 0) await Promise.allSettled([...pendingTriggers]);
        await bus.drain();
      },
      checkpoint: () => dynamo.checkpoint(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Starts the ffmpeg-backed MediaConvert endpoint if its module is present. */
async function startLocalMediaConvert(
  stateDir: string,
  s3Endpoint: string,
  bus: LocalEventBus,
  log: (line: string) => void,
): Promise<{ url: string; close(): Promise<void> } | undefined> {
  // Loaded lazily: ffmpeg is only needed by the video pipeline.
  const module = await import('./mediaconvert/server.ts').catch((error) => {
    log(`MediaConvert endpoint unavailable: ${(error as Error).message}`);
    return undefined;
  });
  if (!module) return undefined;
  return module.startMediaConvertServer({
    port: 0,
    workDir: path.join(stateDir, 'mediaconvert'),
    s3: s3Endpoint,
    publish: async (event) => {
      bus.put([event]);
    },
  });
}

/**
 * The whole platform on one machine: DynamoDB Local, s3rver and the local MediaConvert endpoint
 * (each in a supervised child process, restarted if it dies), the event bus and the HTTP gateway,
 * wired from the one declaration. The handlers and AWS SDK clients are the ones Lambda runs; only
 * the AWS_ENDPOINT_URL_* variables point them here.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buckets, oauthScope, playbackBucket, s3Triggers } from '#platform/declaration.ts';
import { localConsoleSite } from './console-site.ts';
import { DevAuthority } from './dev-auth.ts';
import { recoverLegacyWorkingCopies, startDynamoDb } from './emulators/dynamodb.ts';
import { startMediaConvert } from './emulators/mediaconvert.ts';
import { resolveFfmpegPath } from './mediaconvert/binaries.ts';
import { type S3rverRecord, startS3 } from './emulators/s3.ts';
import { LocalEventBus } from './event-bus.ts';
import { startGateway } from './gateway.ts';
import { LocalLambdaRuntime } from './lambda-runtime.ts';
import {
  LOCAL_RECOMMENDATION_ID_SECRET,
  localRecommendationIdKey,
} from './experiments/recommendation-id-key.ts';
import { secretArnOf } from './emulators/secrets-manager.ts';
import { type LocalPlayback, startLocalPlayback } from './playback/start.ts';
import { type LocalStreamTriggers, startStreamTriggers } from './stream-triggers.ts';
import { startLocalStepFunctions } from './step-functions.ts';
import { localClients, provisionBuckets, provisionTables } from './provision.ts';
import { toLambdaS3Event } from './s3-notifications.ts';
import { lockStateDir, STATE_LOCK_FILE } from './state-lock.ts';
import { type EmulatorState, type SupervisedEmulator, supervise } from './supervisor.ts';

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
  /** Names the command holding the state folder's lock (shown to a second one). */
  command?: string;
  /** Details: each request, each function failure with its stack (--verbose). */
  log?: (line: string) => void;
  /** What a user should hear about even when quiet: an emulator dying and coming back. */
  notice?: (line: string) => void;
}

/** What the local runtime adds to GET /health: each emulator, and phases such as seeding. */
export interface LocalStatus {
  emulators: Record<string, { state: EmulatorState; restarts: number }>;
  [phase: string]: unknown;
}

export interface LocalPlatform {
  url: string;
  endpoints: { dynamodb: string; s3: string; mediaconvert?: string; playback?: string };
  /** Physical names by environment variable (ITEMS_TABLE, UPLOADS_BUCKET, ...). */
  names: Record<string, string>;
  runtime: LocalLambdaRuntime;
  bus: LocalEventBus;
  /** The supervised emulators (DynamoDB Local, S3, MediaConvert). */
  emulators: SupervisedEmulator[];
  /** A token with every scope when auth is on. */
  token?: string;
  auth?: DevAuthority;
  /** Sets a phase shown under `local` in GET /health (`seeding`, `training`); undefined removes it. */
  setPhase(name: string, status: unknown): void;
  /** Waits until every S3 notification, bus delivery and stream record so far has been handled. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The environment every function gets locally: the SDK pointed at the emulators, checksums only
 * when required (s3rver), metrics off, logs at ERROR unless asked, and the physical table and
 * bucket names by variable.
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
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
    // What the Media stack sets in AWS; the local MediaConvert endpoint accepts any queue and role.
    MEDIACONVERT_QUEUE_ARN: 'Default',
    MEDIACONVERT_ROLE_ARN: 'arn:aws:iam::000000000000:role/marquee-local-mediaconvert',
    // The ffmpeg layer's binary in AWS; here the npm installer's (or FFMPEG_PATH when set).
    FFMPEG_PATH: resolveFfmpegPath(),
    // The ffmpeg layer carries the VMAF model in AWS; here only a model given by path (none: assets say so).
    MEDIA_VMAF_MODEL_PATH: process.env.MEDIA_VMAF_MODEL_PATH ?? '',
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

/** Things to stop, last started first; a failure to stop one is logged and the others still stop. */
class StopList {
  private readonly steps: { name: string; stop: () => Promise<void> | void }[] = [];

  constructor(private readonly log: (line: string) => void) {}

  add(name: string, stop: () => Promise<void> | void): void {
    this.steps.push({ name, stop });
  }

  async run(): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await step.stop();
      } catch (error) {
        this.log(`could not stop ${step.name}: ${(error as Error).message}`);
      }
    }
    this.steps.length = 0;
  }
}

/**
 * The state folder, locked for this process: the given one (wiped first with `fresh`), or a
 * throwaway one that stop() removes.
 */
function prepareStateDir(options: PlatformOptions, stops: StopList): { dir: string; persistent: boolean } {
  const persistent = options.stateDir !== undefined;
  const dir = options.stateDir ?? path.join(repoRoot, '.marquee', 'tmp', `run-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  // Locked before anything is wiped: --fresh must not empty a folder another platform is using.
  const lock = lockStateDir(dir, options.command ?? 'marquee');
  stops.add('the state folder lock', () => lock.release());
  if (options.fresh)
    for (const entry of readdirSync(dir))
      if (entry !== STATE_LOCK_FILE) rmSync(path.join(dir, entry), { recursive: true, force: true });
  if (!persistent)
    stops.add('the throwaway state folder', () => rmSync(dir, { recursive: true, force: true }));
  return { dir, persistent };
}

/** S3 object events, delivered to the declared triggers once the buckets' names are known. */
class S3Triggers {
  private bucketEnvByName: Record<string, string> = {};
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly runtime: LocalLambdaRuntime,
    private readonly log: (line: string) => void,
  ) {}

  bind(names: Record<string, string>): void {
    this.bucketEnvByName = Object.fromEntries(Object.entries(names).map(([env, name]) => [name, env]));
  }

  deliver = (record: S3rverRecord): void => {
    if (!record.eventName.startsWith('ObjectCreated')) return;
    const bucketEnv = this.bucketEnvByName[record.s3.bucket.name];
    for (const trigger of s3Triggers) {
      if (buckets[trigger.bucket].env !== bucketEnv) continue;
      // The runtime logs the failure itself; as in AWS, an async invocation's error reaches no caller.
      const invocation = this.runtime
        .invoke(trigger.function, toLambdaS3Event(record))
        .catch((error: Error) =>
          this.log(`${trigger.function} failed on ${record.s3.object.key}: ${error.message}`),
        );
      this.pending.add(invocation);
      void invocation.finally(() => this.pending.delete(invocation));
    }
  };

  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

/** DynamoDB Local and the S3 server, both supervised, both started at once (Java dominates). */
async function startStorage(
  state: { dir: string; persistent: boolean },
  triggers: S3Triggers,
  log: (line: string) => void,
  stops: StopList,
): Promise<{
  dynamodb: SupervisedEmulator & { endpoint: string };
  s3: SupervisedEmulator & { endpoint: string };
}> {
  const [dynamoPort, s3Port] = [await freePort(), await freePort()];
  const dynamoDir = state.persistent ? path.join(state.dir, 'dynamodb') : undefined;
  if (dynamoDir) {
    const recovered = recoverLegacyWorkingCopies(dynamoDir);
    if (recovered.adopted) log('recovered the newest database from an earlier run that did not stop cleanly');
  }
  const [dynamodb, s3] = await Promise.allSettled([
    supervise('DynamoDB Local', () => startDynamoDb({ port: dynamoPort, dir: dynamoDir, warn: log }), log),
    supervise(
      'the S3 server',
      () => startS3({ port: s3Port, dir: path.join(state.dir, 's3'), onRecord: triggers.deliver }),
      log,
    ),
  ]);
  if (dynamodb.status === 'fulfilled') stops.add('DynamoDB Local', dynamodb.value.stop);
  if (s3.status === 'fulfilled') stops.add('the S3 server', s3.value.stop);
  if (dynamodb.status === 'rejected') throw dynamodb.reason;
  if (s3.status === 'rejected') throw s3.reason;
  return {
    dynamodb: Object.assign(dynamodb.value, { endpoint: `http://127.0.0.1:${dynamoPort}` }),
    s3: Object.assign(s3.value, { endpoint: `http://127.0.0.1:${s3Port}` }),
  };
}

/** Creates the declared tables and buckets that do not exist yet; returns their names by variable. */
async function provisionDeclared(endpoints: {
  dynamodb: string;
  s3: string;
}): Promise<Record<string, string>> {
  const clients = localClients(endpoints);
  try {
    return {
      ...(await provisionTables(clients.dynamodb, 'marquee')),
      ...(await provisionBuckets(clients.s3, 'marquee')),
    };
  } finally {
    clients.dynamodb.destroy();
    clients.s3.destroy();
  }
}

/** The playback server in front of the declared served bucket (none declared: none started). */
async function startPlayback(
  stateDir: string,
  s3Endpoint: string,
  names: Record<string, string>,
  stops: StopList,
): Promise<LocalPlayback | undefined> {
  const served = playbackBucket();
  if (!served) return undefined;
  const playback = await startLocalPlayback({
    stateDir,
    s3: s3Endpoint,
    bucket: names[buckets[served].env],
    // The one Secrets Manager emulator serves every local secret.
    otherSecrets: {
      [LOCAL_RECOMMENDATION_ID_SECRET]: localRecommendationIdKey(path.join(stateDir, 'experiments')),
    },
  });
  stops.add('the playback server', playback.close);
  return playback;
}

/** The ffmpeg-backed MediaConvert endpoint, supervised; its job events go to the bus. */
async function startMedia(
  stateDir: string,
  s3Endpoint: string,
  bus: LocalEventBus,
  log: (line: string) => void,
  stops: StopList,
): Promise<SupervisedEmulator & { url: string }> {
  const port = await freePort();
  const media = await supervise(
    'the MediaConvert endpoint',
    () =>
      startMediaConvert({
        port,
        workDir: path.join(stateDir, 'mediaconvert'),
        s3Endpoint,
        onEvent: (event) => bus.put([event as Parameters<LocalEventBus['put']>[0][number]]),
      }),
    log,
  );
  stops.add('the MediaConvert endpoint', media.stop);
  return Object.assign(media, { url: `http://127.0.0.1:${port}` });
}

export async function startPlatform(options: PlatformOptions = {}): Promise<LocalPlatform> {
  const log = options.log ?? (() => {});
  const notice = options.notice ?? log;
  await assertPortFree(options.port ?? 0);
  const stops = new StopList(log);
  try {
    const state = prepareStateDir(options, stops);
    const runtime = new LocalLambdaRuntime(repoRoot, log);
    const triggers = new S3Triggers(runtime, notice);
    const { dynamodb, s3 } = await startStorage(state, triggers, notice, stops);
    const endpoints: LocalPlatform['endpoints'] = { dynamodb: dynamodb.endpoint, s3: s3.endpoint };
    const names = await provisionDeclared(endpoints);
    triggers.bind(names);

    const bus = new LocalEventBus((fn, event) => runtime.invoke(fn, event), log);
    stops.add('the event bus', () => bus.stop());
    // The CDN in front of the served bucket; its URL and signing key reach the signing function.
    const playback = await startPlayback(state.dir, s3.endpoint, names, stops);
    if (playback) endpoints.playback = playback.url;
    // The distributed retrain the retrain function starts above RETRAIN_DISTRIBUTED_ABOVE_EVENTS.
    const stepFunctions = await startLocalStepFunctions(
      (payload) => runtime.invoke('retrainShard', payload),
      notice,
      (event) => bus.put([event]),
    );
    stops.add('the Step Functions endpoint', stepFunctions.close);
    // Everything the functions read, set before any handler module is imported.
    Object.assign(process.env, {
      ...functionEnv(endpoints, names),
      AWS_ENDPOINT_URL_SFN: stepFunctions.url,
      ...playback?.env,
      RECOMMENDATION_ID_KEY_SECRET: secretArnOf(LOCAL_RECOMMENDATION_ID_SECRET),
      MARQUEE_STAGE: 'local',
      // Serving's split artifacts live with the rest of the local state (Lambda's /tmp in AWS).
      MODELS_CACHE_DIR: path.join(state.dir, 'models-cache'),
      ...options.env,
    });

    const emulators: SupervisedEmulator[] = [dynamodb, s3];
    if (options.mediaConvert !== false) {
      const media = await startMedia(state.dir, s3.endpoint, bus, notice, stops);
      emulators.push(media);
      endpoints.mediaconvert = media.url;
      process.env.AWS_ENDPOINT_URL_MEDIACONVERT = media.url;
    }

    const phases = new Map<string, unknown>();
    const localStatus = (): LocalStatus => ({
      emulators: Object.fromEntries(
        emulators.map((e) => [e.name, { state: e.state(), restarts: e.restarts() }]),
      ),
      ...Object.fromEntries(phases),
    });
    const auth = options.auth ? new DevAuthority() : undefined;
    const gateway = await startGateway({
      port: options.port ?? 0,
      invoke: (fn, event: APIGatewayProxyEventV2) => runtime.invoke(fn, event),
      auth,
      localStatus,
      site: localConsoleSite(path.join(state.dir, 'site'), {
        apiUrl: '',
        auth: { mode: auth ? 'token' : 'none' },
      }),
      log,
    });
    stops.add('the gateway', gateway.close);
    if (options.schedules) bus.startSchedules();
    // Stream triggers (experiment counters) poll DynamoDB Local's streams like event source mappings.
    const streams: LocalStreamTriggers = startStreamTriggers({
      dynamodbEndpoint: dynamodb.endpoint,
      names,
      runtime,
      log: notice,
    });
    stops.add('the stream triggers', streams.stop);

    return {
      url: gateway.url,
      endpoints,
      names,
      runtime,
      bus,
      emulators,
      auth,
      // The admin scope includes write and read.
      token: auth?.issue('local-developer', [oauthScope('admin')]),
      setPhase: (name, status) => (status === undefined ? phases.delete(name) : phases.set(name, status)),
      settle: async () => {
        await triggers.settle();
        await bus.drain();
        await stepFunctions.settle();
        // An execution's end reaches the bus (its status-change event) after the first drain.
        await bus.drain();
        await streams.settle();
      },
      stop: () => stops.run(),
    };
  } catch (error) {
    await stops.run();
    throw error;
  }
}

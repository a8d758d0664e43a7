/**
 * `npm start`: the whole platform on this machine. It answers within seconds; the demo data is
 * seeded and the models trained in the background, with progress shown as they go.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DynamoItemStore, DynamoUserStore } from '#adapters/dynamodb/catalog-stores.ts';
import { runCommand, stateDirOf, stateOption, UsageError } from './command-line.ts';
import { JavaMissingError } from './emulators/dynamodb.ts';
import { runFirstStart } from './first-start.ts';
import { defaultStateDir, type LocalPlatform, PortInUseError, startPlatform } from './platform.ts';
import { createProgress } from './progress.ts';
import { quietWarnings } from './quiet.ts';
import { writeRunningPlatform } from './running-platform.ts';
import { seedingNeeded } from './seed.ts';
import { StateLockedError } from './state-lock.ts';
import { vmafModelSources } from '../layers/build.ts';

const spec = {
  usage: 'npm start --',
  summary:
    'Runs Marquee on this machine: DynamoDB Local, an S3 server, a MediaConvert endpoint on ffmpeg, the event bus and the HTTP API. An empty store is seeded with generated demo data and the models are trained in the background.',
  options: {
    port: { type: 'integer', placeholder: 'N', description: 'HTTP port (or PORT)', min: 0, max: 65_535 },
    state: stateOption,
    fresh: { type: 'boolean', description: 'wipe the local state first' },
    auth: {
      type: 'boolean',
      description: 'require bearer tokens with scopes, as in AWS (prints a dev token)',
    },
    'no-seed': { type: 'boolean', description: 'start empty: no demo data' },
    'no-schedules': { type: 'boolean', description: 'do not run the declared schedules (retrain, trending)' },
    verbose: { type: 'boolean', description: 'show every request, function log and warning' },
  },
  examples: ['npm start', 'npm start -- --port 8080 --auth', 'npm start -- --state /tmp/marquee --no-seed'],
} as const;

/** Ids of data that exist (or are being seeded), for the example calls. */
/**
 * npm start measures VMAF with the model the layer build would ship, from the same local copies
 * (MARQUEE_VMAF_MODEL_DIR, ../shared/data/vmaf), unless MEDIA_VMAF_MODEL_PATH says otherwise.
 */
function localVmafModel(): Record<string, string> {
  if (process.env.MEDIA_VMAF_MODEL_PATH !== undefined) return {};
  const found = vmafModelSources()
    .map((dir) => path.join(dir, 'vmaf_v0.6.1.pkl'))
    .find((file) => existsSync(file));
  return found ? { MEDIA_VMAF_MODEL_PATH: found } : {};
}

async function exampleIds(
  platform: LocalPlatform,
  seeding: boolean,
): Promise<{ user: string; item: string } | undefined> {
  if (seeding) return { user: 'u00001', item: 'i00001' };
  const first = async <T>(pages: AsyncIterable<T[]>): Promise<T | undefined> => {
    for await (const page of pages) if (page.length > 0) return page[0];
    return undefined;
  };
  const [user, item] = await Promise.all([
    first(new DynamoUserStore(platform.names.USERS_TABLE).scan()),
    first(new DynamoItemStore(platform.names.ITEMS_TABLE).scan()),
  ]);
  return user && item ? { user: user.userId, item: item.itemId } : undefined;
}

function banner(
  platform: LocalPlatform,
  stateDir: string,
  readyMs: number,
  ids: { user: string; item: string } | undefined,
): string {
  const auth = platform.token ? ` -H "authorization: Bearer $MARQUEE_TOKEN"` : '';
  const url = platform.url;
  const calls = ids
    ? [
        `curl${auth} "${url}/users/${ids.user}/recommendations?k=5"`,
        `curl${auth} ${url}/items/${ids.item}/similar`,
        `curl${auth} ${url}/users/${ids.user}/profile`,
        `curl${auth} -X POST ${url}/events -H 'content-type: application/json' -d '{"events":[{"userId":"${ids.user}","itemId":"${ids.item}","type":"play"}]}'`,
      ]
    : [
        `curl${auth} -X PUT ${url}/items/my-item -H 'content-type: application/json' -d '{"title":"My first item","genres":["Drama"]}'`,
        `curl${auth} -X POST ${url}/events -H 'content-type: application/json' -d '{"events":[{"userId":"my-user","itemId":"my-item","type":"play"}]}'`,
        `curl${auth} "${url}/users/my-user/recommendations?k=5"`,
      ];
  return [
    `Marquee is running at ${url} (ready in ${(readyMs / 1000).toFixed(1)} s; state in ${path.relative(process.cwd(), stateDir) || '.'})`,
    `  Console: ${url}/console${platform.token ? ' (paste the dev token)' : ''}   API reference: ${url}/docs`,
    ...(platform.token ? [`  export MARQUEE_TOKEN=${platform.token}   # dev token, admin scope`] : []),
    `  curl${auth} ${url}/health`,
    ...calls.map((call) => `  ${call}`),
    `  OpenAPI: ${url}/openapi.json   Stop: Ctrl-C`,
  ].join('\n');
}

await runCommand('marquee', spec, async (options) => {
  const started = Date.now();
  quietWarnings(options.verbose);
  const port = options.port ?? (process.env.PORT ? Number(process.env.PORT) : 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`PORT must be a port number, got '${process.env.PORT}'`);
  const stateDir = stateDirOf(options.state, defaultStateDir);
  const progress = createProgress();
  let platform: LocalPlatform | undefined;
  const shutdown = async (signal: string) => {
    progress.stop();
    console.log(`\n${signal}: stopping...`);
    await platform?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    platform = await startPlatform({
      stateDir,
      fresh: options.fresh,
      port,
      auth: options.auth,
      schedules: !options['no-schedules'],
      command: 'npm start',
      log: options.verbose ? (line) => progress.line(line) : undefined,
      notice: (line) => progress.line(`marquee: ${line}`),
      env: localVmafModel(),
    });
  } catch (error) {
    await platform?.stop();
    if (
      error instanceof PortInUseError ||
      error instanceof JavaMissingError ||
      error instanceof StateLockedError
    )
      throw new Error(error.message);
    throw new Error(`could not start: ${(error as Error).message.split('\n')[0]}`);
  }
  writeRunningPlatform(stateDir, {
    url: platform.url,
    token: platform.token,
    ...platform.endpoints,
    pid: process.pid,
  });
  const seed = !options['no-seed'] && (await seedingNeeded(platform.names, stateDir));
  console.log(banner(platform, stateDir, Date.now() - started, await exampleIds(platform, seed)));
  // Every handler imported now: the first request to each skips its cold start.
  void platform.runtime
    .warm()
    .catch((error: Error) => progress.line(`marquee: a handler failed to load: ${error.message}`));
  await runFirstStart(platform, stateDir, { seed, progress });
});

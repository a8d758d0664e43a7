/**
 * Keeps an emulator running: starts it, and when its process dies unexpectedly restarts it on the
 * same port with a growing pause (1 s, 2 s, 4 s, ... at most 8 s), so requests meanwhile fail
 * fast (503) and succeed again once it is back. What it stores survives because every emulator
 * keeps its data on disk, never only in its process.
 */
import type { ChildProcess } from 'node:child_process';

/** A started emulator: its process, and how to stop it cleanly. */
export interface EmulatorProcess {
  child: ChildProcess;
  stop(): Promise<void>;
}

export type EmulatorState = 'up' | 'restarting' | 'stopped';

export interface SupervisedEmulator {
  readonly name: string;
  state(): EmulatorState;
  /** The current process id (changes after a restart). */
  pid(): number | undefined;
  /** How many times it was restarted after dying. */
  restarts(): number;
  stop(): Promise<void>;
}

const MAX_PAUSE_MS = 8_000;

/**
 * Starts `start()` and supervises what it returns. The first start's failure is thrown (the
 * platform cannot come up without it); later ones are retried until `stop()`.
 */
export async function supervise(
  name: string,
  start: () => Promise<EmulatorProcess>,
  log: (line: string) => void,
): Promise<SupervisedEmulator> {
  let current = await start();
  let state: EmulatorState = 'up';
  // Read through a function: stop() may change it while a restart awaits.
  const stopped = () => state === 'stopped';
  let restarts = 0;
  let pauseMs = 1_000;
  let timer: NodeJS.Timeout | undefined;

  const restart = async (): Promise<void> => {
    timer = undefined;
    if (stopped()) return;
    try {
      const next = await start();
      if (stopped()) {
        await next.stop();
        return;
      }
      current = next;
      state = 'up';
      restarts++;
      pauseMs = 1_000;
      log(`${name} is back (pid ${next.child.pid})`);
      watch(next);
    } catch (error) {
      log(
        `${name} did not restart: ${(error as Error).message.split('\n')[0]}; retrying in ${pauseMs / 1000} s`,
      );
      schedule();
    }
  };
  const schedule = () => {
    timer = setTimeout(() => void restart(), pauseMs);
    pauseMs = Math.min(pauseMs * 2, MAX_PAUSE_MS);
  };
  const watch = (emulator: EmulatorProcess) => {
    emulator.child.once('exit', (code, signal) => {
      if (stopped() || emulator !== current) return;
      state = 'restarting';
      log(`${name} stopped unexpectedly (${signal ?? `exit code ${code}`}); restarting it`);
      schedule();
    });
  };
  watch(current);

  return {
    name,
    state: () => state,
    pid: () => (state === 'up' ? current.child.pid : undefined),
    restarts: () => restarts,
    stop: async () => {
      state = 'stopped';
      if (timer) clearTimeout(timer);
      await current.stop();
    },
  };
}

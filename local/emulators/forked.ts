/**
 * An emulator that runs in a Node child process of its own (forked with tsx): it sends
 * `{ type: 'ready', ...details }` once it listens, and any other message goes to `onMessage`.
 */
import { fork } from 'node:child_process';
import type { EmulatorProcess } from '../supervisor.ts';

export interface ForkedEmulator<Ready> extends EmulatorProcess {
  ready: Ready;
}

/** Forks `entry` with `args`; resolves with its ready message, rejects if it exits first. */
export async function forkEmulator<Ready>(options: {
  name: string;
  entry: string;
  args: string[];
  onMessage: (message: { type: string; [key: string]: unknown }) => void;
  /** How long a clean stop may take before SIGKILL, ms. */
  stopTimeoutMs?: number;
}): Promise<ForkedEmulator<Ready>> {
  const child = fork(options.entry, options.args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let errors = '';
  child.stderr?.on('data', (d) => {
    errors += d;
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 3000).unref();
    });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.on('message', (message: { type: string; [key: string]: unknown }) => {
      if (message.type === 'ready') resolve(message as Ready);
      else options.onMessage(message);
    });
    child.once('exit', (code) =>
      reject(
        new Error(`${options.name} exited with code ${code}: ${errors.trim().split('\n').at(-1) ?? ''}`),
      ),
    );
  });
  return { child, stop, ready };
}

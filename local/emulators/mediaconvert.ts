/**
 * The ffmpeg-backed MediaConvert endpoint in a child process of its own, so it can die and be
 * restarted like any other emulator; job state changes come back over IPC.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmulatorProcess } from '../supervisor.ts';
import { forkEmulator } from './forked.ts';

export interface RunningMediaConvert extends EmulatorProcess {
  url: string;
}

/** Starts the endpoint on 127.0.0.1:`port`; resolves once it listens. */
export async function startMediaConvert(options: {
  port: number;
  workDir: string;
  s3Endpoint: string;
  onEvent: (event: unknown) => void;
}): Promise<RunningMediaConvert> {
  const forked = await forkEmulator<{ url: string }>({
    name: 'the MediaConvert endpoint',
    entry: path.join(path.dirname(fileURLToPath(import.meta.url)), 'mediaconvert-process.ts'),
    args: [String(options.port), options.workDir, options.s3Endpoint],
    onMessage: (message) => {
      if (message.type === 'event') options.onEvent(message.event);
    },
    // A job in flight finishes its current ffmpeg step or is killed with it.
    stopTimeoutMs: 5000,
  });
  return { ...forked, url: forked.ready.url };
}

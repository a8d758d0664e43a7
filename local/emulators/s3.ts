/**
 * An S3-compatible server (s3rver, pure JS) in a child process of its own, so it can die and be
 * restarted like any other emulator; its object events feed the local S3 triggers.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmulatorProcess } from '../supervisor.ts';
import { forkEmulator } from './forked.ts';

/** What s3rver emits per object event (AWS record shape, eventVersion 2.0, keys not encoded). */
export interface S3rverRecord {
  eventName: string;
  eventTime: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer?: string } };
  [key: string]: unknown;
}

export interface RunningS3 extends EmulatorProcess {
  endpoint: string;
}

/** Starts s3rver on 127.0.0.1:`port` with its objects under `dir`; resolves when it listens. */
export async function startS3(options: {
  port: number;
  dir: string;
  onRecord: (record: S3rverRecord) => void;
}): Promise<RunningS3> {
  const forked = await forkEmulator<{ port: number }>({
    name: 'the S3 server',
    entry: path.join(path.dirname(fileURLToPath(import.meta.url)), 's3-process.ts'),
    args: [String(options.port), options.dir],
    onMessage: (message) => {
      if (message.type === 'record') options.onRecord(message.record as S3rverRecord);
    },
  });
  return { ...forked, endpoint: `http://127.0.0.1:${forked.ready.port}` };
}

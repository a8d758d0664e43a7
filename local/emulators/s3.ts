/** An S3-compatible server (s3rver, pure JS) whose object events feed the local S3 triggers. */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

/** What s3rver emits per object event (AWS record shape, eventVersion 2.0, keys not encoded). */
export interface S3rverRecord {
  eventName: string;
  eventTime: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer?: string } };
  [key: string]: unknown;
}

export interface RunningS3 {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startS3({
  port,
  dir,
  onRecord,
}: {
  port: number;
  dir: string;
  onRecord: (record: S3rverRecord) => void;
}): Promise<RunningS3> {
  mkdirSync(dir, { recursive: true });
  const server = new S3rver({
    port,
    address: '127.0.0.1',
    directory: dir,
    silent: true,
    allowMismatchedSignatures: true,
  });
  (server as unknown as NodeJS.EventEmitter).on('event', (event: { Records: S3rverRecord[] }) => {
    for (const record of event.Records) onRecord(record);
  });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: async () => {
      await server.close();
    },
  };
}

/**
 * The S3 emulator's own process (forked by local/emulators/s3.ts): s3rver on 127.0.0.1, its
 * object events sent to the parent over IPC. It exits when the parent goes away.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

const [port, dir] = [Number(process.argv[2]), process.argv[3]];
mkdirSync(dir, { recursive: true });
const server = new S3rver({
  port,
  address: '127.0.0.1',
  directory: dir,
  silent: true,
  allowMismatchedSignatures: true,
});
(server as unknown as NodeJS.EventEmitter).on('event', (event: { Records: unknown[] }) => {
  for (const record of event.Records) process.send?.({ type: 'record', record });
});
const address = (await server.run()) as AddressInfo;
process.send?.({ type: 'ready', port: address.port });
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));

/**
 * The MediaConvert endpoint's own process (forked by local/emulators/mediaconvert.ts): it serves
 * the MediaConvert API on 127.0.0.1 over ffmpeg and sends each job state change to the parent,
 * which puts it on the local event bus. It exits when the parent goes away.
 */
import { startMediaConvertServer } from '../mediaconvert/server.ts';

const [port, workDir, s3] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const server = await startMediaConvertServer({
  port,
  host: '127.0.0.1',
  workDir,
  s3,
  publish: async (event) => {
    process.send?.({ type: 'event', event });
  },
});
process.send?.({ type: 'ready', url: server.url });
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));

/**
 * `npm run import -- --movielens DIR [--url URL] [--token T] [--prefix ml-]`
 * Imports into the running local platform (npm start), or starts one on the same state if none
 * runs, or into any Marquee API given by --url (with --token for a deployed stack).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importMovieLens } from '#local/movielens-import.ts';
import { defaultStateDir, type LocalPlatform, startPlatform } from '#local/platform.ts';
import { readRunningPlatform } from '#local/running-platform.ts';

const { values } = parseArgs({
  options: {
    movielens: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    prefix: { type: 'string', default: 'ml-' },
  },
});
if (!values.movielens) {
  console.error('usage: npm run import -- --movielens DIR [--url URL] [--token TOKEN] [--prefix ml-]');
  process.exit(2);
}

let started: LocalPlatform | undefined;
let target: { url: string; token?: string } | undefined = values.url
  ? { url: values.url, token: values.token }
  : readRunningPlatform(defaultStateDir);
if (!target) {
  console.log('no running platform found: starting one on .marquee/state for the import');
  started = await startPlatform({ stateDir: defaultStateDir, mediaConvert: false });
  target = { url: started.url };
}
const began = Date.now();
try {
  const result = await importMovieLens({
    dir: path.resolve(values.movielens),
    url: target.url,
    token: values.token ?? target.token,
    prefix: values.prefix,
    onProgress: (line) => console.log(line),
  });
  console.log(
    `imported ${result.layout}: ${result.items} items, ${result.users} users, ${result.events} rating events in ${((Date.now() - began) / 1000).toFixed(1)} s`,
  );
} finally {
  await started?.stop();
}

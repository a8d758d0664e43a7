/**
 * `npm run import -- --movielens DIR [--url URL] [--token T] [--prefix ml-]`
 * Imports into the running local platform (npm start), or starts one on the same state if none
 * runs, or into any Marquee API given by --url (with --token for a deployed stack).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importMovieLens } from '#local/movielens-import.ts';
import { type LocalPlatform, repoRoot, startPlatform } from '#local/platform.ts';

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

function runningPlatform(): { url: string; token?: string } | undefined {
  const file = path.join(repoRoot, '.marquee', 'state', 'endpoints.json');
  if (!existsSync(file)) return undefined;
  const endpoints = JSON.parse(readFileSync(file, 'utf8'));
  try {
    process.kill(endpoints.pid, 0);
    return endpoints;
  } catch {
    return undefined;
  }
}

let started: LocalPlatform | undefined;
let target = values.url ? { url: values.url, token: values.token } : runningPlatform();
if (!target) {
  console.log('no running platform found: starting one on .marquee/state for the import');
  started = await startPlatform({ stateDir: path.join(repoRoot, '.marquee', 'state'), mediaConvert: false });
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

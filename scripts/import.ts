/**
 * `npm run import -- --movielens DIR [--url URL] [--token T] [--prefix ml-]`
 * Imports into the running local platform (npm start), or starts one on the same state if none
 * runs, or into any Marquee API given by --url (with --token for a deployed stack).
 */
import path from 'node:path';
import { runCommand, stateDirOf, stateOption, UsageError } from '#local/command-line.ts';
import { importMovieLens } from '#local/movielens-import.ts';
import { defaultStateDir, type LocalPlatform, startPlatform } from '#local/platform.ts';
import { readRunningPlatform } from '#local/running-platform.ts';

const spec = {
  usage: 'npm run import --',
  summary: 'Import a MovieLens folder (ml-latest-small or ml-100k layout) through the HTTP API.',
  options: {
    movielens: { type: 'string', placeholder: 'DIR', description: 'the MovieLens folder (required)' },
    url: {
      type: 'string',
      placeholder: 'URL',
      description: 'a Marquee API (default: the running npm start)',
    },
    token: { type: 'string', placeholder: 'TOKEN', description: 'bearer token for --url (a deployed stack)' },
    prefix: { type: 'string', default: 'ml-', description: 'prefix of the imported item and user ids' },
    state: stateOption,
  },
  examples: ['npm run import -- --movielens ../shared/data/movielens/ml-latest-small'],
} as const;

await runCommand('import', spec, async (values) => {
  if (!values.movielens) throw new UsageError('--movielens DIR is required');
  const stateDir = stateDirOf(values.state, defaultStateDir);

  let started: LocalPlatform | undefined;
  let target: { url: string; token?: string } | undefined = values.url
    ? { url: values.url, token: values.token }
    : readRunningPlatform(stateDir);
  if (!target) {
    console.log(`no running platform found: starting one on ${stateDir} for the import`);
    started = await startPlatform({ stateDir, mediaConvert: false });
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
});

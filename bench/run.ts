/**
 * `npm run bench [-- chassis recommendations profiles media scale]`: runs the benchmark sections
 * (all by default), prints them and writes BENCHMARKS.md with the machine they ran on.
 * Sections not run keep their previous text in BENCHMARKS.md. The flags tune the `scale` suite.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ParsedOptions, runCommand } from '#local/command-line.ts';
import { repoRoot } from '#local/platform.ts';
import { settings } from '#platform/declaration.ts';
import type { BenchSection } from './report.ts';

const options = {
  sizes: {
    type: 'string',
    placeholder: 'LIST',
    default: '1M,5M,10M',
    description: 'scale: event-log sizes (events)',
  },
  'full-up-to': {
    type: 'string',
    placeholder: 'N',
    default: '5M',
    description: 'scale: sizes up to N run every shard; larger ones a subset',
  },
  'subset-shards': {
    type: 'integer',
    default: 8,
    min: 1,
    max: 10_000,
    description: 'scale: shards per Map run above --full-up-to',
  },
  'interactions-per-shard': {
    type: 'integer',
    default: settings.RETRAIN_INTERACTIONS_PER_SHARD.default,
    min: 1000,
    max: 10_000_000,
    description: 'scale: interactions per user shard, as RETRAIN_INTERACTIONS_PER_SHARD sets them',
  },
  'als-iterations': {
    type: 'integer',
    default: 2,
    min: 2,
    max: 20,
    description: "scale: ALS iterations run (costs scale to production's 12)",
  },
  'dense-items': {
    type: 'string',
    placeholder: 'LIST',
    default: '2000,4000,8000',
    description: 'scale: modelled-item counts the dense EASE solve is measured at',
  },
} as const;

type BenchOptions = ParsedOptions<typeof options>;

const suites: Record<string, (options: BenchOptions) => Promise<BenchSection[]>> = {
  chassis: async () => (await import('./chassis.ts')).benchChassis(),
  recommendations: async () => (await import('./recommendations.ts')).benchRecommendations(),
  profiles: async () => (await import('./profiles.ts')).benchProfiles(),
  smartcrop: async () => (await import('./smart-video.ts')).benchSmartCrop(),
  smartcolour: async () => (await import('./smart-video.ts')).benchSmartColour(),
  experiments: async () => (await import('./experiments.ts')).benchExperiments(),
  media: async () => [
    ...(await (await import('./media.ts')).benchMedia()),
    ...(await (await import('./playback.ts')).benchPlayback()),
  ],
  snapshot: async () => (await import('./snapshot.ts')).benchSnapshot(),
  scale: async (o) => {
    const { benchScale, parseCounts, DEFAULT_SCALE_OPTIONS } = await import('./scale.ts');
    return benchScale({
      ...DEFAULT_SCALE_OPTIONS,
      sizes: parseCounts(o.sizes),
      fullUpTo: parseCounts(o['full-up-to'])[0],
      subsetShards: o['subset-shards'],
      alsIterations: o['als-iterations'],
      interactionsPerShard: o['interactions-per-shard'],
      denseItems: parseCounts(o['dense-items']),
    });
  },
};

const spec = {
  usage: 'npm run bench --',
  summary: 'Run benchmark suites (all by default); print them and update BENCHMARKS.md.',
  options,
  positionals: {
    placeholder: 'SUITE',
    description: 'suites to run',
    choices: Object.keys(suites),
  },
  examples: [
    'npm run bench',
    'npm run bench -- media',
    'npm run bench -- scale --sizes 1M,5M --full-up-to 5M',
  ],
} as const;

await runCommand('bench', spec, async (parsed, requested) => {
  const selected = requested.length ? requested : Object.keys(suites);
  // Several suites: each runs in its own process, because handlers and SDK clients are per-process
  // singletons (as in Lambda) and every suite starts its own local platform.
  if (selected.length > 1) {
    let failed = false;
    for (const name of selected) {
      const flags = process.argv.slice(2).filter((arg) => !Object.hasOwn(suites, arg));
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(import.meta.url), name, ...flags],
        {
          cwd: repoRoot,
          stdio: 'inherit',
        },
      );
      failed ||= child.status !== 0;
    }
    if (failed) throw new Error('a suite failed (see above)');
    return;
  }
  await runSuites(selected, parsed);
});

function toMarkdown(section: BenchSection): string {
  const columns = [...new Set(section.rows.flatMap((row) => Object.keys(row)))];
  const lines = [
    `### ${section.title}`,
    '',
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
  ];
  for (const row of section.rows) lines.push(`| ${columns.map((c) => String(row[c] ?? '')).join(' | ')} |`);
  for (const note of section.notes ?? []) lines.push('', `- ${note}`);
  return lines.join('\n');
}

/** Runs `selected` suites in this process and rewrites their blocks of BENCHMARKS.md. */
async function runSuites(selected: string[], parsed: BenchOptions): Promise<void> {
  const file = path.join(repoRoot, 'BENCHMARKS.md');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const blocks = new Map<string, string>();
  for (const match of previous.matchAll(/<!-- suite:(\w+) -->\n([\s\S]*?)<!-- \/suite:\1 -->/g))
    blocks.set(match[1], match[2]);

  for (const name of selected) {
    const started = Date.now();
    console.log(`== ${name}`);
    try {
      const sections = await suites[name](parsed);
      const text = sections.map(toMarkdown).join('\n\n');
      console.log(text);
      blocks.set(
        name,
        `## ${name}\n\n_Run ${new Date().toISOString()}, ${((Date.now() - started) / 1000).toFixed(0)} s; load average at the end ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' / ')} (1/5/15 min) on ${os.cpus().length} cores._\n\n${text}\n\n`,
      );
    } catch (error) {
      console.error(`${name} failed: ${(error as Error).stack ?? error}`);
      process.exitCode = 1;
    }
  }

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header = `# Benchmarks

  Measured with \`npm run bench\` (one suite: \`npm run bench -- chassis\`). Medians over repeated
  rounds; every ratio's baseline was measured in the same run. These are measurements on a noisy
  shared VM, not guarantees.

  Machine: ${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.

  `;
  const body = Object.keys(suites)
    .filter((name) => blocks.has(name))
    .map((name) => `<!-- suite:${name} -->\n${blocks.get(name)}<!-- /suite:${name} -->`)
    .join('\n\n');
  writeFileSync(file, `${header}${body}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

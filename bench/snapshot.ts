/**
 * `npm run bench -- snapshot`: the export snapshot's tasks (export-snapshot.ts), each in a fresh
 * Node process (snapshot-child.ts) so its time and peak RSS are one Lambda invocation's, against the
 * scan Snapshot's work on the same events in the same run (the baseline).
 *
 * One seeded skewed log of ~1M events (EVENTS_PER_PARTITION_TASK: one partition task's bound) is
 * written in the export's layout (gzipped DynamoDB-JSON files of 100,000 items, the local adapter's
 * files, through the real adapter). Two runs over it:
 * - `p`: user shards planned for a 100M-event table (500 at 200,000 per shard), so one partition
 *   task reads a full batch and writes 500 part files, as it would at 100M;
 * - `m`: 5 user shards (~200,000 events each, the shard bound) fed by 10 batches of 100,000, so a
 *   merge task reads 10 parts; then the cut, the splits and the plan over them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eventToRow } from '#adapters/dynamodb/catalog-stores.ts';
import {
  EVENTS_PER_PARTITION_TASK,
  exportProgress,
  partition,
  startExport,
} from '#domain/recommendations/export-snapshot.ts';
import { settings } from '#platform/declaration.ts';
import type { BenchSection } from './report.ts';
import { stagesOver } from './export-stages.ts';
import type { SnapshotChildTask } from './snapshot-child.ts';
import { DEFAULT_LOG_SHAPE, skewedEventLog } from './skewed-event-log.ts';
import { median } from './stats.ts';

const execFileAsync = promisify(execFile);
const CHILD = fileURLToPath(new URL('./snapshot-child.ts', import.meta.url));

/** Events of the table the partition task's shard count is planned for. */
const PLANNED_TABLE_EVENTS = 100_000_000;
/** Partition and merge tasks are run this many times each (medians). */
const ROUNDS = 3;

type Figures = { ms: number; peakRssMb: number } & Record<string, number>;

async function runChild(task: SnapshotChildTask): Promise<Figures> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(task)], {
    maxBuffer: 16 * 2 ** 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Figures;
}

/** Writes the export layout of a seeded ~1M-event log under both runs; returns its data file keys. */
async function writeExports(dir: string): Promise<{ files: string[]; events: number; items: number }> {
  const shape = { ...DEFAULT_LOG_SHAPE, events: EVENTS_PER_PARTITION_TASK * 0.97 };
  const log = skewedEventLog(shape);
  const rows = async function* (segment: number, of: number) {
    for (let u = segment; u < log.userIds.length; u += of)
      yield log.eventsOf(u).map((event) => ({ ...eventToRow(event) }));
  };
  const deps = stagesOver(dir, rows);
  const now = new Date();
  const plan = {
    interactionsPerShard: settings.RETRAIN_INTERACTIONS_PER_SHARD.default,
    now,
    flaggedUsers: new Set<string>(),
  };
  await startExport(deps, 'p', { ...plan, events: PLANNED_TABLE_EVENTS });
  await exportProgress(deps, 'p');
  await startExport(deps, 'm', { ...plan, events: EVENTS_PER_PARTITION_TASK });
  const done = (await exportProgress(deps, 'm', 100_000)) as { batches: number[] };
  for (const batch of done.batches) await partition(deps, 'm', batch);
  const files = (await deps.export.dataFiles('scanned-m')).map((file) => file.key);
  const events = (await deps.export.dataFiles('scanned-m')).reduce((n, file) => n + file.items, 0);
  return { files, events, items: shape.items };
}

const row = (task: string, samples: Figures[], what: string, baseline?: Figures) => ({
  task,
  what,
  runs: samples.length,
  'median s': (median(samples.map((s) => s.ms)) / 1000).toFixed(2),
  'peak RSS MB (max)': Math.round(Math.max(...samples.map((s) => s.peakRssMb))),
  'RSS vs scan Snapshot': baseline
    ? (Math.max(...samples.map((s) => s.peakRssMb)) / baseline.peakRssMb).toFixed(2)
    : '',
});

/** Runs the suite; the report's rows and notes. */
export async function benchSnapshot(): Promise<BenchSection[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-snapshot-bench-'));
  try {
    const { files, events, items } = await writeExports(dir);
    const scan = await runChild({ task: 'scan', dir, runId: 'scan', items, files });
    const partitions: Figures[] = [];
    for (let r = 0; r < ROUNDS; r++)
      partitions.push(await runChild({ task: 'partition', dir, runId: 'p', batch: 0 }));
    const merges: Figures[] = [];
    for (let shard = 0; shard < 5; shard++)
      merges.push(await runChild({ task: 'merge', dir, runId: 'm', shard }));
    const cut = await runChild({ task: 'cut', dir, runId: 'm', items });
    const splits: Figures[] = [];
    for (let shard = 0; shard < 5; shard++)
      splits.push(await runChild({ task: 'split', dir, runId: 'm', shard }));
    const plan = await runChild({ task: 'plan', dir, runId: 'm', items });
    const slices: Figures[] = [];
    for (let shard = 0; shard < 5; shard++)
      slices.push(await runChild({ task: 'slices', dir, runId: 'm', shard }));
    const itemShards: Figures[] = [];
    for (let shard = 0; shard < plan.itemShards; shard++)
      itemShards.push(await runChild({ task: 'itemShard', dir, runId: 'm', shard }));
    const shards = PLANNED_TABLE_EVENTS / settings.RETRAIN_INTERACTIONS_PER_SHARD.default;
    return [
      {
        title: 'Export snapshot: one task per process (measured)',
        rows: [
          row(
            'scan Snapshot (baseline)',
            [scan],
            `all ${scan.events} events in one function, ${scan.userShards} user shards`,
          ),
          row(
            'partition',
            partitions,
            `one batch of ${partitions[0].events} events -> ${shards} part files`,
            scan,
          ),
          row(
            'mergeUserShard',
            merges,
            `one user shard of ~${Math.round(median(merges.map((m) => m.events)))} events from 10 parts`,
            scan,
          ),
          row('cutHoldout', [cut], 'the cut over 5 shards', scan),
          row(
            'splitUserShard',
            splits,
            `one user shard of ~${Math.round(median(splits.map((s) => s.train)))} train interactions`,
            scan,
          ),
          row(
            'planExport',
            [plan],
            `catalog, holdout (${plan.holdoutMb.toFixed(1)} MB of JSON) and plan over ${plan.userShards} user shards`,
            scan,
          ),
          row('itemSlices', slices, `one user shard's columns cut into ${plan.itemShards} item slices`, scan),
          row('itemShardFile', itemShards, `one item shard joined from ${plan.userShards} slices`, scan),
        ],
        notes: [
          `${events} events from a seeded skewed log (${items} items, Zipf 1, Pareto 1.5 user activity), written as gzipped DynamoDB-JSON export files of 100,000 items by the local export adapter; read back through the same adapter (gunzip, unmarshall, the events table's row decoding).`,
          'Each task ran in a fresh Node process; its time excludes imports, its peak RSS is the process maxRSS. The partition task ran 3 times over the same batch, the merge and split tasks once per user shard (5).',
          'partition and mergeUserShard are bounded by EVENTS_PER_PARTITION_TASK (1M events) and RETRAIN_INTERACTIONS_PER_SHARD (200,000): their figures hold at any table size. cutHoldout reads one file per shard (two at 100M: 500 stats files, then one hour of timestamps each); planExport holds the merged holdout (every train row of the users with relevant items, the format the Reduce reads) and one count per item, so it grows with the table (see docs/scale.md, Limits); itemShardFile reads one slice per user shard, so its reads grow with the shards and its size with 1 / item shards.',
        ],
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

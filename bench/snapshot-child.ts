/**
 * Child-process side of the snapshot benchmark: runs ONE task of the export snapshot (or the scan
 * Snapshot, the baseline) in a fresh process over files the parent wrote, so its peak RSS
 * (process.resourceUsage().maxRSS) is that task's alone, as one Lambda invocation's would be.
 * Argument: one JSON object (`SnapshotChildTask`). Prints one JSON line: ms (imports excluded),
 * peak RSS in MB, and task-specific counts.
 */
import { DEFAULT_SNAPSHOT_OPTIONS, snapshotTask } from '#domain/recommendations/distributed-tasks.ts';
import {
  cutHoldout,
  itemShardFile,
  itemSlices,
  mergeUserShard,
  partition,
  planExport,
  splitUserShard,
} from '#domain/recommendations/export-snapshot.ts';
import { aggregateEvents, DEFAULT_EVENT_WEIGHTS } from '#domain/recommendations/interactions.ts';
import { splitForGate } from '#domain/recommendations/retrain.ts';
import { catalogSnapshot } from '#domain/recommendations/training.ts';
import { settings } from '#platform/declaration.ts';
import { stagesOver } from './export-stages.ts';
import { syntheticCatalog } from './skewed-event-log.ts';

export type SnapshotChildTask =
  | { task: 'partition'; dir: string; runId: string; batch: number }
  | { task: 'merge' | 'split' | 'slices' | 'itemShard'; dir: string; runId: string; shard: number }
  | { task: 'cut' | 'plan'; dir: string; runId: string; items: number }
  /** The baseline: the scan Snapshot's work in one function over every event of the export's files. */
  | { task: 'scan'; dir: string; runId: string; items: number; files: string[] };

const options = (items: number) => ({
  ...DEFAULT_SNAPSHOT_OPTIONS,
  interactionsPerShard: settings.RETRAIN_INTERACTIONS_PER_SHARD.default,
  itemShards: Math.max(1, Math.ceil(items / 12_500)),
});

async function run(t: SnapshotChildTask): Promise<Record<string, number>> {
  const deps = stagesOver(t.dir);
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  switch (t.task) {
    case 'partition':
      return { ...(await partition(deps, t.runId, t.batch)), ms: elapsed() };
    case 'merge':
      return { ...(await mergeUserShard(deps, t.runId, t.shard)), ms: elapsed() };
    case 'split':
      return { ...(await splitUserShard(deps, t.runId, t.shard)), ms: elapsed() };
    case 'slices':
      return { ...(await itemSlices(deps, t.runId, t.shard)), ms: elapsed() };
    case 'itemShard':
      return { ...(await itemShardFile(deps, t.runId, t.shard)), ms: elapsed() };
    case 'cut':
      await cutHoldout(deps, t.runId, { hasItems: true });
      return { ms: elapsed() };
    case 'plan': {
      const planned = await planExport(deps, t.runId, syntheticCatalog(t.items), options(t.items));
      const ms = elapsed();
      // What distributed-run.ts stores as the run's holdout.json (the Reduce reads it whole).
      const holdoutBytes = new TextEncoder().encode(JSON.stringify(planned.holdout)).length;
      return {
        userShards: planned.state.userShards.length,
        itemShards: planned.state.itemShards.length,
        ms,
        holdoutMb: holdoutBytes / 2 ** 20,
      };
    }
    case 'scan': {
      const events = [];
      for (const file of t.files) events.push(...(await deps.export.readEvents(file)));
      const holdout = splitForGate(aggregateEvents(events, DEFAULT_EVENT_WEIGHTS), 0.2, new Date());
      const catalog = catalogSnapshot(syntheticCatalog(t.items), holdout.train);
      const state = await snapshotTask(deps.store, t.runId, holdout.train, catalog.itemIds, options(t.items));
      return { events: events.length, userShards: state.userShards.length, ms: elapsed() };
    }
  }
}

const figures = await run(JSON.parse(process.argv[2]) as SnapshotChildTask);
console.log(JSON.stringify({ ...figures, peakRssMb: process.resourceUsage().maxRSS / 1024 }));

/**
 * One task of the distributed retrain, as the state machine hands it over: which task, which run,
 * which shard and ALS iteration. The Snapshot reads the events and catalog once; the Reduce writes
 * the trained EASE and ALS artifacts beside the run's files.
 */
import type { ArtifactStore } from '#domain/models/registry.ts';
import { encodeArtifact } from './artifact.ts';
import {
  alsItemTask,
  alsUserTask,
  DEFAULT_SNAPSHOT_OPTIONS,
  reduceTask,
  type SnapshotOptions,
  shardTask,
  snapshotTask,
} from './distributed-tasks.ts';
import { buildAlsGraph, buildEaseGraph } from './graphs.ts';
import { aggregateEvents, DEFAULT_EVENT_WEIGHTS } from './interactions.ts';
import type { TrainingSources } from './retrain.ts';
import { catalogSnapshot } from './training.ts';

export interface DistributedTask {
  task: 'snapshot' | 'shard' | 'alsUsers' | 'alsItems' | 'reduce';
  runId: string;
  shard?: number;
  iteration?: number;
}

export interface DistributedTaskDependencies {
  store: ArtifactStore;
  sources: TrainingSources;
  /** Sharding and model options of the run (the declared shard size, default models otherwise). */
  snapshot: Partial<SnapshotOptions> & Pick<SnapshotOptions, 'interactionsPerShard'>;
}

/** The candidate artifacts the Reduce writes, under the run's prefix of the models bucket. */
export const distributedArtifactKey = (runId: string, model: 'ease' | 'als') => `runs/${runId}/${model}.onnx`;

/** Runs one task of the machine; a shard task's failure names its shard (ShardTaskError). */
export async function runDistributedTask(event: DistributedTask, deps: DistributedTaskDependencies) {
  const { store } = deps;
  const { runId } = event;
  const shard = event.shard ?? 0;
  const iteration = event.iteration ?? 0;
  switch (event.task) {
    case 'snapshot': {
      const [events, items] = await Promise.all([deps.sources.loadEvents(), deps.sources.loadItems()]);
      const interactions = aggregateEvents(events, DEFAULT_EVENT_WEIGHTS);
      const catalog = catalogSnapshot(items, interactions);
      await store.put(`runs/${runId}/catalog.json`, new TextEncoder().encode(JSON.stringify(catalog)));
      return snapshotTask(store, runId, interactions, catalog.itemIds, {
        ...DEFAULT_SNAPSHOT_OPTIONS,
        ...deps.snapshot,
      });
    }
    case 'shard':
      return shardTask(store, runId, shard);
    case 'alsUsers':
      return alsUserTask(store, runId, shard, iteration);
    case 'alsItems':
      return alsItemTask(store, runId, shard, iteration);
    case 'reduce': {
      const { ease, als } = await reduceTask(store, runId);
      const catalog = JSON.parse(new TextDecoder().decode(await store.get(`runs/${runId}/catalog.json`)));
      const meta = (name: 'ease' | 'als') => ({ name, trainedAt: Date.now(), catalog });
      await store.put(
        distributedArtifactKey(runId, 'ease'),
        encodeArtifact(buildEaseGraph(ease), meta('ease')),
      );
      await store.put(distributedArtifactKey(runId, 'als'), encodeArtifact(buildAlsGraph(als), meta('als')));
      return {
        runId,
        trained: ['ease', 'als'],
        easeItems: ease.modelled.length,
        alsItems: als.itemIds.length,
      };
    }
  }
}

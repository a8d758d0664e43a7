/**
 * `npm run retrain`: retrains now on the path the nightly schedule would take (the distributed
 * state machine above RETRAIN_DISTRIBUTED_ABOVE_EVENTS stored events, else the retrain function);
 * `--path` forces one. The machine runs here (local/retrain-machine.ts), its tasks invoking the
 * retrainShard function, so the command waits for its result.
 * Against the running `npm start` platform when there is one (endpoints.json of the state folder with
 * a live pid), otherwise against a platform started for this run on the same local state, then stopped.
 */
import { runCommand, stateDirOf, stateOption, UsageError } from '#local/command-line.ts';
import { LocalEventBus, scheduledEvent } from '#local/event-bus.ts';
import { LocalLambdaRuntime } from '#local/lambda-runtime.ts';
import { runRetrainMachine } from '#local/retrain-machine.ts';
import { defaultStateDir, functionEnv, repoRoot, startPlatform } from '#local/platform.ts';
import { readRunningPlatform } from '#local/running-platform.ts';
import { localBucketName, localTableName } from '#local/provision.ts';
import { DynamoEventCount } from '#adapters/dynamodb/event-count.ts';
import { chooseRetrainPath, RETRAIN_PATHS, type RetrainPath } from '#domain/models/retrain-path.ts';
import { SNAPSHOT_KINDS, type SnapshotKind } from '#domain/recommendations/distributed-run.ts';
import { readSetting, tableNameFromEnv } from '#platform/config.ts';
import { buckets, tables } from '#platform/declaration.ts';

const reason = 'manual';

const spec = {
  usage: 'npm run retrain --',
  summary:
    'Retrain every model now on the path the nightly schedule would take, on the running platform or its state folder.',
  options: {
    json: { type: 'boolean', description: "print the handler's full result as JSON" },
    path: {
      type: 'string',
      choices: RETRAIN_PATHS,
      description:
        'force one retrain function (single) or the Step Functions machine over user shards (distributed); by default chosen by the number of stored events',
    },
    snapshot: {
      type: 'string',
      choices: SNAPSHOT_KINDS,
      description:
        'force the distributed path with the scan Snapshot (one function) or the export snapshot (sharded by stages); by default chosen by RETRAIN_EXPORT_ABOVE_EVENTS',
    },
    state: stateOption,
  },
  examples: [
    'npm run retrain',
    'npm run retrain -- --json',
    'npm run retrain -- --path distributed',
    'npm run retrain -- --path single',
    'npm run retrain -- --path distributed --snapshot export',
  ],
} as const;

/** Runs the path chosen (or forced) on a runtime whose functions see the platform's tables and buckets. */
async function retrainOn(
  runtime: LocalLambdaRuntime,
  forced: RetrainPath | undefined,
  snapshot: SnapshotKind | undefined,
): Promise<unknown> {
  const route = await chooseRetrainPath(
    { reason, ...(forced ? { path: forced } : {}) },
    new DynamoEventCount(tableNameFromEnv('events')),
    readSetting('RETRAIN_DISTRIBUTED_ABOVE_EVENTS'),
  );
  console.error(`retrain path: ${route.path} (${route.why})`);
  // The function is told the path, so it does not choose again.
  if (route.path === 'single')
    return runtime.invoke('retrain', scheduledEvent({ reason, path: 'single' }, new Date()));
  // The execution's end goes through the declared rules as on AWS (lease release, models layer).
  const bus = new LocalEventBus((fn, event) => runtime.invoke(fn, event), console.error);
  const runId = `manual-${Date.now()}`;
  try {
    return await runRetrainMachine(
      { runId, reason, ...(snapshot ? { snapshot } : {}) },
      (payload) => runtime.invoke('retrainShard', payload),
      {
        publish: (event) => bus.put([event]),
        execution: { stateMachineArn: readSetting('RETRAIN_STATE_MACHINE_ARN'), name: runId },
      },
    );
  } finally {
    await bus.drain();
  }
}

async function main(options: {
  json: boolean;
  path?: string;
  snapshot?: string;
  state?: string;
}): Promise<void> {
  const started = Date.now();
  const snapshot = options.snapshot as SnapshotKind | undefined;
  if (snapshot && options.path === 'single')
    throw new UsageError('--snapshot applies to the distributed path only, not to --path single');
  const path = (options.path ?? (snapshot ? 'distributed' : undefined)) as RetrainPath | undefined;
  const stateDir = stateDirOf(options.state, defaultStateDir);
  const running = readRunningPlatform(stateDir);
  let result: unknown;
  if (running) {
    // Same names and endpoints the running platform gave its functions.
    Object.assign(
      process.env,
      functionEnv(running, {
        ...Object.fromEntries(Object.values(tables).map((t) => [t.env, localTableName('marquee', t)])),
        ...Object.fromEntries(Object.values(buckets).map((b) => [b.env, localBucketName('marquee', b)])),
      }),
    );
    console.error(`retraining against the running platform at ${running.url}`);
    result = await retrainOn(new LocalLambdaRuntime(repoRoot, () => {}), path, snapshot);
  } else {
    console.error('no running platform: starting one on the local state for this run');
    const platform = await startPlatform({
      stateDir,
      mediaConvert: false,
      schedules: false,
    });
    try {
      result = await retrainOn(platform.runtime, path, snapshot);
    } finally {
      await platform.stop();
    }
  }
  if (options.json) console.log(JSON.stringify(result, null, 2));
  else console.log(summarise(result));
  console.error(`retrain finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

interface RecordedVersion {
  name: string;
  version: string;
  status: string;
  metrics: Record<string, number>;
  gate?: { reason: string };
}

const versionLine = (x: RecordedVersion) =>
  `${x.name.padEnd(11)} v${x.version} ${x.status.padEnd(8)} nDCG@10 ${(x.metrics.ndcg ?? 0).toFixed(4)}  ${x.gate?.reason ?? ''}`;

const skippedLines = (skipped: Record<string, string> | undefined) =>
  Object.entries(skipped ?? {}).map(([name, why]) => `${name.padEnd(11)} skipped: ${why}`);

/** One line per recorded model version (the single function's families, or the machine's two reduces). */
function summarise(result: unknown): string {
  const distributed = result as {
    versions?: RecordedVersion[];
    skipped?: Record<string, string>;
    profiles?: {
      published?: Record<string, { name: string; version: string; status: string; reason: string }>;
      skipped?: Record<string, string>;
    };
  };
  if (distributed?.versions)
    return [
      ...distributed.versions.map(versionLine),
      ...skippedLines(distributed.skipped),
      ...Object.values(distributed.profiles?.published ?? {}).map(
        (p) => `${p.name} v${p.version} ${p.status.padEnd(8)} ${p.reason}`,
      ),
      ...skippedLines(distributed.profiles?.skipped),
    ].join('\n');
  const recs = (
    result as { recommendations?: { ok: boolean; error?: string; result?: { versions?: RecordedVersion[] } } }
  )?.recommendations;
  if (!recs) return JSON.stringify(result, null, 2);
  if (!recs.ok) return `recommendations: FAILED ${recs.error}`;
  const lines = (recs.result?.versions ?? []).map(versionLine);
  const others = Object.entries(result as Record<string, { ok: boolean; error?: string }>)
    .filter(([family]) => family !== 'recommendations')
    .map(([family, r]) => `${family}: ${r.ok ? 'ok' : `FAILED ${r.error}`}`);
  return [...lines, ...others].join('\n');
}

await runCommand('retrain', spec, main);

import { ExportTableToPointInTimeCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamodb/client.ts';
import { S3Artifacts } from '#adapters/models/s3-artifacts.ts';
import type { WeightedInteraction } from '#domain/recommendations/interactions.ts';
import { runRetrainMachine } from '#local/retrain-machine.ts';
import { chunks } from '#adapters/dynamodb/client.ts';
import { DynamoEventStore, DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import { DynamoRecentEvents } from '#adapters/models/dynamo-catalog-reads.ts';
import { DynamoModelRecords } from '#adapters/models/dynamo-model-records.ts';
import { CatalogTrainingSources } from '#adapters/models/training-sources.ts';
import { acquireRetrainLease } from '#domain/models/retrain-run.ts';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import { generateDemoData } from '#domain/demo/generate.ts';
import { scheduledEvent } from '#local/event-bus.ts';
import { executionEndedEvent } from '#local/retrain-machine.ts';
import { settings } from '#platform/declaration.ts';
import { LambdaStandIn, STAND_IN_MODELS_LAYER, standInLayerArn } from '../../support/lambda-stand-in.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

const DAY_MS = 86_400_000;
const NOW = Math.floor(Date.now() / DAY_MS) * DAY_MS;

describe('the nightly retrain on a store above RETRAIN_DISTRIBUTED_ABOVE_EVENTS', () => {
  let platform: TestPlatform;
  let stored: InteractionEvent[];
  // There is no Lambda emulator: a stand-in answers the models layer calls retrain makes.
  const lambda = new LambdaStandIn();

  beforeAll(async () => {
    // Prepare: a threshold of 1,000 events, a small generated store above it, and the retrain
    // function configured to publish models layers as in AWS.
    platform = await startTestPlatform({
      env: {
        RETRAIN_DISTRIBUTED_ABOVE_EVENTS: '1000',
        MODELS_LAYER_NAME: STAND_IN_MODELS_LAYER,
        MODEL_SERVING_FUNCTIONS: 'marquee-local-recommendations',
        AWS_ENDPOINT_URL_LAMBDA: await lambda.start(),
      },
    });
    const data = generateDemoData({ seed: 5, items: 80, users: 60, days: 20, now: NOW });
    const items = new DynamoItemStore(platform.names.ITEMS_TABLE);
    for (const batch of chunks(data.items, 100)) await items.putAll(batch);
    await new DynamoEventStore(platform.names.EVENTS_TABLE).load(data.events);
    stored = data.events;
  });

  afterAll(async () => {
    await lambda.stop();
    await platform?.stop();
  });

  it('reads every stored event exactly once through the parallel segmented scan', async () => {
    const sources = new CatalogTrainingSources(
      new DynamoEventStore(platform.names.EVENTS_TABLE),
      new DynamoItemStore(platform.names.ITEMS_TABLE),
      new DynamoRecentEvents(platform.names.EVENTS_TABLE),
    );
    const read = await sources.loadEvents();
    const key = (e: InteractionEvent) => `${e.userId}|${e.itemId}|${e.type}|${e.timestamp}`;
    expect(read.map(key).sort()).toEqual(stored.map(key).sort());
  });

  it('starts the distributed state machine, which gates and publishes every model it trains and the profile models and frees the lease', async () => {
    expect(stored.length).toBeGreaterThan(1000);
    // Act: the schedule's event, through the local StartExecution endpoint to the machine.
    const result = (await platform.runtime.invoke(
      'retrain',
      scheduledEvent({ reason: 'schedule' }, new Date()),
    )) as {
      distributed?: { execution: string; why: string };
    };
    await platform.settle();
    // Assess
    expect(result.distributed?.execution).toMatch(/:execution:marquee-local-retrain:/);
    expect(result.distributed?.why).toMatch(/above 1000/);
    const listing = await platform.api('GET', '/models');
    expect(listing.status).toBe(200);
    const live = Object.fromEntries(
      listing.body.models.map((m: { name: string; liveVersion?: string }) => [m.name, m.liveVersion]),
    );
    expect(live).toEqual({
      als: '000001',
      content: '000001',
      ease: '000001',
      'ease-session': '000001',
      hybrid: '000001',
      popularity: '000001',
      'profile-anomaly': '000001',
      'profile-churn': '000001',
      'profile-segments': '000001',
    });
    expect(listing.body.retrain.lastRun).toMatchObject({ reason: 'schedule', state: 'succeeded' });
    // The models the machine does not train are named on the run, with the reason.
    expect(listing.body.retrain.lastRun.skipped.trending).toMatch(/not trained by the distributed retrain/);
    expect(listing.body.retrain.lastRun.skipped.popularity).toBeUndefined();
    expect(listing.body.retrain.lastRun.skipped.hybrid).toBeUndefined();
  });

  it('republishes the models layer after the succeeded run as a single run does, and a failing publish fails nothing', async () => {
    // Assess: the run above ended through the declared rule; the retrain function published a layer
    // version holding the live models and put the serving function on it.
    expect(platform.bus.delivered.map((d) => d.rule)).toContain('retrain-execution-succeeded');
    const publishes = () =>
      lambda.calls.filter(
        (c) => c.method === 'POST' && c.url === `/2018-10-31/layers/${STAND_IN_MODELS_LAYER}/versions`,
      );
    expect(publishes()).toHaveLength(1);
    const records = new DynamoModelRecords(platform.names.MODELS_TABLE);
    expect(await records.getModelsLayer()).toMatchObject({
      layerVersionArn: standInLayerArn(4),
      artifactKeys: [
        'models/als/000001.onnx',
        'models/content/000001.onnx',
        'models/ease-session/000001.onnx',
        'models/ease/000001.onnx',
        'models/hybrid/000001.onnx',
        'models/popularity/000001.onnx',
      ],
    });
    expect(lambda.layers).toContain(standInLayerArn(4));
    // Prepare: the recorded layer is stale, and Lambda fails the function update (a layer too large).
    await records.setModelsLayer({
      layerVersionArn: standInLayerArn(4),
      artifactKeys: ['models/ease/000000.onnx'],
      publishedAt: new Date().toISOString(),
    });
    lambda.updateOutcome = 'Failed';
    // Act: another succeeded execution's event, answered directly.
    const execution = { stateMachineArn: settings.RETRAIN_STATE_MACHINE_ARN.default, name: 'done-1' };
    const event = executionEndedEvent(execution, { runId: 'done-1', reason: 'schedule' }, 'SUCCEEDED', {
      startDate: Date.now() - 1000,
      stopDate: Date.now(),
    });
    const answer = await platform.runtime.invoke('retrain', { version: '0', id: 'e1', ...event });
    // Assess: the step tried (a second version), failed, and said so without throwing; the run and
    // the live versions are as they were.
    expect(publishes()).toHaveLength(2);
    expect(answer).toEqual({
      modelsLayer: { ok: false, error: expect.stringMatching(/ended Failed: layer too large/) },
    });
    const listing = await platform.api('GET', '/models');
    expect(listing.body.retrain.lastRun).toMatchObject({ reason: 'schedule', state: 'succeeded' });
    expect(listing.body.models.find((m: { name: string }) => m.name === 'ease').liveVersion).toBe('000001');
    lambda.updateOutcome = 'Successful';
  });

  it('frees the lease of a stopped execution through the declared rule, and the next run starts at once', async () => {
    // Prepare: a run holds the lease as a stopped execution leaves it (no Catch ran).
    const records = new DynamoModelRecords(platform.names.MODELS_TABLE);
    await acquireRetrainLease(
      records,
      { runId: 'stopped-1', reason: 'stopped by hand' },
      { now: new Date(), leaseMs: 3 * 3_600_000 },
    );
    const held = await platform.api('GET', '/models');
    expect(held.body.retrain.lastRun).toMatchObject({ reason: 'stopped by hand', state: 'running' });
    // Act: Step Functions reports the execution ABORTED.
    const execution = { stateMachineArn: settings.RETRAIN_STATE_MACHINE_ARN.default, name: 'stopped-1' };
    platform.bus.put([
      executionEndedEvent(execution, { runId: 'stopped-1', reason: 'stopped by hand' }, 'ABORTED', {
        startDate: Date.now() - 1000,
        stopDate: Date.now(),
      }),
    ]);
    await platform.settle();
    // Assess: no run is running, and a new distributed run takes the lease and trains.
    const released = await platform.api('GET', '/models');
    expect(released.body.retrain.lastRun).toMatchObject({ reason: 'stopped by hand', state: 'failed' });
    await platform.runtime.invoke('retrain', scheduledEvent({ reason: 'after the stop' }, new Date()));
    await platform.settle();
    const after = await platform.api('GET', '/models');
    expect(after.body.retrain.lastRun).toMatchObject({ reason: 'after the stop', state: 'succeeded' });
  });

  it('records an execution stopped before its run took the lease, so its task still in flight is refused it', async () => {
    // Prepare: no run holds the lease (the previous test's run succeeded).
    const records = new DynamoModelRecords(platform.names.MODELS_TABLE);
    expect((await records.latestRuns()).lastRun?.state).not.toBe('running');
    // Act: Step Functions reports an execution ABORTED during ChooseSnapshot (no lease taken yet)...
    const execution = { stateMachineArn: settings.RETRAIN_STATE_MACHINE_ARN.default, name: 'early-stop' };
    platform.bus.put([
      executionEndedEvent(execution, { runId: 'early-stop', reason: 'stopped early' }, 'ABORTED', {
        startDate: Date.now() - 500,
        stopDate: Date.now(),
      }),
    ]);
    await platform.settle();
    // ... and then its Snapshot's invocation, still running, reaches for the lease.
    const late = await acquireRetrainLease(
      records,
      { runId: 'early-stop', reason: 'stopped early' },
      { now: new Date(), leaseMs: 3 * 3_600_000 },
    );
    // Assess: refused by the conditional write in DynamoDB Local; GET /models says why; the lease stays free.
    expect(late).toEqual({
      acquired: false,
      refusal: expect.stringMatching(/this run \(early-stop\) already ended before it took the lease/),
    });
    const listing = await platform.api('GET', '/models');
    expect(listing.body.retrain.lastRun).toMatchObject({ runId: 'early-stop', state: 'failed' });
    const next = await acquireRetrainLease(
      records,
      { runId: 'after-early-stop', reason: 'manual' },
      { now: new Date(), leaseMs: 60_000 },
    );
    expect(next).toEqual({ acquired: true });
    await records.finishRun('after-early-stop', 'succeeded', new Date());
  });

  it('has no DynamoDB export in DynamoDB Local: ExportTableToPointInTime is an unknown operation there', async () => {
    const attempt = documentClient().send(
      new ExportTableToPointInTimeCommand({
        TableArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${platform.names.EVENTS_TABLE}`,
        S3Bucket: platform.names.MODELS_BUCKET,
      }),
    );
    await expect(attempt).rejects.toMatchObject({ name: 'UnknownOperationException' });
  });

  it('snapshots by export (the scanned layout in s3rver) the same user shards, catalog and holdout as the scan', async () => {
    // Act: the same machine twice through the local Lambda runtime, each snapshot kind forced.
    const invoke = (payload: Record<string, unknown>) => platform.runtime.invoke('retrainShard', payload);
    await runRetrainMachine({ runId: 'it-scan', reason: 'test', snapshot: 'scan' }, invoke);
    const exported = await runRetrainMachine(
      { runId: 'it-export', reason: 'test', snapshot: 'export' },
      invoke,
    );
    // Assess
    expect(exported).toMatchObject({
      trained: ['popularity', 'ease', 'ease-session', 'hybrid', 'als', 'content'],
    });
    const bucket = new S3Artifacts(platform.names.MODELS_BUCKET);
    const file = async <T>(key: string) => JSON.parse(new TextDecoder().decode(await bucket.get(key))) as T;
    const manifest = await file<{ itemCount: number }>(
      'runs/it-export/export/AWSDynamoDB/scanned-it-export/manifest-summary.json',
    );
    expect(manifest.itemCount).toBe(stored.length);
    const pairs = (rows: WeightedInteraction[]) =>
      rows.map((x) => `${x.userId}|${x.itemId}|${x.weight}`).sort();
    const plans = await Promise.all(
      ['it-scan', 'it-export'].map((run) => file<{ userShards: number }>(`runs/${run}/plan.json`)),
    );
    expect({ ...plans[1], runId: 'it-scan' }).toEqual(plans[0]);
    for (let s = 0; s < plans[0].userShards; s++) {
      const [a, b] = await Promise.all(
        ['it-scan', 'it-export'].map((run) => file<WeightedInteraction[]>(`runs/${run}/users/${s}.json`)),
      );
      expect(pairs(b)).toEqual(pairs(a));
    }
    expect(await file('runs/it-export/catalog.json')).toEqual(await file('runs/it-scan/catalog.json'));
    const holdouts = await Promise.all(
      ['it-scan', 'it-export'].map((run) => file<{ cut: number }>(`runs/${run}/holdout.json`)),
    );
    expect(holdouts[1].cut).toBe(holdouts[0].cut);
  });
});

import { ExportTableToPointInTimeCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamodb/client.ts';
import { S3Artifacts } from '#adapters/models/s3-artifacts.ts';
import type { WeightedInteraction } from '#domain/recommendations/interactions.ts';
import { runRetrainMachine } from '#local/retrain-machine.ts';
import { chunks } from '#adapters/dynamodb/client.ts';
import { DynamoEventStore, DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import { DynamoRecentEvents } from '#adapters/models/dynamo-catalog-reads.ts';
import { CatalogTrainingSources } from '#adapters/models/training-sources.ts';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import { generateDemoData } from '#domain/demo/generate.ts';
import { scheduledEvent } from '#local/event-bus.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

const DAY_MS = 86_400_000;
const NOW = Math.floor(Date.now() / DAY_MS) * DAY_MS;

describe('the nightly retrain on a store above RETRAIN_DISTRIBUTED_ABOVE_EVENTS', () => {
  let platform: TestPlatform;
  let stored: InteractionEvent[];

  beforeAll(async () => {
    // Prepare: a threshold of 1,000 events, and a small generated store above it.
    platform = await startTestPlatform({ env: { RETRAIN_DISTRIBUTED_ABOVE_EVENTS: '1000' } });
    const data = generateDemoData({ seed: 5, items: 80, users: 60, days: 20, now: NOW });
    const items = new DynamoItemStore(platform.names.ITEMS_TABLE);
    for (const batch of chunks(data.items, 100)) await items.putAll(batch);
    await new DynamoEventStore(platform.names.EVENTS_TABLE).load(data.events);
    stored = data.events;
  });

  afterAll(async () => {
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

  it('starts the distributed state machine, which gates and publishes EASE and ALS and frees the lease', async () => {
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
    expect(live).toEqual({ als: '000001', ease: '000001' });
    expect(listing.body.retrain.lastRun).toMatchObject({ reason: 'schedule', state: 'succeeded' });
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
    expect(exported).toMatchObject({ trained: ['ease', 'als'] });
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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('starts the distributed state machine, which gates and publishes EASE, ALS and the profile models and frees the lease', async () => {
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
      ease: '000001',
      'profile-anomaly': '000001',
      'profile-churn': '000001',
      'profile-segments': '000001',
    });
    expect(listing.body.retrain.lastRun).toMatchObject({ reason: 'schedule', state: 'succeeded' });
  });

  it('hands the succeeded execution to the retrain function, which runs the models layer step as a single run does', async () => {
    // Assess: the run of the test above ended through the declared rule.
    expect(platform.bus.delivered.map((d) => d.rule)).toContain('retrain-execution-succeeded');
    // Act: the same event again, answered directly.
    const execution = { stateMachineArn: settings.RETRAIN_STATE_MACHINE_ARN.default, name: 'done-1' };
    const event = executionEndedEvent(execution, { runId: 'done-1', reason: 'schedule' }, 'SUCCEEDED', {
      startDate: Date.now() - 1000,
      stopDate: Date.now(),
    });
    const answer = await platform.runtime.invoke('retrain', { version: '0', id: 'e1', ...event });
    // Assess: locally no serving function is configured, exactly what the single path does here.
    expect(answer).toEqual({
      modelsLayer: {
        ok: true,
        result: { published: false, reason: 'no serving functions configured (local run)' },
      },
    });
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
});

/**
 * Chassis benchmarks: event ingest through the local gateway against raw BatchWriteItem on the
 * same DynamoDB Local, GET /items/{id} latency at 50 concurrent, and npm start to ready on an
 * existing store. Medians over repeated rounds; the baseline is measured in the same run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { batchWrite } from '#adapters/dynamodb/batch.ts';
import { chunks } from '#adapters/dynamodb/client.ts';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import { type LocalPlatform, repoRoot, startPlatform } from '#local/platform.ts';
import type { BenchSection } from './report.ts';
import { median, percentile } from './stats.ts';

const ROUNDS = 5;
const EVENTS_PER_ROUND = 4000;
const CONCURRENCY = 4;

function syntheticEvents(round: number, label: string): InteractionEvent[] {
  const now = Date.now();
  return Array.from({ length: EVENTS_PER_ROUND }, (_, i) => ({
    eventId: `${label}-${round}-${i}`,
    userId: `bench-user-${i % 500}`,
    itemId: `bench-item-${(i * 7) % 1000}`,
    type: 'play',
    value: 600,
    timestamp: now - i * 1000,
  }));
}

async function inParallel<T>(work: T[], concurrency: number, run: (w: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < work.length) await run(work[next++]);
    }),
  );
}

async function ingestBench(platform: LocalPlatform): Promise<BenchSection> {
  const table = platform.names.EVENTS_TABLE;
  const toRow = (e: InteractionEvent) => ({
    PutRequest: {
      Item: {
        userId: e.userId,
        eventId: e.eventId,
        itemId: e.itemId,
        type: e.type,
        value: e.value,
        ts: e.timestamp,
      },
    },
  });
  const raw: number[] = [];
  const gateway: number[] = [];
  // Warm both paths once (handler import, connections).
  await batchWrite(table, syntheticEvents(-1, 'warm-raw').slice(0, 100).map(toRow));
  await fetch(`${platform.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: syntheticEvents(-1, 'warm-gw').slice(0, 100) }),
  });
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so neither path always runs on a warmer table.
    const runs = [
      async () => {
        const batches = chunks(syntheticEvents(round, 'raw'), 100);
        const t = performance.now();
        await inParallel(batches, CONCURRENCY, (batch) => batchWrite(table, batch.map(toRow)));
        raw.push(EVENTS_PER_ROUND / ((performance.now() - t) / 1000));
      },
      async () => {
        const batches = chunks(syntheticEvents(round, 'gw'), 100);
        const t = performance.now();
        await inParallel(batches, CONCURRENCY, async (events) => {
          const response = await fetch(`${platform.url}/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ events }),
          });
          if (response.status !== 202) throw new Error(`POST /events answered ${response.status}`);
          await response.arrayBuffer();
        });
        gateway.push(EVENTS_PER_ROUND / ((performance.now() - t) / 1000));
      },
    ];
    if (round % 2) runs.reverse();
    for (const run of runs) await run();
  }
  const rawMedian = median(raw);
  const gatewayMedian = median(gateway);
  return {
    title: 'Event ingest: gateway vs raw BatchWriteItem (same DynamoDB Local, batch 100, 4 in flight)',
    rows: [
      {
        path: 'raw BatchWriteItem (4 x 25 per 100 events)',
        'events/s (median)': Math.round(rawMedian),
        rounds: ROUNDS,
      },
      {
        path: 'POST /events via local gateway',
        'events/s (median)': Math.round(gatewayMedian),
        rounds: ROUNDS,
      },
      {
        path: 'gateway / raw',
        'events/s (median)': (gatewayMedian / rawMedian).toFixed(2),
        rounds: `overhead ${((1 - gatewayMedian / rawMedian) * 100).toFixed(0)}% (target <= 25%)`,
      },
    ],
  };
}

async function getItemBench(platform: LocalPlatform): Promise<BenchSection> {
  const items = Array.from({ length: 100 }, (_, i) => ({
    itemId: `item-${i}`,
    title: `Title ${i}`,
    genres: ['Drama'],
  }));
  await fetch(`${platform.url}/items/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items }),
  });
  const latencies: number[] = [];
  const total = 3000;
  let sent = 0;
  await inParallel(
    Array.from({ length: total }, (_, i) => i),
    50,
    async (i) => {
      const t = performance.now();
      const response = await fetch(`${platform.url}/items/item-${i % 100}`);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
      if (sent++ >= 200) latencies.push(performance.now() - t); // the first 200 warm up
    },
  );
  return {
    title: 'GET /items/{itemId} through the local gateway, 50 concurrent',
    rows: [
      {
        requests: latencies.length,
        'p50 ms': percentile(latencies, 50).toFixed(1),
        'p99 ms': percentile(latencies, 99).toFixed(1),
      },
    ],
  };
}

/** Spawns `npm start`'s CLI and resolves with ms until it prints that it is running. */
function timeToReady(stateDir: string, extra: string[] = []): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repoRoot, 'local/cli.ts'),
        '--port',
        '0',
        '--state',
        stateDir,
        '--no-schedules',
        ...extra,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes('Marquee is running')) {
        const ms = performance.now() - started;
        child.once('exit', () => resolve(ms));
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.once('exit', (code) => {
      if (!output.includes('Marquee is running'))
        reject(new Error(`npm start exited ${code}: ${output.slice(-2000)}`));
    });
  });
}

async function startBench(): Promise<BenchSection> {
  const stateDir = path.join(repoRoot, '.marquee', 'bench-state');
  const notes: string[] = [];
  if (!existsSync(path.join(stateDir, 'dynamodb'))) {
    const seedMs = await timeToReady(stateDir, ['--fresh']);
    notes.push(
      `first start on an empty store (seeding the demo data, training) took ${(seedMs / 1000).toFixed(1)} s`,
    );
  }
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) runs.push(await timeToReady(stateDir));
  return {
    title: 'npm start to ready on an existing store (demo data present)',
    rows: [
      {
        runs: runs.length,
        'median s': (median(runs) / 1000).toFixed(2),
        'max s': (Math.max(...runs) / 1000).toFixed(2),
        target: '<= 10 s',
      },
    ],
    notes,
  };
}

export async function benchChassis(): Promise<BenchSection[]> {
  // One platform per process: handlers and SDK clients are module singletons, as in Lambda.
  const platform = await startPlatform({ mediaConvert: false });
  try {
    return [await ingestBench(platform), await getItemBench(platform), await startBench()];
  } finally {
    await platform.stop();
  }
}

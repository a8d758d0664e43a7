import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedEmulator } from '#local/supervisor.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

const state = mkdtempSync(path.join(tmpdir(), 'marquee-supervision-'));
let platform: TestPlatform;

beforeAll(async () => {
  // On disk, as npm start runs it, so what DynamoDB Local acknowledged outlives its process.
  platform = await startTestPlatform({ stateDir: state, mediaConvert: true });
});

afterAll(async () => {
  await platform?.stop();
  rmSync(state, { recursive: true, force: true });
});

const emulator = (name: string): SupervisedEmulator => platform.emulators.find((e) => e.name === name)!;

/** Kills the emulator's process (and its process group, when it leads one) as a crash would. */
function crash(target: SupervisedEmulator): void {
  try {
    process.kill(-target.pid()!, 'SIGKILL');
  } catch {
    process.kill(target.pid()!, 'SIGKILL');
  }
}

/** Polls `probe` every 250 ms for up to 30 s; returns the statuses seen and when it succeeded. */
async function untilRecovered(probe: () => Promise<number>): Promise<{ statuses: number[]; ms: number }> {
  const started = Date.now();
  const statuses: number[] = [];
  while (Date.now() - started < 30_000) {
    const status = await probe();
    statuses.push(status);
    if (status < 300) return { statuses, ms: Date.now() - started };
    await new Promise((r) => setTimeout(r, 250));
  }
  return { statuses, ms: Number.POSITIVE_INFINITY };
}

describe('emulators are supervised', () => {
  it('answers 503 with Retry-After while DynamoDB Local is down, restarts it, and keeps what was acknowledged', async () => {
    expect((await platform.api('PUT', '/items/kept', { title: 'Kept', genres: [] })).status).toBe(200);
    const db = emulator('DynamoDB Local');

    crash(db);
    const down = await platform.api('GET', '/items/kept');
    const health = await platform.api('GET', '/health');
    const recovered = await untilRecovered(async () => (await platform.api('GET', '/items/kept')).status);

    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(health.status).toBe(503);
    expect(health.body.components.storage.status).toBe('down');
    expect(recovered.ms).toBeLessThan(30_000);
    expect(recovered.statuses.every((status) => status === 503 || status === 200)).toBe(true);
    expect((await platform.api('GET', '/items/kept')).body.title).toBe('Kept');
    expect(db.restarts()).toBe(1);
  });

  it('restarts the S3 server and the MediaConvert endpoint the same way', async () => {
    const s3 = emulator('the S3 server');
    crash(s3);
    const objectStoreDown = await platform.api('GET', '/health');
    const recovered = await untilRecovered(async () => {
      const health = await platform.api('GET', '/health');
      return health.body.components.objectStore.status === 'ok' ? 200 : 503;
    });

    expect(objectStoreDown.body.components.objectStore.status).toBe('down');
    // The API still serves from the database while the object store is away.
    expect(objectStoreDown.status).toBe(200);
    expect(recovered.ms).toBeLessThan(30_000);
    expect(s3.restarts()).toBe(1);

    const media = emulator('the MediaConvert endpoint');
    crash(media);
    // Back means restarted and up: right after the kill the health can still say "up" (the process's
    // exit is not yet seen), and the endpoint can be back before the next poll (it starts in well
    // under a second), so the restart count, not a poll that saw it down, shows it died and came back.
    const mediaBack = await untilRecovered(async () => {
      const health = await platform.api('GET', '/health');
      const up = health.body.local.emulators['the MediaConvert endpoint'].state === 'up';
      return up && media.restarts() > 0 ? 200 : 503;
    });

    expect(media.restarts()).toBe(1);
    expect(mediaBack.ms).toBeLessThan(30_000);
  });
});

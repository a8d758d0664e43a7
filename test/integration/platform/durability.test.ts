import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BARE_PLATFORM, spawnCli } from '../../support/cli.ts';

const state = mkdtempSync(path.join(tmpdir(), 'marquee-durability-'));
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
});
afterAll(() => rmSync(state, { recursive: true, force: true }));

/** `npm start` in a process group of its own (as a terminal would run it); resolves with its URL. */
async function startCli(
  args: string[] = [],
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawnCli(state, [...BARE_PLATFORM, ...args], { detached: true });
  started.push(child);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const read = (d: Buffer) => {
      output += d;
      const match = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  return { child, url, output: () => output };
}

const send = async (url: string, method: string, body?: unknown) => {
  const response = await fetch(url, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
};

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

describe('acknowledged writes and the state folder', () => {
  it('keeps every write acknowledged with 2xx after a SIGKILL of the whole process group', async () => {
    const first = await startCli();
    const item = await send(`${first.url}/items/survivor`, 'PUT', { title: 'Survivor', genres: ['Drama'] });
    expect(item.status).toBe(200);
    for (let i = 0; i < 20; i++) {
      const posted = await send(`${first.url}/events`, 'POST', {
        events: [{ eventId: `e${i}`, userId: 'crash-user', itemId: 'survivor', type: 'play' }],
      });
      expect(posted.status).toBe(202);
    }

    process.kill(-first.child.pid!, 'SIGKILL');
    await exited(first.child);
    const second = await startCli();

    const events = await send(`${second.url}/users/crash-user/events?limit=100`, 'GET');
    expect(events.body.events.map((e: { eventId: string }) => e.eventId).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `e${i}`).sort(),
    );
    expect((await send(`${second.url}/items/survivor`, 'GET')).body.title).toBe('Survivor');
    // Nothing is kept in RAM for this folder: the database is on disk.
    if (existsSync('/dev/shm'))
      expect(readdirSync('/dev/shm').filter((name) => name.startsWith('marquee-dynamodb-'))).toEqual([]);
    second.child.kill('SIGTERM');
    await exited(second.child);
  });

  it('refuses a second platform on the same state folder in one line naming the first', async () => {
    const first = await startCli();

    const second = spawnCli(state, ['--port', '0', '--no-seed']);
    let stderr = '';
    second.stderr!.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));

    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`pid ${first.child.pid}`);
    expect(lines[0]).toContain('--state');
    // The first one still serves, its data untouched.
    expect((await send(`${first.url}/items/survivor`, 'GET')).status).toBe(200);
    first.child.kill('SIGTERM');
    await exited(first.child);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunningPlatform } from '#local/running-platform.ts';
import { BARE_PLATFORM, spawnCli } from '../../support/cli.ts';

const state = mkdtempSync(path.join(tmpdir(), 'marquee-cli-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

/** Runs `npm start`'s entry point and collects its exit code and output. */
function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnCli(state, args, { env });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

const ourLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('marquee:'));

describe('npm start refuses to run half-configured', () => {
  it('names the busy port in one line and exits non-zero', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const result = await runCli(['--port', String(port), '--no-seed']);
      expect(result.code).toBe(1);
      expect(ourLines(result.stderr)).toEqual([
        `marquee: port ${port} is already in use; pick another with --port or PORT`,
      ]);
    } finally {
      blocker.close();
    }
  });

  it('says Java is missing in one line and exits non-zero', async () => {
    const result = await runCli(['--port', '0', '--no-seed'], { ...process.env, PATH: state });
    expect(result.code).toBe(1);
    expect(ourLines(result.stderr)).toHaveLength(1);
    expect(ourLines(result.stderr)[0]).toContain('Java 17');
  });

  it('rejects a port that is not a number', async () => {
    const result = await runCli(['--port', 'eighty']);
    expect(result.code).toBe(2);
    expect(ourLines(result.stderr)[0]).toContain('--port');
  });
});

describe('npm start stops cleanly', () => {
  it('leaves no Java process behind after SIGTERM', async () => {
    const child = spawnCli(state, BARE_PLATFORM);
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (d) => {
        output += d;
        if (output.includes('Marquee is running')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    // The scripts find the running platform through this reader: it must see what npm start wrote.
    const running = readRunningPlatform(state);
    expect(running?.pid).toBe(child.pid);
    const port = new URL(running?.dynamodb ?? '').port;
    const javaOnPort = () =>
      execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.startsWith('java') && l.includes(`-port ${port} `));
    expect(javaOnPort()).toHaveLength(1);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');

    expect(await exited).toBe(0);
    expect(javaOnPort()).toEqual([]);
  });
});

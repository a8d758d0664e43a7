import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRunningPlatform, writeRunningPlatform } from '#local/running-platform.ts';

describe('the running-platform record', () => {
  const dirs: string[] = [];
  const stateDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'marquee-running-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const record = (pid: number) => ({
    url: 'http://127.0.0.1:3000',
    token: 'dev-token',
    dynamodb: 'http://127.0.0.1:8000',
    s3: 'http://127.0.0.1:4569',
    pid,
  });

  it('reads back what npm start wrote in the same state folder while its process lives', () => {
    // Prepare
    const dir = stateDir();
    writeRunningPlatform(dir, record(process.pid));

    // Act
    const running = readRunningPlatform(dir);

    // Assess
    expect(running).toEqual(record(process.pid));
  });

  it('finds no platform in a state folder npm start never wrote to', () => {
    const written = stateDir();
    writeRunningPlatform(written, record(process.pid));

    expect(readRunningPlatform(stateDir())).toBeUndefined();
  });

  it('ignores a record whose process has exited', () => {
    const dir = stateDir();
    // PIDs are capped well below 2^31 - 1 on Linux, so no process has this one.
    writeRunningPlatform(dir, record(2 ** 31 - 1));

    expect(readRunningPlatform(dir)).toBeUndefined();
  });
});

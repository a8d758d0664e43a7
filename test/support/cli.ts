/** `npm start`'s entry point as a child process, the way the platform tests run it. */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { repoRoot } from '#local/platform.ts';

/**
 * Spawns local/cli.ts on `state` with `args`, output piped. `detached` gives it a process group of
 * its own, as a terminal would (so a test can kill the whole group).
 */
export function spawnCli(
  state: string,
  args: readonly string[],
  options: { detached?: boolean; env?: NodeJS.ProcessEnv } = {},
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'local/cli.ts'), '--state', state, ...args],
    {
      cwd: repoRoot,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    },
  );
}

/** Flags that start a bare platform quickly: any free port, no demo data, no schedules. */
export const BARE_PLATFORM = ['--port', '0', '--no-seed', '--no-schedules'] as const;

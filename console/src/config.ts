/** The console's deployment config: `/console/config.json`, written beside the built files. */
import type { ConsoleConfig } from './config-types.ts';

export type { ConsoleAuth, ConsoleConfig } from './config-types.ts';

/** Reads config.json; a missing or broken one is an error the page shows, not a blank screen. */
export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/console/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/console/config.json answered ${response.status}`);
  const config = (await response.json()) as ConsoleConfig;
  if (typeof config.apiUrl !== 'string' || !config.auth?.mode) {
    throw new Error('/console/config.json needs apiUrl and auth.mode');
  }
  return { ...config, apiUrl: config.apiUrl.replace(/\/+$/, '') };
}

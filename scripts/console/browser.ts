/**
 * Debian's Chromium (/usr/bin/chromium) driven by playwright-core, with the flags this machine
 * needs (no sandbox as root, no background networking on a closed network). A missing browser is an
 * error, never a skipped test.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { getStringFromEnv } from '#platform/config.ts';

const CHROMIUM = getStringFromEnv({ key: 'CHROMIUM_PATH', defaultValue: '/usr/bin/chromium' });

export class ChromiumMissingError extends Error {}

/** Launches a fresh headless Chromium (a new profile each time). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new ChromiumMissingError(
      `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH); .ci/run installs it`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      '--mute-audio',
    ],
  });
}

/** Waits until no section of a console page is still loading (each shows `.loading` until then). */
export async function waitUntilSettled(page: Page, timeoutMs = 60_000): Promise<void> {
  // A string: this runs in the page, and scripts/ compiles without the DOM's types.
  await page.waitForFunction("document.querySelectorAll('.loading').length === 0", undefined, {
    timeout: timeoutMs,
  });
}

/**
 * `npm run screenshot`: docs/console-overview.png, the picture in the README, taken by Debian's
 * Chromium from a demo platform (the same one the browser tests use), so it is regenerated, never
 * drawn by hand. The viewport is small and the PNG palette-free, keeping the file under 200 KB.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '#local/platform.ts';
import { launchChromium, waitUntilSettled } from './browser.ts';
import { startDemoPlatform } from './demo-platform.ts';

/** Where the README's picture lives. */
export const SCREENSHOT_FILE = path.join(repoRoot, 'docs', 'console-overview.png');
const MAX_BYTES = 200 * 1024;

const platform = await startDemoPlatform();
const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  await context.addInitScript(`sessionStorage.setItem('marquee.token', ${JSON.stringify(platform.token)})`);
  const page = await context.newPage();
  await page.goto(`${platform.url}/console/overview`);
  await waitUntilSettled(page);
  await page.screenshot({ path: SCREENSHOT_FILE, fullPage: false });
  const bytes = statSync(SCREENSHOT_FILE).size;
  if (bytes > MAX_BYTES)
    throw new Error(`${SCREENSHOT_FILE} is ${bytes} bytes, over ${MAX_BYTES}: shrink the viewport`);
  console.log(`wrote ${path.relative(process.cwd(), SCREENSHOT_FILE)} (${Math.round(bytes / 1024)} KB)`);
} finally {
  await browser.close();
  await platform.stop();
}

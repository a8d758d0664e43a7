/**
 * The player check of issue 13: a real Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) opens the local player page, which plays a shared clip processed by the real
 * local pipeline with hls.js, given only the `hls` URL of GET /videos/{assetId}/playback. It must
 * pass 2 s of playback with no player error, every segment fetched with the one signature; the same
 * page with a tampered signature must fail with 403. A missing Chromium fails the run (the console's
 * launcher throws); only the shared clips can be skipped, on purpose (MARQUEE_SKIP_MEDIA_DATA=1).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../scripts/console/browser.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';
import { SMALL_LADDER_ENV, sharedVideoDir, uploadClip, waitForStatus } from '../../support/videos.ts';

const videoDir = sharedVideoDir();

interface PlayerState {
  currentTime: number;
  errors: { type: string; details: string; fatal?: boolean; status?: number }[];
  fatal: { details: string; status?: number } | null;
  failedStatus: number | null;
}

describe('player check in Chromium', () => {
  describe.skipIf(!videoDir)('hls.js on the local CDN', () => {
    let platform: TestPlatform;
    let browser: Browser;
    let playback: { hls: string };

    beforeAll(async () => {
      [platform, browser] = await Promise.all([
        startTestPlatform({ mediaConvert: true, env: SMALL_LADDER_ENV }),
        launchChromium(),
      ]);
      const assetId = await uploadClip(platform, videoDir!, 'bbb_prog_10s.mp4');
      expect((await waitForStatus(platform, assetId, ['READY', 'FAILED'])).status).toBe('READY');
      const answer = await platform.api('GET', `/videos/${assetId}/playback`);
      expect(answer.status).toBe(200);
      playback = answer.body;
    });
    afterAll(async () => {
      await browser?.close();
      await platform?.stop();
    });

    /** Opens the player on `hls` and waits until it passed `seconds` or failed for good. */
    async function play(page: Page, hls: string, seconds: number): Promise<PlayerState> {
      await page.goto(`${platform.endpoints.playback}/_marquee/player.html#src=${encodeURIComponent(hls)}`);
      await page.waitForFunction(
        (target) => {
          const state = (globalThis as unknown as { marqueePlayer: PlayerState }).marqueePlayer;
          return state.currentTime > target || state.fatal !== null;
        },
        seconds,
        { timeout: 30_000, polling: 100 },
      );
      return page.evaluate(() => (globalThis as unknown as { marqueePlayer: PlayerState }).marqueePlayer);
    }

    it('plays past 2 s with no player error (hls.js stall recoveries aside), every segment signed', async () => {
      const page = await browser.newPage();
      const responses: { url: string; status: number }[] = [];
      page.on('response', (response) => responses.push({ url: response.url(), status: response.status() }));
      const state = await play(page, playback.hls, 2);
      expect(state.fatal).toBeNull();
      // hls.js also reports its own recovery from a playback stall (skipping a buffer hole, nudging
      // the playhead) as a non-fatal media "error"; on a busy 2-core machine a stall can happen. Any
      // other error, every network error and any error of a fatal kind fails the test.
      const stallRecoveries = ['bufferSeekOverHole', 'bufferNudgeOnStall', 'bufferStalledError'];
      expect(
        state.errors.filter((e) => e.type !== 'mediaError' || !stallRecoveries.includes(e.details)),
      ).toEqual([]);
      expect(state.currentTime).toBeGreaterThan(2);
      const segments = responses.filter((r) => new URL(r.url).pathname.endsWith('.ts'));
      expect(segments.length).toBeGreaterThan(0);
      for (const segment of segments) {
        expect(segment.status).toBe(200);
        expect(new URL(segment.url).searchParams.has('Signature')).toBe(true);
      }
      await page.close();
    });

    it('fails with 403 on the same page when the signature is tampered with', async () => {
      const page = await browser.newPage();
      const url = new URL(playback.hls);
      const signature = url.searchParams.get('Signature')!;
      url.searchParams.set('Signature', `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`);
      const state = await play(page, url.toString(), 2);
      expect(state.fatal).toMatchObject({ details: 'manifestLoadError', status: 403 });
      expect(state.failedStatus).toBe(403);
      expect(state.currentTime).toBe(0);
      await page.close();
    });
  });
});

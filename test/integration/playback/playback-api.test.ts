/**
 * Signed playback on the local platform: a clip goes through the real pipeline (upload, ingest,
 * local MediaConvert on ffmpeg, READY), GET /videos/{assetId}/playback signs its URLs, and the local
 * CDN serves them with CloudFront's checks: the whole stream opens with the one signature, another
 * asset's files, a tampered signature and an expired one get 403, never a 5xx.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFrontPlaybackSigner } from '#adapters/media/cloudfront-signer.ts';
import { parseSigningKey } from '#adapters/media/signing-key-secret.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';
import {
  SMALL_LADDER_ENV,
  sharedVideoDir,
  uploadClip,
  uploadVideo,
  waitForStatus,
} from '../../support/videos.ts';

const videoDir = sharedVideoDir();

/** The variant playlist named by a master playlist, and the first segment named by that variant. */
const firstUri = (playlist: string) => playlist.split('\n').find((line) => line && !line.startsWith('#'))!;

describe.skipIf(!videoDir)('signed playback on the local platform', () => {
  let platform: TestPlatform;
  let bunny = '';
  let portrait = '';

  beforeAll(async () => {
    platform = await startTestPlatform({ mediaConvert: true, env: SMALL_LADDER_ENV });
    bunny = await uploadClip(platform, videoDir!, 'bbb_prog_10s.mp4');
    portrait = await uploadClip(platform, videoDir!, 'rotate-buck-bunny.mp4');
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('answers 409 naming the status while the video is PROCESSING, then signed URLs once READY', async () => {
    await waitForStatus(platform, bunny, ['PROCESSING', 'READY', 'FAILED']);
    const early = await platform.api('GET', `/videos/${bunny}/playback`);
    // The 10 s clip takes seconds to transcode; the first poll sees it PROCESSING.
    expect(early.status).toBe(409);
    expect(early.headers.get('content-type')).toMatch(/problem\+json/);
    expect(early.body.detail).toContain('is PROCESSING');

    expect((await waitForStatus(platform, bunny, ['READY', 'FAILED'])).status).toBe('READY');
    const { status, body } = await platform.api('GET', `/videos/${bunny}/playback`);
    expect(status).toBe(200);
    expect(body.hls.startsWith(`${platform.endpoints.playback}/assets/${bunny}/hls/master.m3u8?`)).toBe(true);
    expect(body.signature.resource).toBe(`${platform.endpoints.playback}/assets/${bunny}/*`);
    const expiresInSec = (Date.parse(body.expiresAt) - Date.now()) / 1000;
    expect(expiresInSec).toBeGreaterThan(3500);
    expect(expiresInSec).toBeLessThanOrEqual(3600);
  });

  it('serves master, variant playlist and segment with the one signature, with CORS headers', async () => {
    const { body } = await platform.api('GET', `/videos/${bunny}/playback`);
    const master = await fetch(body.hls, { headers: { origin: 'http://example.test' } });
    expect(master.status).toBe(200);
    expect(master.headers.get('access-control-allow-origin')).toBe('*');
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const base = body.signature.resource.slice(0, -1);
    const variantUrl = new URL(firstUri(await master.text()), `${base}hls/`).toString();
    const variant = await fetch(`${variantUrl}?${body.signature.query}`);
    expect(variant.status).toBe(200);
    const segmentUrl = new URL(firstUri(await variant.text()), variantUrl).toString();
    const segment = await fetch(`${segmentUrl}?${body.signature.query}`);
    expect(segment.status).toBe(200);
    expect((await segment.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    // Without the query, the same segment is refused as CloudFront refuses an unsigned request.
    const unsigned = await fetch(segmentUrl);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>MissingKey</Code>');
  });

  it('serves the MP4 by byte ranges, and the poster and thumbnails', async () => {
    const { body } = await platform.api('GET', `/videos/${bunny}/playback`);
    const range = await fetch(body.mp4, { headers: { range: 'bytes=0-99' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toMatch(/^bytes 0-99\/\d+$/);
    expect((await range.arrayBuffer()).byteLength).toBe(100);
    const poster = await fetch(body.poster);
    expect(poster.status).toBe(200);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');
    expect(body.thumbnails.length).toBeGreaterThan(0);
    for (const thumbnail of body.thumbnails) expect((await fetch(thumbnail)).status).toBe(200);
  });

  it("refuses another asset's existing files with a valid signature: 403, not 5xx", async () => {
    await waitForStatus(platform, portrait, ['READY']);
    const mine = await platform.api('GET', `/videos/${bunny}/playback`);
    const theirs = await platform.api('GET', `/videos/${portrait}/playback`);
    expect((await fetch(theirs.body.hls)).status).toBe(200);
    const borrowed = theirs.body.hls.replace(/\?.*$/, `?${mine.body.signature.query}`);
    const refused = await fetch(borrowed);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-marquee-denied')).toBe('other-resource');
    expect(await refused.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('refuses a tampered signature and a tampered policy with 403', async () => {
    const { body } = await platform.api('GET', `/videos/${bunny}/playback`);
    const url = new URL(body.hls);
    const signature = url.searchParams.get('Signature')!;
    url.searchParams.set(
      'Signature',
      `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`,
    );
    const tampered = await fetch(url);
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get('x-marquee-denied')).toBe('bad-signature');
    const policy = new URL(body.hls);
    policy.searchParams.set('Policy', `${policy.searchParams.get('Policy')!.slice(0, -4)}AAAA`);
    expect((await fetch(policy)).status).toBe(403);
  });

  it('refuses a signature replayed after its expiry with 403', async () => {
    // The platform's own key, read from its Secrets Manager as the signing function reads it.
    const secrets = new SecretsManagerClient({});
    const { SecretString } = await secrets.send(
      new GetSecretValueCommand({ SecretId: process.env.PLAYBACK_SIGNING_KEY_SECRET }),
    );
    secrets.destroy();
    const key = parseSigningKey(SecretString);
    const resource = `${platform.endpoints.playback}/assets/${bunny}/*`;
    const signer = new CloudFrontPlaybackSigner({ current: async () => key });
    const master = `${platform.endpoints.playback}/assets/${bunny}/hls/master.m3u8`;
    const nowSec = Math.floor(Date.now() / 1000);
    const fresh = await signer.sign({ resource, expiresAtEpochSec: nowSec + 60 });
    expect((await fetch(`${master}?${fresh}`)).status).toBe(200);
    const lapsed = await signer.sign({ resource, expiresAtEpochSec: nowSec - 1 });
    const replayed = await fetch(`${master}?${lapsed}`);
    expect(replayed.status).toBe(403);
    expect(replayed.headers.get('x-marquee-denied')).toBe('expired');
  });

  it('answers 409 for UPLOADING and FAILED videos and 404 for unknown ones', async () => {
    const created = await platform.api('POST', '/videos', {
      filename: 'later.mp4',
      contentType: 'video/mp4',
    });
    const uploading = await platform.api('GET', `/videos/${created.body.assetId}/playback`);
    expect(uploading.status).toBe(409);
    expect(uploading.body.detail).toContain('is UPLOADING');

    const broken = await uploadVideo(platform, 'notes.mp4', 'this is not a video');
    await platform.settle();
    await waitForStatus(platform, broken, ['FAILED']);
    const failed = await platform.api('GET', `/videos/${broken}/playback`);
    expect(failed.status).toBe(409);
    expect(failed.body.detail).toContain('is FAILED');

    const unknown = await platform.api('GET', '/videos/no-such-video/playback');
    expect(unknown.status).toBe(404);
  });

  it('answers a malformed path under a valid signature with 400, not a 5xx', async () => {
    const { body } = await platform.api('GET', `/videos/${bunny}/playback`);
    const malformed = await fetch(
      `${body.signature.resource.slice(0, -1)}files/%ZZ.jpg?${body.signature.query}`,
    );
    expect(malformed.status).toBe(400);
  });

  it('answers a signed CORS preflight and refuses an unsigned one', async () => {
    const { body } = await platform.api('GET', `/videos/${bunny}/playback`);
    const preflight = { origin: 'http://example.test', 'access-control-request-method': 'GET' };
    const signed = await fetch(body.mp4, { method: 'OPTIONS', headers: preflight });
    expect(signed.status).toBe(204);
    expect(signed.headers.get('access-control-allow-methods')).toContain('GET');
    const unsigned = await fetch(body.mp4.replace(/\?.*$/, ''), { method: 'OPTIONS', headers: preflight });
    expect(unsigned.status).toBe(403);
  });
});

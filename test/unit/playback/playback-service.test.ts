/**
 * PlaybackService with the real CloudFront signer (a generated key, no secret store) and the local
 * CDN's check: every URL of the answer opens, and only for this asset and only until expiresAt.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CloudFrontPlaybackSigner } from '#adapters/media/cloudfront-signer.ts';
import { parseSigningKey } from '#adapters/media/signing-key-secret.ts';
import type { AssetStatus, VideoAsset } from '#domain/media/asset.ts';
import { NotFoundError } from '#domain/errors.ts';
import { PlaybackService, VideoNotReadyError } from '#domain/media/playback.ts';
import { checkSignedUrl } from '#local/playback/cloudfront-signature.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY_ID = 'KTESTKEY000001';
const signingKey = {
  keyPairId: KEY_ID,
  privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};
const BASE = 'https://d111111abcdef8.cloudfront.net';
const NOW = new Date('2027-01-10T12:00:00.000Z');
const nowSec = NOW.getTime() / 1000;
const ID = '3f1c2a9e-0000-4000-8000-000000000001';
const OTHER = '3f1c2a9e-0000-4000-8000-000000000002';

function asset(assetId: string, status: AssetStatus): VideoAsset {
  const out = `s3://marquee-media/assets/${assetId}`;
  return {
    assetId,
    status,
    filename: 'clip.mp4',
    contentType: 'video/mp4',
    uploadKey: `uploads/${assetId}/clip.mp4`,
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    ...(status === 'READY'
      ? {
          outputs: {
            hlsMaster: `${out}/hls/master.m3u8`,
            renditions: [],
            download: {
              uri: `${out}/files/video_download.mp4`,
              codec: 'H_264',
              width: 426,
              height: 240,
              maxBitrateBps: 1,
            },
            thumbnails: [`${out}/files/video_thumb.0000000.jpg`, `${out}/files/video_thumb.0000001.jpg`],
            poster: `${out}/files/video_poster.0000001.jpg`,
          },
        }
      : {}),
  };
}

function serviceWith(assets: VideoAsset[], ttlSec = 3600) {
  const byId = new Map(assets.map((a) => [a.assetId, a]));
  return new PlaybackService(
    { baseUrl: BASE, urlTtlSec: ttlSec },
    { get: async (id) => byId.get(id) },
    new CloudFrontPlaybackSigner({ current: async () => signingKey }),
    () => NOW,
  );
}

const check = (url: string, atSec = nowSec) =>
  checkSignedUrl(new URL(url), new Map([[KEY_ID, publicKey]]), atSec, '1.2.3.4');

describe('PlaybackService', () => {
  it('answers signed HLS, MP4, poster and thumbnail URLs that all open until expiresAt', async () => {
    const answer = await serviceWith([asset(ID, 'READY')]).getPlayback(ID);
    expect(answer.expiresAt).toBe('2027-01-10T13:00:00.000Z');
    expect(answer.hls.startsWith(`${BASE}/assets/${ID}/hls/master.m3u8?Policy=`)).toBe(true);
    expect(answer.mp4).toMatch(/\/files\/video_download\.mp4\?/);
    expect(answer.thumbnails).toHaveLength(2);
    expect(answer.signature.resource).toBe(`${BASE}/assets/${ID}/*`);
    const urls = [answer.hls, answer.mp4!, answer.poster!, ...answer.thumbnails];
    for (const url of urls) expect(check(url)).toBeUndefined();
    for (const url of urls) expect(check(url, nowSec + 3600)?.reason).toBe('expired');
  });

  it("covers the files the master names (variant playlists, segments) with the answer's query", async () => {
    const { signature } = await serviceWith([asset(ID, 'READY')]).getPlayback(ID);
    expect(check(`${BASE}/assets/${ID}/hls/master_240p.m3u8?${signature.query}`)).toBeUndefined();
    expect(check(`${BASE}/assets/${ID}/hls/master_240p_00003.ts?${signature.query}`)).toBeUndefined();
  });

  it('opens no file of another asset, even one that exists and is READY', async () => {
    const service = serviceWith([asset(ID, 'READY'), asset(OTHER, 'READY')]);
    const { signature } = await service.getPlayback(ID);
    expect(check(`${BASE}/assets/${OTHER}/hls/master.m3u8?${signature.query}`)?.reason).toBe(
      'other-resource',
    );
  });

  it('takes its lifetime from the configuration', async () => {
    const answer = await serviceWith([asset(ID, 'READY')], 120).getPlayback(ID);
    expect(answer.expiresAt).toBe('2027-01-10T12:02:00.000Z');
    expect(check(answer.hls, nowSec + 119)).toBeUndefined();
    expect(check(answer.hls, nowSec + 120)?.reason).toBe('expired');
  });

  it.each(['PROCESSING', 'FAILED', 'UPLOADING'] as const)(
    'refuses a %s video with its status named',
    async (status) => {
      const attempt = serviceWith([asset(ID, status)]).getPlayback(ID);
      await expect(attempt).rejects.toBeInstanceOf(VideoNotReadyError);
      await expect(attempt).rejects.toThrow(`video '${ID}' is ${status}`);
    },
  );

  it('answers NotFoundError for an unknown video', async () => {
    await expect(serviceWith([]).getPlayback(ID)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses to sign an output recorded outside the asset prefix', async () => {
    const broken = asset(ID, 'READY');
    broken.outputs!.poster = `s3://marquee-media/assets/${OTHER}/files/video_poster.0000001.jpg`;
    await expect(serviceWith([broken]).getPlayback(ID)).rejects.toThrow(/outside assets\//);
  });
});

describe('signing key secret format', () => {
  it('reads keyPairId and a PEM private key, and names what is wrong otherwise', () => {
    expect(parseSigningKey(JSON.stringify(signingKey))).toEqual(signingKey);
    expect(() => parseSigningKey('not json')).toThrow('not JSON');
    expect(() => parseSigningKey(JSON.stringify({ privateKey: signingKey.privateKey }))).toThrow('keyPairId');
    expect(() => parseSigningKey(JSON.stringify({ keyPairId: KEY_ID, privateKey: 'abc' }))).toThrow(
      'privateKey',
    );
  });
});

/**
 * Playback URL signing per request (part of `npm run bench -- media`): the cost of one
 * GET /videos/{assetId}/playback answer against same-run baselines — the asset read alone
 * (DynamoDB Local) and one HMAC-SHA256 of the same policy — plus the CloudFront signature alone and,
 * for contrast, one canned signature per URL instead of the one wildcard policy.
 * Run alone: `npx tsx bench/playback.ts` (about half a minute).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { CloudFrontPlaybackSigner, customPolicyOf } from '#adapters/media/cloudfront-signer.ts';
import { DynamoAssetStore } from '#adapters/media/dynamo-asset-store.ts';
import { playbackSettingsFromEnv } from '#adapters/media/playback-config.ts';
import { SigningKeySecret } from '#adapters/media/signing-key-secret.ts';
import type { VideoAsset } from '#domain/media/asset.ts';
import { assetOutputPrefix, type PlaybackGrant, PlaybackService } from '#domain/media/playback.ts';
import { startPlatform } from '#local/platform.ts';
import type { BenchSection } from './report.ts';
import { median, percentile } from './stats.ts';

/** Rounds, and timed calls per operation in each round. */
const ROUNDS = Number(process.env.BENCH_PLAYBACK_ROUNDS ?? 10);
const CALLS = Number(process.env.BENCH_PLAYBACK_CALLS ?? 100);
const THUMBNAILS = 4;

/**
 * Microseconds per call of each operation: after one warm-up round, `ROUNDS` rounds in which every
 * operation runs `CALLS` sequential calls in turn, so load that comes and goes on a shared machine
 * falls on all of them alike.
 */
async function timeInterleaved(operations: Record<string, () => unknown>): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(operations).map((name) => [name, []]),
  );
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(operations)) {
      for (let i = 0; i < CALLS; i++) {
        const started = process.hrtime.bigint();
        await run();
        if (round >= 0) samples[name].push(Number(process.hrtime.bigint() - started) / 1000);
      }
    }
  }
  return samples;
}

/**
 * GET through the local gateway, retried once when the kept-alive connection was reset: the other
 * operations of a round can take longer than the gateway's keep-alive, and on a loaded machine the
 * client may reuse the socket as the server closes it (browsers retry such a GET the same way).
 */
async function getPlaybackOverHttp(url: string, headers: Record<string, string> | undefined): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { headers });
      if (response.status !== 200) throw new Error(`GET playback answered ${response.status}`);
      await response.arrayBuffer();
      return;
    } catch (error) {
      const code = ((error as Error).cause as { code?: string } | undefined)?.code;
      if (attempt > 1 || !['ECONNRESET', 'UND_ERR_SOCKET'].includes(code ?? '')) throw error;
    }
  }
}

/** A READY asset as ingest and mediaEvents leave it: HLS master, MP4, poster, thumbnails. */
function readyAsset(bucket: string): VideoAsset {
  const assetId = randomUUID();
  const out = `s3://${bucket}/${assetOutputPrefix(assetId)}`;
  const now = new Date().toISOString();
  return {
    assetId,
    status: 'READY',
    filename: 'bench.mp4',
    contentType: 'video/mp4',
    uploadKey: `uploads/${assetId}/bench.mp4`,
    createdAt: now,
    updatedAt: now,
    outputs: {
      hlsMaster: `${out}hls/master.m3u8`,
      renditions: [],
      download: {
        uri: `${out}files/video_download.mp4`,
        codec: 'H_264',
        width: 1280,
        height: 720,
        maxBitrateBps: 1,
      },
      thumbnails: Array.from({ length: THUMBNAILS }, (_, i) => `${out}files/video_thumb.000000${i}.jpg`),
      poster: `${out}files/video_poster.0000001.jpg`,
    },
  };
}

const row = (operation: string, samples: number[], baseline?: number[]) => ({
  operation,
  'median µs': Math.round(median(samples)),
  'p95 µs': Math.round(percentile(samples, 95)),
  'x baseline': baseline ? (median(samples) / median(baseline)).toFixed(1) : 'baseline',
});

/** Playback answer cost against the asset read and an HMAC, measured in one run. */
export async function benchPlayback(): Promise<BenchSection[]> {
  const platform = await startPlatform({ mediaConvert: false });
  try {
    const settings = playbackSettingsFromEnv();
    const store = new DynamoAssetStore(platform.names.ASSETS_TABLE);
    const asset = readyAsset(platform.names.MEDIA_BUCKET);
    await store.create(asset);
    const keys = new SigningKeySecret(settings.signingKeySecret, settings.keyCacheSec);
    const signer = new CloudFrontPlaybackSigner(keys);
    const service = new PlaybackService(settings.playback, store, signer);
    const answer = await service.getPlayback(asset.assetId);
    const urls = [answer.hls, answer.mp4!, answer.poster!, ...answer.thumbnails].map(
      (url) => url.split('?')[0],
    );
    const grant: PlaybackGrant = {
      resource: answer.signature.resource,
      expiresAtEpochSec: Math.floor(Date.now() / 1000) + 3600,
    };
    const policy = customPolicyOf(grant);
    const key = await keys.current();
    const hmacKey = randomUUID();

    const headers = platform.token ? { authorization: `Bearer ${platform.token}` } : undefined;
    const t = await timeInterleaved({
      read: () => store.get(asset.assetId),
      playback: () => service.getPlayback(asset.assetId),
      hmac: () => createHmac('sha256', hmacKey).update(policy).digest('base64'),
      sign: () => signer.sign(grant),
      perUrl: () =>
        urls.map((url) =>
          getSignedUrl({
            url,
            dateLessThan: new Date(grant.expiresAtEpochSec * 1000),
            ...key,
            algorithm: 'SHA256',
          }),
        ),
      http: () => getPlaybackOverHttp(`${platform.url}/videos/${asset.assetId}/playback`, headers),
    });
    return [
      {
        title: 'Playback URL signing per request',
        rows: [
          row('asset read alone (GetItem, DynamoDB Local)', t.read),
          row(`playback answer: read + one signature + ${urls.length} URLs`, t.playback, t.read),
          row('HMAC-SHA256 of the policy', t.hmac),
          row('CloudFront signature of the policy (RSA-2048, SHA-256)', t.sign, t.hmac),
          row(`one canned signature per URL (${urls.length} URLs), for contrast`, t.perUrl, t.sign),
          row('GET /videos/{assetId}/playback through the local gateway', t.http, t.read),
        ],
        notes: [
          `${ROUNDS} interleaved rounds of ${CALLS} sequential calls per row after a warm-up round; the signing key comes from the Secrets Manager emulator once and is then cached, as in a warm container.`,
          'The extra cost of a playback answer over the read is one RSA signature: the answer signs one wildcard policy for the whole asset, not each URL.',
        ],
      },
    ];
  } finally {
    await platform.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const section of await benchPlayback()) {
    console.log(`\n## ${section.title}`);
    console.table(section.rows);
    for (const note of section.notes ?? []) console.log(`- ${note}`);
  }
}

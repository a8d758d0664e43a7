/** Lambda adapter of the video routes: upload URLs, asset status and signed playback URLs. */
import { CloudFrontPlaybackSigner } from '#adapters/media/cloudfront-signer.ts';
import { DynamoAssetStore } from '#adapters/media/dynamo-asset-store.ts';
import { playbackSettingsFromEnv } from '#adapters/media/playback-config.ts';
import { S3UploadSigner } from '#adapters/media/s3-upload-signer.ts';
import { SigningKeySecret } from '#adapters/media/signing-key-secret.ts';
import { videosContracts } from '#contracts/videos.ts';
import { PlaybackService } from '#domain/media/playback.ts';
import { VideoUploads } from '#domain/media/uploads.ts';
import { httpHandler } from '#edge/http.ts';
import { bucketNameFromEnv, readSetting, tableNameFromEnv } from '#platform/config.ts';

const assets = new DynamoAssetStore(tableNameFromEnv('assets'));
const videos = new VideoUploads(
  {
    uploadUrlTtlSec: readSetting('UPLOAD_URL_TTL_SEC'),
    maxUploadBytes: readSetting('MEDIA_MAX_UPLOAD_BYTES'),
    abandonedUploadDays: 30,
  },
  assets,
  new S3UploadSigner(bucketNameFromEnv('uploads')),
);
const playbackSettings = playbackSettingsFromEnv();
const playback = new PlaybackService(
  playbackSettings.playback,
  assets,
  new CloudFrontPlaybackSigner(
    new SigningKeySecret(playbackSettings.signingKeySecret, playbackSettings.keyCacheSec),
  ),
);

export const handler = httpHandler('videos', videosContracts, {
  createUpload: async ({ body }) => ({ status: 201, body: await videos.createUpload(body) }),
  getVideo: async ({ params }) => ({ status: 200, body: await videos.getVideo(params.assetId) }),
  listVideos: async ({ query }) => ({ status: 200, body: await videos.listVideos(query) }),
  getPlayback: async ({ params }) => ({ status: 200, body: await playback.getPlayback(params.assetId) }),
});

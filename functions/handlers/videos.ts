/** Lambda adapter of the video routes: upload URLs and asset status. */
import { DynamoAssetStore } from '#adapters/media/dynamo-asset-store.ts';
import { S3UploadSigner } from '#adapters/media/s3-upload-signer.ts';
import { videosContracts } from '#contracts/videos.ts';
import { VideoUploads } from '#domain/media/uploads.ts';
import { httpHandler } from '#edge/http.ts';
import { bucketNameFromEnv, readSetting, tableNameFromEnv } from '#platform/config.ts';

const videos = new VideoUploads(
  {
    uploadUrlTtlSec: readSetting('UPLOAD_URL_TTL_SEC'),
    maxUploadBytes: readSetting('MEDIA_MAX_UPLOAD_BYTES'),
    abandonedUploadDays: 30,
  },
  new DynamoAssetStore(tableNameFromEnv('assets')),
  new S3UploadSigner(bucketNameFromEnv('uploads')),
);

export const handler = httpHandler('videos', videosContracts, {
  createUpload: async ({ body }) => ({ status: 201, body: await videos.createUpload(body) }),
  getVideo: async ({ params }) => ({ status: 200, body: await videos.getVideo(params.assetId) }),
  listVideos: async ({ query }) => ({ status: 200, body: await videos.listVideos(query) }),
});

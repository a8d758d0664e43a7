/** The asset as the API shows it. */
import type { VideoAsset } from './asset.ts';

/** The asset as the API shows it: no internal bookkeeping (upload key, ingest token, plan). */
export function toVideoView(asset: VideoAsset) {
  const video = asset.source?.video;
  return {
    assetId: asset.assetId,
    status: asset.status,
    ...(asset.status === 'PROCESSING' ? { percent: asset.percent ?? 0 } : {}),
    ...(asset.failure ? { failure: { code: asset.failure.code, reason: asset.failure.message } } : {}),
    filename: asset.filename,
    contentType: asset.contentType,
    ...(asset.itemId ? { itemId: asset.itemId } : {}),
    ...(asset.title ? { title: asset.title } : {}),
    ...(asset.source
      ? {
          source: {
            container: asset.source.container,
            durationSec: asset.source.durationSec,
            sizeBytes: asset.source.sizeBytes,
            ...(video
              ? {
                  video: {
                    codec: video.codec,
                    width: video.displayWidth,
                    height: video.displayHeight,
                    storedWidth: video.storedWidth,
                    storedHeight: video.storedHeight,
                    rotationDeg: video.rotationDeg,
                    sampleAspectRatio: `${video.sampleAspectRatio.num}:${video.sampleAspectRatio.den}`,
                    frameRate: video.frameRate,
                    dynamicRange: video.dynamicRange,
                  },
                }
              : {}),
            ...(asset.source.audio ? { audio: asset.source.audio } : {}),
          },
        }
      : {}),
    smartColour: asset.smartColour !== false,
    ...(asset.colour ? { colour: asset.colour } : {}),
    ...(asset.outputs ? { outputs: asset.outputs } : {}),
    createdAt: asset.createdAt,
    updatedAt: asset.updatedAt,
  };
}

export type VideoView = ReturnType<typeof toVideoView>;

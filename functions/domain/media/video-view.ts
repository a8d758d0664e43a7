/** The asset as the API shows it. */
import type { CropRendition, VideoAsset } from './asset.ts';

/** A smart-crop aspect as the API shows it: its state, its shots and its renditions tagged with the aspect. */
function toCropView(crop: CropRendition) {
  const rate = crop.plan.frameRate;
  const seconds = (frame: number) => Math.round((frame / rate) * 1000) / 1000;
  const tagged = crop.outputs && {
    hlsMaster: crop.outputs.hlsMaster,
    renditions: crop.outputs.renditions.map((r) => ({ ...r, aspect: crop.aspect })),
    ...(crop.outputs.download ? { download: { ...crop.outputs.download, aspect: crop.aspect } } : {}),
  };
  return {
    aspect: crop.aspect,
    status: crop.status,
    window: { width: crop.plan.width, height: crop.plan.height },
    shots: crop.plan.shots.map((shot) => ({
      startSec: seconds(shot.startFrame),
      endSec: seconds(shot.endFrame),
      motion: shot.motion,
      windows: shot.windows.length,
    })),
    ...(crop.plan.fallback ? { fallback: crop.plan.fallback } : {}),
    ...(crop.failure ? { failure: crop.failure } : {}),
    ...(tagged ?? {}),
  };
}

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
    smartCrops: [asset.cropVertical, asset.cropSquare].filter((c) => c !== undefined).map(toCropView),
    createdAt: asset.createdAt,
    updatedAt: asset.updatedAt,
  };
}

export type VideoView = ReturnType<typeof toVideoView>;

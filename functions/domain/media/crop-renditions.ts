/**
 * Smart crop renditions of a READY asset: when its main job completes, analyse its MP4 download (a
 * low rendition, not the master), plan a window per shot for each aspect and submit one job per
 * aspect whose inputs are the windows; when those jobs complete or fail, record their renditions or
 * failure on the asset. Each aspect has its own asset field, so the two jobs never overwrite each other.
 */
import { DomainError } from '#domain/errors.ts';
import type { CropRendition, VideoAsset } from './asset.ts';
import { type LadderConfig, planLadder } from './ladder.ts';
import { toAssetOutputs, type JobUpdate } from './job-updates.ts';
import { AnalysisFailedError, type AssetStore, type Transcoder, type VideoAnalyzer } from './ports.ts';
import type { SourceProbe } from './probe.ts';
import {
  CROP_ASPECTS,
  type CropAspect,
  type CropPicture,
  cropWindows,
  croppedSource,
  planSmartCrop,
} from './smart-crop.ts';

/** The asset field each aspect lives in (separate fields: two jobs complete independently). */
export const CROP_FIELDS = { '9:16': 'cropVertical', '1:1': 'cropSquare' } as const satisfies Record<
  CropAspect,
  keyof VideoAsset
>;

/** The main job completed before its asset was written READY (events race): retry the event later. */
export class AssetNotReadyYetError extends DomainError {}

export type CropOutcome =
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'submitted'; assetId: string; jobs: Record<string, string> }
  | { outcome: 'recorded'; assetId: string; aspect: CropAspect; status: CropRendition['status'] };

/** The picture crop rectangles are cut from: stored pixels after rotation (MediaConvert's Crop grid). */
export function cropPictureOf(source: SourceProbe): CropPicture | undefined {
  const video = source.video;
  if (!video) return undefined;
  const turned = video.rotationDeg === 90 || video.rotationDeg === 270;
  return {
    width: turned ? video.storedHeight : video.storedWidth,
    height: turned ? video.storedWidth : video.storedHeight,
    frameRate: video.frameRate,
    frameCount: Math.max(1, Math.round(source.durationSec * video.frameRate)),
  };
}

export class SmartCropRenditions {
  constructor(
    private readonly config: { uploadsBucket: string; mediaBucket: string; ladder: LadderConfig },
    private readonly assets: AssetStore,
    private readonly transcoder: Transcoder,
    private readonly analyzer: VideoAnalyzer,
  ) {}

  /** Handles a job's completion or failure: the main job starts the crops, a crop job records itself. */
  async onJobUpdate(update: JobUpdate): Promise<CropOutcome> {
    if (update.kind !== 'complete' && update.kind !== 'error')
      return { outcome: 'ignored', reason: 'only completions and failures matter here' };
    const asset = await this.assets.get(update.assetId);
    if (!asset) return { outcome: 'ignored', reason: `no asset ${update.assetId}` };
    const aspect = CROP_ASPECTS.find((a) => asset[CROP_FIELDS[a]]?.jobId === update.jobId);
    if (aspect) return this.record(asset, aspect, update);
    if (update.kind === 'complete' && update.jobId === asset.jobId) return this.start(asset);
    return { outcome: 'ignored', reason: 'neither the asset’s main job nor one of its crop jobs' };
  }

  private async start(asset: VideoAsset): Promise<CropOutcome> {
    if (asset.status !== 'READY') throw new AssetNotReadyYetError(`asset ${asset.assetId} is not READY yet`);
    if (CROP_ASPECTS.some((a) => asset[CROP_FIELDS[a]]))
      return { outcome: 'ignored', reason: 'the crops were already submitted' };
    const picture = asset.source ? cropPictureOf(asset.source) : undefined;
    const rendition = asset.outputs?.download?.uri;
    if (!picture || !rendition || !asset.source)
      return { outcome: 'ignored', reason: 'the asset has no video rendition to analyse' };
    let sampled: Awaited<ReturnType<VideoAnalyzer['sampleFrames']>>;
    try {
      sampled = await this.analyzer.sampleFrames(rendition, picture);
    } catch (error) {
      // The same bytes would fail again: no retry, the asset simply gets no crops (the log says why).
      if (!(error instanceof AnalysisFailedError)) throw error;
      return { outcome: 'ignored', reason: `smart crop analysis failed: ${error.message}` };
    }
    const jobs: Record<string, string> = {};
    for (const aspect of CROP_ASPECTS) {
      const plan = planSmartCrop(sampled, picture, aspect);
      const ladder = planLadder(croppedSource(asset.source, plan), this.config.ladder);
      const folder = `crop-${aspect.replace(':', 'x')}`;
      const jobId = await this.transcoder.submit({
        assetId: asset.assetId,
        inputUri: `s3://${this.config.uploadsBucket}/${asset.uploadKey}`,
        outputPrefix: `s3://${this.config.mediaBucket}/assets/${asset.assetId}/${folder}/`,
        plan: ladder,
        ...(asset.colour?.correction ? { colour: asset.colour.correction } : {}),
        crop: { aspect, frameRate: picture.frameRate, windows: cropWindows(plan) },
        attempt: `${asset.ingestToken ?? 1}-${folder}`,
      });
      const crop: CropRendition = { aspect, status: 'PROCESSING', jobId, plan, ladder };
      await this.assets.update(asset.assetId, { [CROP_FIELDS[aspect]]: crop });
      jobs[aspect] = jobId;
    }
    return { outcome: 'submitted', assetId: asset.assetId, jobs };
  }

  private async record(
    asset: VideoAsset,
    aspect: CropAspect,
    update: Extract<JobUpdate, { kind: 'complete' | 'error' }>,
  ): Promise<CropOutcome> {
    const crop = asset[CROP_FIELDS[aspect]]!;
    if (crop.status !== 'PROCESSING')
      return { outcome: 'ignored', reason: `the ${aspect} crop already settled` };
    const next: CropRendition =
      update.kind === 'complete'
        ? {
            ...crop,
            status: 'READY',
            outputs: toAssetOutputs(update.outputs, crop.ladder),
          }
        : { ...crop, status: 'FAILED', failure: `${update.code}: ${update.message}` };
    await this.assets.update(asset.assetId, { [CROP_FIELDS[aspect]]: next });
    return { outcome: 'recorded', assetId: asset.assetId, aspect, status: next.status };
  }
}

/**
 * Rendition quality of a READY asset: when its main job completes, each rendition (HLS variants and
 * the MP4 download) is compared with the source over a bounded sample (VMAF v0.6.1 at the source's
 * display size, with PSNR and SSIM from the same pass), and the scores, the sample and the ladder
 * check's flags land on the asset. MediaConvert measures no VMAF, so this runs in AWS and locally
 * alike. Quality is a report, not a deliverable: whatever goes wrong, the asset stays READY and says
 * why it has no VMAF.
 */
import type { AssetOutputs, AssetQuality, RenditionOutput, VideoAsset } from './asset.ts';
import { AssetNotReadyYetError } from './crop-renditions.ts';
import type { JobUpdate } from './job-updates.ts';
import { AnalysisFailedError, type AssetStore, type MeasuredQuality, type QualityMeter } from './ports.ts';
import { lowVmafFlags } from './quality-expectations.ts';
import { planVmafSample, UnsampleableVideoError, type VmafSample } from './vmaf-sample.ts';

export interface RenditionQualityConfig {
  uploadsBucket: string;
  /** The VMAF model file's name, or why there is none to use. */
  vmafModel: { name: string } | { missing: string };
  /** Seconds of video measured at most per rendition (MEDIA_VMAF_SAMPLE_SEC). */
  sampleSec: number;
}

export type QualityOutcome =
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'recorded'; assetId: string; vmafStatus: 'MEASURED' | 'MISSING'; measured: number };

export class RenditionQuality {
  constructor(
    private readonly config: RenditionQualityConfig,
    private readonly assets: AssetStore,
    private readonly meter: QualityMeter,
  ) {}

  /** Measures the renditions of the asset whose main job just completed; other updates are ignored. */
  async onJobUpdate(update: JobUpdate): Promise<QualityOutcome> {
    if (update.kind !== 'complete') return { outcome: 'ignored', reason: 'only completions are measured' };
    const asset = await this.assets.get(update.assetId);
    if (!asset) return { outcome: 'ignored', reason: `no asset ${update.assetId}` };
    if (update.jobId !== asset.jobId)
      return {
        outcome: 'ignored',
        reason: 'not the asset’s main job (a smart crop is not compared with its source)',
      };
    // The job events race: mediaEvents may not have written READY and the outputs yet.
    if (asset.status !== 'READY' || !asset.outputs)
      throw new AssetNotReadyYetError(`asset ${asset.assetId} is not READY yet`);
    if (asset.outputs.quality?.vmafStatus && asset.outputs.quality.vmafStatus !== 'MEASURING')
      return { outcome: 'ignored', reason: 'the renditions were already measured' };
    const outputs = await this.measured(asset, asset.outputs);
    await this.assets.update(asset.assetId, { outputs });
    const status = outputs.quality?.vmafStatus === 'MEASURED' ? 'MEASURED' : 'MISSING';
    const measured = [...outputs.renditions, outputs.download].filter((r) => r?.vmaf !== undefined).length;
    return { outcome: 'recorded', assetId: asset.assetId, vmafStatus: status, measured };
  }

  /** The outputs with each rendition's scores and the quality summary, or the reason there are none. */
  private async measured(asset: VideoAsset, outputs: AssetOutputs): Promise<AssetOutputs> {
    const display = asset.source?.video;
    const missing = (reason: string): AssetOutputs => ({
      ...outputs,
      quality: { vmafStatus: 'MISSING', vmafMissing: reason, flags: [] },
    });
    const model = this.config.vmafModel;
    if ('missing' in model) return missing(model.missing);
    if (!display || !asset.source) return missing('the source has no video track to compare with');
    let sample: VmafSample;
    try {
      sample = planVmafSample(asset.source.durationSec, this.config.sampleSec);
    } catch (error) {
      if (error instanceof UnsampleableVideoError) return missing(error.message);
      throw error;
    }
    const failures: string[] = [];
    const score = async (rendition: RenditionOutput): Promise<RenditionOutput> => {
      try {
        const scores = await this.meter.measure({
          sourceUri: `s3://${this.config.uploadsBucket}/${asset.uploadKey}`,
          renditionUri: rendition.uri,
          displayWidth: display.displayWidth,
          displayHeight: display.displayHeight,
          windows: sample.windows,
        });
        return { ...rendition, ...rounded(scores) };
      } catch (error) {
        // The same bytes would fail again: no retry, the asset says which rendition and why.
        if (!(error instanceof AnalysisFailedError)) throw error;
        failures.push(`${nameOf(rendition.uri)}: ${error.message.slice(0, 300)}`);
        return rendition;
      }
    };
    const renditions: RenditionOutput[] = [];
    // One at a time: each ffmpeg run already uses the function's CPU.
    for (const rendition of outputs.renditions) renditions.push(await score(rendition));
    const download = outputs.download ? await score(outputs.download) : undefined;
    const anyMeasured = [...renditions, download].some((r) => r?.vmaf !== undefined);
    const quality: AssetQuality = {
      vmafStatus: anyMeasured ? 'MEASURED' : 'MISSING',
      ...(anyMeasured ? { vmafModel: model.name, vmafSample: sample.description } : {}),
      ...(failures.length > 0 ? { vmafMissing: `not measured: ${failures.join('; ')}` } : {}),
      flags: lowVmafFlags(renditions, Math.min(display.displayWidth, display.displayHeight)),
    };
    return { ...outputs, renditions, ...(download ? { download } : {}), quality };
  }
}

/** Two decimals for VMAF and PSNR, four for SSIM: finer digits are noise between runs. */
function rounded(scores: MeasuredQuality): Pick<RenditionOutput, 'vmaf' | 'psnrDb' | 'ssim'> {
  return {
    vmaf: Math.round(scores.vmaf * 100) / 100,
    psnrDb: Math.round(scores.psnrDb * 100) / 100,
    ssim: Math.round(scores.ssim * 10000) / 10000,
  };
}

const nameOf = (uri: string) => uri.slice(uri.lastIndexOf('/') + 1);

/**
 * Ingest of uploaded masters: probe, plan the ladder, submit the transcode. Unprocessable sources end
 * FAILED with a readable reason instead of throwing, so nothing retries forever.
 */
import { createHash } from 'node:crypto';
import { type LadderConfig, planLadder, SourceRejectedError } from './ladder.ts';
import { type ColourDecision, decideColourCorrection } from './colour.ts';
import {
  AnalysisFailedError,
  type AssetStore,
  ProbeFailedError,
  type Transcoder,
  type VideoAnalyzer,
} from './ports.ts';
import type { SourceProbe } from './probe.ts';
import type { VideoAsset } from './asset.ts';
import { assetIdFromUploadKey, ingestTokenOf, isVideoKey } from './upload-key.ts';

export interface IngestConfig {
  /** Bucket that receives every asset's outputs. */
  mediaBucket: string;
  ladder: LadderConfig;
}

/** One S3 ObjectCreated record, key already decoded. */
export interface UploadedObject {
  bucket: string;
  key: string;
  /** Bytes. */
  size: number;
  eTag?: string;
  sequencer?: string;
}

export type IngestOutcome =
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'duplicate'; assetId: string }
  /** A later upload of an asset that is no longer UPLOADING: no job, nothing changed. */
  | { outcome: 'refused'; assetId: string; reason: string }
  | { outcome: 'failed'; assetId: string; code: string; reason: string }
  | { outcome: 'submitted'; assetId: string; jobId: string };

const shortDigest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

export class VideoIngest {
  constructor(
    private readonly config: IngestConfig,
    private readonly assets: AssetStore,
    private readonly transcoder: Transcoder,
    private readonly analyzer: VideoAnalyzer,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Handles one uploaded object: claim its asset, probe, plan, submit. Only an asset still UPLOADING
   * is processed: a later upload to the same key (the presigned form can be reused until it expires)
   * starts no job and leaves the asset and its outputs as they are. Duplicate notifications of the
   * claimed object version do nothing once a job exists; a crash before that re-runs safely because
   * the job's idempotency token is derived from the notification.
   */
  async ingest(object: UploadedObject): Promise<IngestOutcome> {
    const assetId = assetIdFromUploadKey(object.key);
    if (!assetId) return { outcome: 'ignored', reason: `key ${object.key} was not issued by POST /videos` };
    const asset = await this.assets.get(assetId);
    if (!asset) return { outcome: 'ignored', reason: `no asset ${assetId} for key ${object.key}` };
    const token = ingestTokenOf(object);
    if (
      asset.ingestToken === token &&
      (asset.jobId || asset.status === 'READY' || asset.status === 'FAILED')
    ) {
      return { outcome: 'duplicate', assetId };
    }
    if (!(await this.claim(asset, token))) {
      return {
        outcome: 'refused',
        assetId,
        reason: `the asset is ${asset.status === 'UPLOADING' ? 'being processed' : asset.status}: only its first upload is processed, so this one starts no job and leaves the asset's outputs as they are`,
      };
    }
    let source: SourceProbe | undefined;
    try {
      source = await this.readSource(object);
      const plan = planLadder(source, this.config.ladder);
      const inputUri = `s3://${object.bucket}/${object.key}`;
      const colour = await this.decideColour(asset, source, inputUri);
      const jobId = await this.transcoder.submit({
        assetId,
        inputUri,
        outputPrefix: `s3://${this.config.mediaBucket}/assets/${assetId}/`,
        plan,
        ...(colour.correction ? { colour: colour.correction } : {}),
        attempt: shortDigest(token),
      });
      // Only the job's identity and the plan: the job's own events may already have moved the status on.
      await this.assets.update(assetId, { jobId, source, plan, colour });
      return { outcome: 'submitted', assetId, jobId };
    } catch (error) {
      if (!(error instanceof SourceRejectedError)) throw error;
      await this.assets.update(assetId, {
        ...(source ? { source } : {}),
        status: 'FAILED',
        failure: { code: error.code, message: error.reason },
        updatedAt: this.now().toISOString(),
      });
      return { outcome: 'failed', assetId, code: error.code, reason: error.reason };
    }
  }

  /** Moves an UPLOADING asset to PROCESSING for this object version; false when another upload owns it. */
  private claim(asset: VideoAsset, token: string): Promise<boolean> {
    if (asset.status !== 'UPLOADING' && asset.ingestToken !== token) return Promise.resolve(false);
    return this.assets.update(
      asset.assetId,
      { status: 'PROCESSING', percent: 0, ingestToken: token, updatedAt: this.now().toISOString() },
      { remove: ['failure', 'jobId', 'outputs', 'expiresAt'], claimFor: token },
    );
  }

  /**
   * Smart colour for a planned source: measured and decided unless the uploader turned it off. An
   * analysis that fails leaves the picture untouched and says why; it never fails the asset.
   */
  private async decideColour(asset: VideoAsset, source: SourceProbe, uri: string): Promise<ColourDecision> {
    if (asset.smartColour === false) return { findings: [], reason: 'smart colour was turned off at upload' };
    if (!source.video) return { findings: [], reason: 'the source has no video track' };
    try {
      return decideColourCorrection(await this.analyzer.measureExposure(uri, source.durationSec));
    } catch (error) {
      if (!(error instanceof AnalysisFailedError)) throw error;
      return { findings: [], reason: `not analysed, left untouched: ${error.message}` };
    }
  }

  /** What the uploaded object holds; throws SourceRejectedError when it is not a readable video. */
  private async readSource(object: UploadedObject): Promise<SourceProbe> {
    if (!isVideoKey(object.key))
      throw new SourceRejectedError('NOT_A_VIDEO', 'the uploaded file does not have a video file extension');
    if (object.size === 0) throw new SourceRejectedError('EMPTY', 'the uploaded file is empty');
    let source: SourceProbe;
    try {
      source = await this.transcoder.probe(`s3://${object.bucket}/${object.key}`);
    } catch (error) {
      if (error instanceof ProbeFailedError)
        throw new SourceRejectedError('UNREADABLE', `the uploaded file could not be read: ${error.message}`);
      throw error;
    }
    if (!source.video && source.audioTrackCount === 0 && source.dataTrackCount === 0) {
      throw new SourceRejectedError(
        'NOT_A_VIDEO',
        'the uploaded file is not a video (no readable container or tracks)',
      );
    }
    return source;
  }
}

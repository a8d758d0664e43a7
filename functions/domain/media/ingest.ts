/**
 * Ingest of uploaded masters: probe, plan the ladder, submit the transcode. Unprocessable sources end
 * FAILED with a readable reason instead of throwing, so nothing retries forever.
 */
import { createHash } from 'node:crypto';
import { type LadderConfig, planLadder, SourceRejectedError } from './ladder.ts';
import { type AssetStore, ProbeFailedError, type Transcoder } from './ports.ts';
import type { SourceProbe } from './probe.ts';
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
  | { outcome: 'failed'; assetId: string; code: string; reason: string }
  | { outcome: 'submitted'; assetId: string; jobId: string };

const shortDigest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

export class VideoIngest {
  constructor(
    private readonly config: IngestConfig,
    private readonly assets: AssetStore,
    private readonly transcoder: Transcoder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Handles one uploaded object: probe, plan, submit. Duplicate notifications of the same object
   * version do nothing once a job exists; a crash before that re-runs safely because the job's
   * clientRequestToken is derived from the notification. Unprocessable sources end FAILED with a
   * readable reason instead of throwing, so nothing retries forever.
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
    const started = this.now().toISOString();
    await this.assets.update(
      assetId,
      { status: 'PROCESSING', percent: 0, ingestToken: token, updatedAt: started },
      { remove: ['failure', 'jobId', 'outputs', 'expiresAt'] },
    );
    const fail = async (code: string, reason: string): Promise<IngestOutcome> => {
      await this.assets.update(assetId, {
        status: 'FAILED',
        failure: { code, message: reason },
        updatedAt: this.now().toISOString(),
      });
      return { outcome: 'failed', assetId, code, reason };
    };
    if (!isVideoKey(object.key))
      return fail('NOT_A_VIDEO', 'the uploaded file does not have a video file extension');
    if (object.size === 0) return fail('EMPTY', 'the uploaded file is empty');
    const inputUri = `s3://${object.bucket}/${object.key}`;
    let source: SourceProbe;
    try {
      source = await this.transcoder.probe(inputUri);
    } catch (error) {
      if (error instanceof ProbeFailedError)
        return fail('UNREADABLE', `the uploaded file could not be read: ${error.message}`);
      throw error;
    }
    if (!source.video && source.audioTrackCount === 0 && source.dataTrackCount === 0) {
      return fail('NOT_A_VIDEO', 'the uploaded file is not a video (no readable container or tracks)');
    }
    let plan: ReturnType<typeof planLadder>;
    try {
      plan = planLadder(source, this.config.ladder);
    } catch (error) {
      if (error instanceof SourceRejectedError) {
        await this.assets.update(assetId, { source });
        return fail(error.code, error.reason);
      }
      throw error;
    }
    const jobId = await this.transcoder.submit({
      assetId,
      inputUri,
      outputPrefix: `s3://${this.config.mediaBucket}/assets/${assetId}/`,
      plan,
      attempt: shortDigest(token),
    });
    // Only the job's identity and the plan: the job's own events may already have moved the status on.
    await this.assets.update(assetId, { jobId, source, plan });
    return { outcome: 'submitted', assetId, jobId };
  }
}

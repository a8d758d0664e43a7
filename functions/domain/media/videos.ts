/**
 * The video service: upload URLs, ingest of uploaded masters, job state changes, and the asset views
 * the API returns. Orchestrates the pure planners over the ports; no AWS types.
 */
import { createHash, randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '#domain/errors.ts';
import type { AssetStatus, VideoAsset } from './asset.ts';
import { applyJobUpdate, type JobUpdate } from './job-updates.ts';
import { type LadderConfig, planLadder, SourceRejectedError } from './ladder.ts';
import type { AssetStore, PlayableItems, Transcoder, UploadSigner } from './ports.ts';
import type { SourceProbe } from './probe.ts';
import { ProbeFailedError } from './ports.ts';
import {
  assetIdFromUploadKey,
  ingestTokenOf,
  isVideoKey,
  uploadKeyFor,
  VIDEO_EXTENSIONS,
} from './upload-key.ts';

/** Each handler configures only what its operations use (its Lambda gets only those variables). */
export interface VideoServiceConfig {
  /** Needed by ingest. */
  mediaBucket?: string;
  ladder?: LadderConfig;
  /** Lifetime of an upload URL, seconds (createUpload). */
  uploadUrlTtlSec?: number;
  /** An asset never uploaded disappears after this many days (table TTL). */
  abandonedUploadDays?: number;
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`VideoService: ${name} is not configured for this function`);
  return value;
}

export interface CreateUploadInput {
  filename: string;
  contentType: string;
  itemId?: string;
  title?: string;
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

export type JobEventOutcome =
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'applied'; assetId: string; status: AssetStatus; itemMadePlayable?: boolean };

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
    ...(asset.outputs ? { outputs: asset.outputs } : {}),
    createdAt: asset.createdAt,
    updatedAt: asset.updatedAt,
  };
}

export type VideoView = ReturnType<typeof toVideoView>;

const shortDigest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

export class VideoService {
  constructor(
    private readonly config: VideoServiceConfig,
    private readonly assets: AssetStore,
    private readonly ports: { signer?: UploadSigner; transcoder?: Transcoder; items?: PlayableItems },
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Registers an asset and returns a presigned PUT URL for its master. */
  async createUpload(input: CreateUploadInput) {
    const problems = [];
    if (!isVideoKey(input.filename)) {
      problems.push({
        field: 'filename',
        message: `must end in a video extension (${VIDEO_EXTENSIONS.join(', ')})`,
      });
    }
    if (!/^video\/[\w.+-]+$/i.test(input.contentType) && input.contentType !== 'application/octet-stream') {
      problems.push({ field: 'contentType', message: 'must be a video/* media type' });
    }
    if (problems.length > 0) throw new ValidationError('the upload cannot be accepted', problems);
    const assetId = randomUUID();
    const uploadKey = uploadKeyFor(assetId, input.filename);
    const now = this.now();
    const asset: VideoAsset = {
      assetId,
      status: 'UPLOADING',
      filename: input.filename,
      contentType: input.contentType,
      itemId: input.itemId,
      title: input.title,
      uploadKey,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const ttlSec = required(this.config.uploadUrlTtlSec, 'uploadUrlTtlSec');
    const expiresAtSec = Math.floor(now.getTime() / 1000) + (this.config.abandonedUploadDays ?? 30) * 86_400;
    await this.assets.create({ ...asset, expiresAt: expiresAtSec });
    const uploadUrl = await required(this.ports.signer, 'signer').presignPut(
      uploadKey,
      input.contentType,
      ttlSec,
    );
    return {
      assetId,
      uploadUrl,
      method: 'PUT' as const,
      headers: { 'content-type': input.contentType },
      expiresAt: new Date(now.getTime() + ttlSec * 1000).toISOString(),
    };
  }

  async getVideo(assetId: string): Promise<VideoView> {
    const asset = await this.assets.get(assetId);
    if (!asset) throw new NotFoundError('video', assetId);
    return toVideoView(asset);
  }

  async listVideos(options: { status?: AssetStatus; limit: number; cursor?: string }) {
    const page = await this.assets.list(options);
    return { videos: page.assets.map(toVideoView), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

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
      source = await required(this.ports.transcoder, 'transcoder').probe(inputUri);
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
      plan = planLadder(source, required(this.config.ladder, 'ladder'));
    } catch (error) {
      if (error instanceof SourceRejectedError) {
        await this.assets.update(assetId, { source });
        return fail(error.code, error.reason);
      }
      throw error;
    }
    const jobId = await required(this.ports.transcoder, 'transcoder').submit({
      assetId,
      inputUri,
      outputPrefix: `s3://${required(this.config.mediaBucket, 'mediaBucket')}/assets/${assetId}/`,
      plan,
      attempt: shortDigest(token),
    });
    // Only the job's identity and the plan: the job's own events may already have moved the status on.
    await this.assets.update(assetId, { jobId, source, plan });
    return { outcome: 'submitted', assetId, jobId };
  }

  /** Applies a job's state change to its asset; on COMPLETE the linked item becomes playable. */
  async recordJobUpdate(update: JobUpdate): Promise<JobEventOutcome> {
    if (update.kind === 'ignored') return { outcome: 'ignored', reason: update.reason };
    const asset = await this.assets.get(update.assetId);
    if (!asset) return { outcome: 'ignored', reason: `no asset ${update.assetId}` };
    const next = applyJobUpdate(asset, update, this.now().toISOString());
    let status = asset.status;
    if (next) {
      const { assetId: _id, ...fields } = next;
      const written = await this.assets.update(asset.assetId, fields, { unlessSettledBy: update.jobId });
      if (!written)
        return { outcome: 'ignored', reason: 'the asset settled or moved to another job meanwhile' };
      status = next.status;
    }
    // Also on a repeated COMPLETE: the first delivery may have stopped between the two writes.
    const completed = update.kind === 'complete' && status === 'READY' && asset.jobId === update.jobId;
    if ((next?.status === 'READY' || completed) && asset.itemId && this.ports.items) {
      const itemMadePlayable = await this.ports.items.markPlayable(asset.itemId);
      return { outcome: 'applied', assetId: asset.assetId, status: 'READY', itemMadePlayable };
    }
    if (!next) return { outcome: 'ignored', reason: 'the event does not change the asset' };
    return { outcome: 'applied', assetId: asset.assetId, status };
  }
}

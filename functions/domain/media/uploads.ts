/**
 * Uploads and the asset views of the API: registering an upload, reading and listing assets.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '#domain/errors.ts';
import type { AssetStatus, VideoAsset } from './asset.ts';
import type { AssetStore, UploadSigner } from './ports.ts';
import { uploadKeyFor, VIDEO_EXTENSIONS, isVideoKey } from './upload-key.ts';
import { toVideoView, type VideoView } from './video-view.ts';

export interface UploadConfig {
  /** Lifetime of an upload form, seconds. */
  uploadUrlTtlSec: number;
  /** Largest accepted master, bytes; the storage refuses a bigger upload. */
  maxUploadBytes: number;
  /** An asset never uploaded disappears after this many days (table TTL). */
  abandonedUploadDays: number;
}

export interface CreateUploadInput {
  filename: string;
  contentType: string;
  itemId?: string;
  title?: string;
  /** Correct clearly mis-exposed, flat or colour-cast clips (default true). */
  smartColour?: boolean;
}

export class VideoUploads {
  constructor(
    private readonly config: UploadConfig,
    private readonly assets: AssetStore,
    private readonly signer: UploadSigner,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Registers an asset and returns a presigned POST form for its master: one key, the declared
   * Content-Type, 1 byte to `maxUploadBytes`.
   */
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
      ...(input.smartColour === false ? { smartColour: false } : {}),
      uploadKey,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const ttlSec = this.config.uploadUrlTtlSec;
    const expiresAtSec = Math.floor(now.getTime() / 1000) + this.config.abandonedUploadDays * 86_400;
    await this.assets.create({ ...asset, expiresAt: expiresAtSec });
    const form = await this.signer.presignPost(uploadKey, {
      contentType: input.contentType,
      maxBytes: this.config.maxUploadBytes,
      expiresInSec: ttlSec,
    });
    return {
      assetId,
      uploadUrl: form.url,
      method: 'POST' as const,
      fields: form.fields,
      maxSizeBytes: this.config.maxUploadBytes,
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
}

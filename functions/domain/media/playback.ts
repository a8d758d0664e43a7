/**
 * Playback of a READY video through the CDN in front of the media bucket: which URLs a player gets,
 * how long they live, and what one signature covers. Signing itself sits behind the PlaybackSigner
 * port (CloudFront's scheme in adapters/media); nothing here knows AWS or HTTP formats.
 *
 * One signature per answer, over a policy whose resource is the asset's whole output prefix
 * (`<base>/assets/<assetId>/*`): the master playlist, variant playlists, segments, MP4, poster and
 * thumbnails all match it, so a player that appends the same query string to every request it
 * makes under that prefix plays the whole stream, and the signature opens no other asset.
 */
import { ConflictError, NotFoundError } from '#domain/errors.ts';
import type { AssetStatus, VideoAsset } from './asset.ts';

export interface PlaybackConfig {
  /** Origin of the CDN serving the media bucket, e.g. `https://d111111abcdef8.cloudfront.net`. */
  baseUrl: string;
  /** How long a playback answer's signature stays valid, seconds. */
  urlTtlSec: number;
}

/** What one signature grants: GET of every URL matching `resource` until `expiresAtEpochSec`. */
export interface PlaybackGrant {
  /** A URL in which `*` matches any run of characters (CloudFront custom-policy wildcard). */
  resource: string;
  /** Seconds since the epoch; requests at or after this instant are refused. */
  expiresAtEpochSec: number;
}

export interface PlaybackSigner {
  /** Signs `grant`; returns the query string (no leading `?`) a request under the grant carries. */
  sign(grant: PlaybackGrant): Promise<string>;
}

/** The video exists but cannot be played yet (or ever): its status is not READY. */
export class VideoNotReadyError extends ConflictError {
  constructor(
    readonly assetId: string,
    readonly status: AssetStatus,
  ) {
    super(`video '${assetId}' is ${status}; playback needs a READY video`);
  }
}

/** Object-key prefix, ending in `/`, under which every output of an asset is written. */
export const assetOutputPrefix = (assetId: string): string => `assets/${assetId}/`;

export interface PlaybackAnswer {
  assetId: string;
  /** ISO 8601 instant after which every URL below is refused. */
  expiresAt: string;
  /** Signed URL of the HLS master playlist. */
  hls: string;
  /** Signed URL of the progressive MP4 download, when the asset has one. */
  mp4?: string;
  poster?: string;
  /** Signed URLs, in time order. */
  thumbnails: string[];
  /**
   * The signature the URLs carry: a player appends `query` to every request whose URL starts
   * with `resource` minus its trailing `*` (variant playlists and segments named by the master).
   */
  signature: { query: string; resource: string };
}

/** Key of an `s3://bucket/key` URI. */
function objectKeyOf(uri: string): string {
  const match = /^s3:\/\/[^/]+\/(.+)$/.exec(uri);
  if (!match) throw new Error(`output '${uri}' is not an s3:// URI`);
  return match[1];
}

export class PlaybackService {
  constructor(
    private readonly config: PlaybackConfig,
    private readonly assets: { get(assetId: string): Promise<VideoAsset | undefined> },
    private readonly signer: PlaybackSigner,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Signed URLs for a READY video; NotFoundError when unknown, VideoNotReadyError otherwise. */
  async getPlayback(assetId: string): Promise<PlaybackAnswer> {
    const asset = await this.assets.get(assetId);
    if (!asset) throw new NotFoundError('video', assetId);
    if (asset.status !== 'READY') throw new VideoNotReadyError(assetId, asset.status);
    const outputs = asset.outputs;
    if (!outputs) throw new Error(`video '${assetId}' is READY but records no outputs`);

    const prefix = `${this.config.baseUrl}/${assetOutputPrefix(assetId)}`;
    const expiresAtEpochSec = Math.floor(this.now().getTime() / 1000) + this.config.urlTtlSec;
    const grant: PlaybackGrant = { resource: `${prefix}*`, expiresAtEpochSec };
    const query = await this.signer.sign(grant);
    const signedUrlOf = (uri: string): string => {
      const key = objectKeyOf(uri);
      // An output outside the prefix would be refused by the CDN; fail here, where the cause is plain.
      if (!key.startsWith(assetOutputPrefix(assetId)))
        throw new Error(`output '${uri}' of video '${assetId}' lies outside ${assetOutputPrefix(assetId)}`);
      const path = key.split('/').map(encodeURIComponent).join('/');
      return `${this.config.baseUrl}/${path}?${query}`;
    };
    return {
      assetId,
      expiresAt: new Date(expiresAtEpochSec * 1000).toISOString(),
      hls: signedUrlOf(outputs.hlsMaster),
      ...(outputs.download ? { mp4: signedUrlOf(outputs.download.uri) } : {}),
      ...(outputs.poster ? { poster: signedUrlOf(outputs.poster) } : {}),
      thumbnails: outputs.thumbnails.map(signedUrlOf),
      signature: { query, resource: grant.resource },
    };
  }
}

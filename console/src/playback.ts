/**
 * Playback URLs from `GET /videos/{assetId}/playback` (typed client): the signed HLS master, poster
 * and MP4, and the one signature the player appends under its resource. A deployment whose API has
 * no playback route (its OpenAPI document lacks the path) shows the outputs list instead.
 */
import type { AssetSignature } from './signed-urls.ts';
import { type Session, unwrap } from './api.tsx';

export const PLAYBACK_PATH = '/videos/{assetId}/playback';

export interface Playback {
  hlsUrl: string;
  posterUrl?: string;
  downloadUrl?: string;
  expiresAt: string;
  /** One signature for all of the asset's files: the player appends `query` to every request under `resource`. */
  signature: AssetSignature;
}

export const hasPlayback = (session: Pick<Session, 'apiPaths'>): boolean =>
  session.apiPaths?.has(PLAYBACK_PATH) ?? false;

/** The signed URLs of a READY asset (a 409 names the status of one that is not). */
export async function fetchPlayback(session: Pick<Session, 'api'>, assetId: string): Promise<Playback> {
  const answer = await unwrap(session.api.GET(PLAYBACK_PATH, { params: { path: { assetId } } }));
  return {
    hlsUrl: answer.hls,
    posterUrl: answer.poster,
    downloadUrl: answer.mp4,
    expiresAt: answer.expiresAt,
    signature: answer.signature,
  };
}

/**
 * Playback URLs. The playback route (`GET /videos/{assetId}/playback`, issue 13) is not in this
 * API's typed client yet: when the OpenAPI document lists it, it is called here with the session's
 * token and its answer read by what each URL is (an .m3u8 master, a poster image), so the console
 * plays as soon as the route ships. After `npm run client` includes it, this becomes a typed call.
 */
import { currentToken } from './auth/session.ts';
import type { AssetSignature } from './signed-urls.ts';
import type { Session } from './api.tsx';
import { MarqueeApiError, toProblem } from '#client/index.ts';

export const PLAYBACK_PATH = '/videos/{assetId}/playback';

export interface Playback {
  hlsUrl?: string;
  posterUrl?: string;
  downloadUrl?: string;
  expiresAt?: string;
  /**
   * One signature for all of the asset's files (`signature: { query, resource }` in the answer): the
   * player appends `query` to every request under `resource` (variant playlists, segments).
   */
  signature?: AssetSignature;
}

export const hasPlayback = (session: Pick<Session, 'apiPaths'>): boolean =>
  session.apiPaths?.has(PLAYBACK_PATH) ?? false;

/** Every string in a JSON answer, with the key it sits under. */
function strings(value: unknown, key = ''): [string, string][] {
  if (typeof value === 'string') return [[key, value]];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, k));
  return [];
}

const pathOf = (url: string) => url.split(/[?#]/)[0].toLowerCase();

/** The signed URLs of a READY asset. */
export async function fetchPlayback(session: Pick<Session, 'config'>, assetId: string): Promise<Playback> {
  const url = `${session.config.apiUrl || location.origin}/videos/${encodeURIComponent(assetId)}/playback`;
  const token = currentToken();
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = await response.json().catch(() => undefined);
  if (!response.ok)
    throw new MarqueeApiError(response.status, toProblem(response.status, response.statusText, body), url);
  const found = strings(body).filter(([, value]) => /^https?:\/\//.test(value));
  return {
    hlsUrl: found.find(([, value]) => pathOf(value).endsWith('.m3u8'))?.[1],
    posterUrl: found.find(
      ([key, value]) => /poster/i.test(key) && /\.(jpe?g|png|webp)$/.test(pathOf(value)),
    )?.[1],
    downloadUrl: found.find(([, value]) => pathOf(value).endsWith('.mp4'))?.[1],
    expiresAt: typeof body?.expiresAt === 'string' ? body.expiresAt : undefined,
    signature:
      typeof body?.signature?.query === 'string' && typeof body?.signature?.resource === 'string'
        ? { query: body.signature.query, resource: body.signature.resource }
        : undefined,
  };
}

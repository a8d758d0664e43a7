/**
 * Posters of catalog items that have a READY video: signed poster URLs come from the playback
 * route, so without it (see playback.ts) items show a lettered tile instead.
 */
import { useEffect, useState } from 'preact/hooks';
import { type Session, unwrap, useSession } from './api.tsx';
import { fetchPlayback, hasPlayback } from './playback.ts';

let posters: Promise<Map<string, string>> | undefined;

async function loadPosters(session: Session): Promise<Map<string, string>> {
  const { videos } = await unwrap(
    session.api.GET('/videos', { params: { query: { status: 'READY', limit: 100 } } }),
  );
  const withItems = videos.filter((v) => v.itemId);
  const answers = await Promise.all(
    withItems.map((v) => fetchPlayback(session, v.assetId).catch(() => undefined)),
  );
  return new Map(
    withItems.flatMap((v, i) =>
      answers[i]?.posterUrl && v.itemId ? [[v.itemId, answers[i].posterUrl] as const] : [],
    ),
  );
}

/** Poster URL by item id, loaded once per page load; empty until loaded or when playback is absent. */
export function usePosters(): Map<string, string> {
  const session = useSession();
  const [map, setMap] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    if (!hasPlayback(session)) return;
    posters ??= loadPosters(session).catch(() => new Map());
    void posters.then(setMap);
  }, [session]);
  return map;
}

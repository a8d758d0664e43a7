/**
 * Segment ids that keep their meaning from one model version to the next.
 *
 * k-means numbers its clusters in whatever order it found them, so a retrain on a slightly different
 * sample can call last night's "seg-2" "seg-0". The stored summaries index users by segment id, and a
 * retrain rewrites only the summaries whose answers changed (stored-rows.ts): with ids reshuffled,
 * every user's answer would change. So each new cluster takes the id of the previous version's
 * cluster nearest to it (in raw feature units, over the columns both versions share, scaled by the
 * new version's spread), closest pairs first; a cluster with no previous one within
 * SAME_SEGMENT_DISTANCE is new and takes an id neither version uses.
 */
import type { SegmentModelMetadata } from './model-artifacts.ts';

/**
 * Root-mean-square distance per shared column, in standard deviations of the new version, below which
 * two centroids are taken for the same segment. One standard deviation: closer than the typical
 * spread of users around a centroid.
 */
export const SAME_SEGMENT_DISTANCE = 1;

/** Centroids back in raw feature units (the metadata keeps them standardised). */
function rawCentroids(m: Pick<SegmentModelMetadata, 'centroids' | 'mean' | 'scale'>): number[][] {
  return m.centroids.map((z) => z.map((v, j) => v * m.scale[j] + m.mean[j]));
}

/**
 * `next` with each segment's id carried over from the nearest segment of `previous` (see above);
 * `next` itself when there is no previous version.
 */
export function carrySegmentIds(
  next: SegmentModelMetadata,
  previous: SegmentModelMetadata | undefined,
): SegmentModelMetadata {
  if (!previous) return next;
  const shared = next.columns
    .map((column, j) => ({ j, k: previous.columns.indexOf(column) }))
    .filter(({ k }) => k >= 0);
  if (shared.length === 0) return next;
  const nextRaw = rawCentroids(next);
  const previousRaw = rawCentroids(previous);
  const pairs: { i: number; p: number; distance: number }[] = [];
  for (let i = 0; i < nextRaw.length; i++)
    for (let p = 0; p < previousRaw.length; p++) {
      let sum = 0;
      for (const { j, k } of shared) {
        const d = (nextRaw[i][j] - previousRaw[p][k]) / (next.scale[j] || 1);
        sum += d * d;
      }
      pairs.push({ i, p, distance: Math.sqrt(sum / shared.length) });
    }
  pairs.sort((a, b) => a.distance - b.distance || a.i - b.i || a.p - b.p);
  const ids = new Array<string | undefined>(nextRaw.length);
  const taken = new Set<number>();
  for (const { i, p, distance } of pairs) {
    if (distance > SAME_SEGMENT_DISTANCE) break;
    if (ids[i] !== undefined || taken.has(p)) continue;
    ids[i] = previous.segments[p].segmentId;
    taken.add(p);
  }
  // New segments: the lowest seg-n used by neither version, so an id never names two unrelated
  // segments in consecutive versions.
  const used = new Set([
    ...previous.segments.map((s) => s.segmentId),
    ...ids.filter((id) => id !== undefined),
  ]);
  let n = 0;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== undefined) continue;
    while (used.has(`seg-${n}`)) n++;
    ids[i] = `seg-${n}`;
    used.add(ids[i]!);
  }
  return { ...next, segments: next.segments.map((segment, i) => ({ ...segment, segmentId: ids[i]! })) };
}

/**
 * Readable segment labels from k-means centroids ("late-night horror fans", "weekend family viewers"):
 * the centroid's most distinctive rhythm, genre and engagement, judged by its standardised values.
 */

export interface SegmentSummary {
  segmentId: string;
  label: string;
  size: number;
  /** Share of the trained users in this segment, 0..1. */
  share: number;
  traits: {
    topGenres: { genre: string; weight: number }[];
    /** Which part of the day stands out: morning, daytime, evening, late-night, or none. */
    rhythm: string;
    weekendShare: number;
    lateNightShare: number;
    eventsPerActiveDay: number;
    activeDaysPerWeek: number;
    completionRate: number;
    /** Mean spend level, 0 (none) .. 3 (high). */
    spendLevel: number;
  };
}

const RHYTHM_WORDS: Record<string, string> = {
  morning_share: 'morning',
  afternoon_share: 'daytime',
  evening_share: 'evening',
  late_night_share: 'late-night',
  weekend_share: 'weekend',
};
const FAMILY_GENRES = new Set(['Family', 'Animation']);

/**
 * Labels and summarises segments. `standardisedCentroids` give distinctiveness (z-scores);
 * `rawCentroids` give the readable statistics; `sizes` counts trained users per segment.
 */
export function describeSegments(
  columns: readonly string[],
  standardisedCentroids: readonly number[][],
  rawCentroids: readonly number[][],
  sizes: readonly number[],
): SegmentSummary[] {
  const column = (name: string): number => columns.indexOf(name);
  const total = sizes.reduce((a, b) => a + b, 0);
  const used = new Set<string>();
  return standardisedCentroids.map((z, c) => {
    const raw = rawCentroids[c];
    const genreColumns = columns
      .map((name, j) => [name, j] as const)
      .filter(([name]) => name.startsWith('genre:'));
    const genresByZ = genreColumns
      .map(([name, j]) => ({ genre: name.slice(6), z: z[j], weight: raw[j] }))
      .sort((a, b) => b.z - a.z);
    // Time of day from the strongest of the four day parts; "weekend" is added when weekends stand out.
    const dayPart = Object.keys(RHYTHM_WORDS)
      .filter((name) => name !== 'weekend_share')
      .map((name) => ({ name, z: z[column(name)] }))
      .sort((a, b) => b.z - a.z)[0];
    const rhythm = [
      z[column('weekend_share')] > 0.6 ? 'weekend' : '',
      dayPart.z > 0.25 ? RHYTHM_WORDS[dayPart.name] : '',
    ]
      .filter(Boolean)
      .join(' ');
    const intensity = z[column('log_events_per_active_day')];
    const engagement =
      intensity > 3
        ? 'hyperactive'
        : intensity + z[column('active_days_per_week')] > 1.5
          ? 'binge'
          : intensity + z[column('active_days_per_week')] < -1.2
            ? 'casual'
            : '';
    const bigSpender = z[column('spend_level')] > 1;
    const topGenre = genresByZ[0];
    const family = topGenre && topGenre.z > 0.3 && FAMILY_GENRES.has(topGenre.genre);
    const genreWord = family
      ? 'family'
      : topGenre && topGenre.z > 0.3
        ? topGenre.genre.toLowerCase()
        : 'all-round';
    const noun = family
      ? 'viewers'
      : engagement === 'binge' || genreWord !== 'all-round'
        ? 'fans'
        : 'viewers';
    const parts = [bigSpender ? 'big-spending' : '', engagement, rhythm, genreWord, noun].filter(Boolean);
    let label = parts.join(' ');
    // Two centroids can read alike; the runner-up genre tells them apart.
    for (let g = 1; used.has(label) && g < genresByZ.length; g++) {
      label = [...parts.slice(0, -2), `${genreWord} & ${genresByZ[g].genre.toLowerCase()}`, noun].join(' ');
    }
    if (used.has(label)) label = `${label} (${c + 1})`;
    used.add(label);
    const topGenres = [...genresByZ]
      .sort((a, b) => b.weight - a.weight)
      .slice(0, 3)
      .map(({ genre, weight }) => ({ genre, weight: round(weight) }));
    return {
      segmentId: `seg-${c}`,
      label,
      size: sizes[c],
      share: total > 0 ? round(sizes[c] / total) : 0,
      traits: {
        topGenres,
        rhythm: rhythm || 'none',
        weekendShare: round(raw[column('weekend_share')]),
        lateNightShare: round(raw[column('late_night_share')]),
        eventsPerActiveDay: round(Math.expm1(raw[column('log_events_per_active_day')])),
        activeDaysPerWeek: round(raw[column('active_days_per_week')]),
        completionRate: round(raw[column('completion_rate')]),
        spendLevel: round(raw[column('spend_level')]),
      },
    };
  });
}

function round(value: number): number {
  // `|| 0` turns -0 into 0 so the summary survives a JSON round trip unchanged.
  return Math.round(value * 1000) / 1000 || 0;
}

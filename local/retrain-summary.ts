/** One readable line per model family of a retrain handler's result (`npm start`, `npm run retrain`). */

interface FamilyResult {
  ok: boolean;
  error?: string;
  result?: {
    skipped?: string;
    versions?: {
      name: string;
      version: string;
      status: string;
      metrics?: Record<string, number>;
      gate?: { reason: string };
    }[];
    defaultModel?: string;
  };
}

/** A line per recorded model version (`ease v000002 live nDCG@10 0.3102 no worse: ...`). */
export function versionLines(result: unknown): string[] {
  const versions = (result as { recommendations?: FamilyResult })?.recommendations?.result?.versions ?? [];
  return versions.map(
    (v) =>
      `${v.name.padEnd(11)} v${v.version} ${v.status.padEnd(8)} nDCG@10 ${(v.metrics?.ndcg ?? 0).toFixed(4)}  ${v.gate?.reason ?? ''}`,
  );
}

/** One short line per family: what was trained, skipped or failed. */
export function familyLines(result: unknown): string[] {
  return Object.entries((result ?? {}) as Record<string, FamilyResult>).flatMap(([family, outcome]) => {
    if (!outcome || typeof outcome !== 'object' || !('ok' in outcome)) return [];
    if (!outcome.ok) return [`${family}: FAILED ${outcome.error ?? ''}`.trim()];
    if (outcome.result?.skipped) return [`${family}: ${outcome.result.skipped}`];
    const versions = outcome.result?.versions;
    if (!versions) return [`${family}: done`];
    if (versions.length === 0) return [`${family}: nothing to train on yet`];
    const live = versions.filter((v) => v.status === 'live').length;
    const best = outcome.result?.defaultModel ? `, default ${outcome.result.defaultModel}` : '';
    return [`${family}: ${versions.length} models trained, ${live} went live${best}`];
  });
}

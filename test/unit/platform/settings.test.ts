import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultLadderConfig } from '#domain/media/ladder.ts';
import { MODELS_LAYER_VERSIONS_KEPT } from '#domain/models/models-layer.ts';
import { ConfigError, readSetting } from '#platform/config.ts';
import { settings } from '#platform/declaration.ts';
import { repoRoot } from '#local/platform.ts';
import { SETTINGS_DOC, withSettingsTable } from '../../../scripts/docs.ts';

const sourcesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourcesUnder(full) : full.endsWith('.ts') ? [full] : [];
  });

describe('settings', () => {
  it('are read only through the declaration: no function code reads the environment by itself', () => {
    // The two exceptions are the runtime's own variables: the service name Lambda is given, and the
    // SDK endpoint override that exists only locally.
    const allowed = ['POWERTOOLS_SERVICE_NAME', 'AWS_ENDPOINT_URL_S3'];
    const offenders = sourcesUnder(path.join(repoRoot, 'functions'))
      .filter((file) => !file.endsWith(path.join('platform', 'config.ts')))
      .flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/process\.env\.(\w+)|process\.env\[|FromEnv\(\{\s*key/g)]
          .filter((match) => !allowed.includes(match[1]))
          .map((match) => `${path.relative(repoRoot, file)}: ${match[0]}`),
      );
    expect(offenders).toEqual([]);
  });

  it('take their declared default, and refuse a value out of range naming the variable', () => {
    const saved = process.env.RECS_HISTORY_EVENTS;
    try {
      delete process.env.RECS_HISTORY_EVENTS;
      expect(readSetting('RECS_HISTORY_EVENTS')).toBe(500);
      process.env.RECS_HISTORY_EVENTS = '0';
      expect(() => readSetting('RECS_HISTORY_EVENTS')).toThrow(ConfigError);
      expect(() => readSetting('RECS_HISTORY_EVENTS')).toThrow(/RECS_HISTORY_EVENTS/);
      process.env.RECS_HISTORY_EVENTS = 'many';
      expect(() => readSetting('RECS_HISTORY_EVENTS')).toThrow(/RECS_HISTORY_EVENTS/);
    } finally {
      if (saved === undefined) delete process.env.RECS_HISTORY_EVENTS;
      else process.env.RECS_HISTORY_EVENTS = saved;
    }
  });

  it('default the models layer versions kept to the domain’s own default', () => {
    expect(settings.MODELS_LAYER_VERSIONS_KEPT.default).toBe(MODELS_LAYER_VERSIONS_KEPT);
  });

  it('default the media ladder to the domain’s own defaults', () => {
    expect(settings.MEDIA_MAX_DURATION_SEC.default).toBe(defaultLadderConfig.maxDurationSec);
    expect(settings.MEDIA_SEGMENT_SEC.default).toBe(defaultLadderConfig.segmentSec);
    expect(settings.MEDIA_GOP_SEC.default).toBe(defaultLadderConfig.gopSec);
    expect(settings.MEDIA_THUMBNAIL_INTERVAL_SEC.default).toBe(defaultLadderConfig.thumbnailIntervalSec);
    expect(settings.MEDIA_LOUDNESS_TARGET_LKFS.default).toBe(defaultLadderConfig.loudnessTargetLkfs);
    expect(settings.MEDIA_HEVC_TOP_RUNG.default).toBe(defaultLadderConfig.hevcTopRung);
    expect(Math.max(...defaultLadderConfig.rungs.map((rung) => rung.shortSide))).toBe(
      settings.MEDIA_MAX_SHORT_SIDE.default,
    );
  });

  it('are documented in infra/README.md by the table npm run docs generates, which is current', () => {
    const readme = readFileSync(SETTINGS_DOC, 'utf8');
    expect(withSettingsTable(readme) === readme, 'run npm run docs').toBe(true);
    for (const setting of Object.values(settings)) expect(readme).toContain(`| \`${setting.env}\` |`);
  });
});

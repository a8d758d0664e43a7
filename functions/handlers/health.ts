/** GET /health: storage, object store and the live models, each checked; 503 while storage is down. */
import { bucketCheck, modelsCheck, tableCheck } from '#adapters/health/checks.ts';
import { recommendationModelRecords } from '#adapters/models/registries.ts';
import { healthContracts } from '#contracts/health.ts';
import { checkHealth } from '#domain/health/health.ts';
import { MODEL_NAMES } from '#domain/recommendations/artifact.ts';
import { httpHandler } from '#edge/http.ts';
import { bucketNameFromEnv, tableNameFromEnv } from '#platform/config.ts';

const checks = {
  storage: tableCheck(tableNameFromEnv('items'), { itemId: '.marquee-health' }),
  objectStore: bucketCheck(bucketNameFromEnv('models')),
  models: modelsCheck(recommendationModelRecords(), MODEL_NAMES),
};

export const handler = httpHandler('health', healthContracts, {
  getHealth: async () => {
    const report = await checkHealth(checks, ['storage'], { timeoutMs: 2_000 });
    return report.serving
      ? { status: 200, body: report }
      : { status: 503, body: report, headers: { 'retry-after': '5' } };
  },
});

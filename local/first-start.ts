/**
 * What `npm start` does in the background once the platform serves: seed the demo data if the
 * store wants it, then train the models if none is live. Requests are answered meanwhile (from
 * the fallback until the first models are live, then from them, without a restart). A failure
 * is retried, never fatal: the platform keeps serving whatever it has.
 */
import { DynamoModelRecords } from '#adapters/models/dynamo-model-records.ts';
import { PROFILE_MODEL_NAME_LIST } from '#domain/profiles/registry.ts';
import { MODEL_NAMES } from '#domain/recommendations/artifact.ts';
import { scheduledEvent } from './event-bus.ts';
import type { LocalPlatform } from './platform.ts';
import type { Progress } from './progress.ts';
import { familyLines } from './retrain-summary.ts';
import { seedDemoData } from './seed.ts';

const ATTEMPTS = 5;

/** Runs `work` until it succeeds or ATTEMPTS failures, pausing longer after each. */
async function retried<T>(what: string, progress: Progress, work: () => Promise<T>): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0];
      if (attempt === ATTEMPTS) {
        progress.line(`${what} failed ${ATTEMPTS} times (${reason}); the platform keeps serving without it`);
        return undefined;
      }
      progress.line(`${what} failed (${reason}); trying again in ${attempt * 5} s`);
      await new Promise((r) => setTimeout(r, attempt * 5_000));
    }
  }
}

/** True when a recommendation model and the profile models are live (a full first training ran). */
async function modelsLive(names: Record<string, string>): Promise<boolean> {
  const [recommendations, profiles] = await Promise.all([
    new DynamoModelRecords(names.MODELS_TABLE).getServingPointers(MODEL_NAMES),
    new DynamoModelRecords(names.MODELS_TABLE, PROFILE_MODEL_NAME_LIST, 'profiles').getServingPointers(
      PROFILE_MODEL_NAME_LIST,
    ),
  ]);
  return recommendations.live.length > 0 && profiles.live.length === PROFILE_MODEL_NAME_LIST.length;
}

/** Seeds (unless `seed` is false) and trains (when no model is live and there is data). */
export async function runFirstStart(
  platform: LocalPlatform,
  stateDir: string,
  options: { seed: boolean; progress: Progress },
): Promise<void> {
  const { progress } = options;
  if (options.seed) {
    platform.setPhase('seeding', { state: 'running' });
    const seeded = await retried('seeding the demo data', progress, () =>
      seedDemoData(platform.names, stateDir, { progress }),
    );
    platform.setPhase('seeding', { state: seeded ? 'done' : 'failed', ...(seeded ?? {}) });
  }
  if (await modelsLive(platform.names)) return;
  platform.setPhase('training', { state: 'running', since: new Date().toISOString() });
  const phase = progress.phase('training models');
  const result = await retried('training', progress, async () =>
    platform.runtime.invoke('retrain', scheduledEvent({ reason: 'first start' }, new Date())),
  );
  const lines = result === undefined ? [] : familyLines(result);
  if (result === undefined) phase.fail('see above');
  else phase.done(lines.join('; ') || 'done');
  platform.setPhase('training', { state: result === undefined ? 'failed' : 'done', families: lines });
}

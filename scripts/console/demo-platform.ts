/**
 * A local platform with a small generated audience and trained models, for the console's browser
 * tests and its screenshot: real DynamoDB Local, s3rver and the ffmpeg MediaConvert endpoint,
 * tokens enforced. Models are trained twice (the second run of the cheap count models only), so
 * each of those has an earlier version a rollback can restore.
 */
import { scheduledEvent } from '#local/event-bus.ts';
import { type LocalPlatform, startPlatform } from '#local/platform.ts';
import { writeDataset } from '#local/seed.ts';
import { generateDemoData } from '#domain/demo/generate.ts';

const DAY_MS = 86_400_000;

export interface DemoPlatform extends LocalPlatform {
  auth: NonNullable<LocalPlatform['auth']>;
  /** A token with every scope. */
  token: string;
}

/** Starts the platform, seeds ~120 users and 150 items over 30 days, trains every model. */
export async function startDemoPlatform(options: { port?: number } = {}): Promise<DemoPlatform> {
  const platform = await startPlatform({
    auth: true,
    port: options.port ?? 0,
    mediaConvert: true,
    env: {
      // Small ladders keep a 10 s clip's processing to seconds.
      MEDIA_MAX_SHORT_SIDE: '240',
      MEDIA_MAX_DURATION_SEC: '20',
      MEDIA_SEGMENT_SEC: '2',
      MEDIA_THUMBNAIL_INTERVAL_SEC: '3',
      // A rollback shows in the next answer instead of after the 10 s model refresh.
      MODEL_REFRESH_MS: '0',
    },
  });
  try {
    const now = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const data = generateDemoData({ seed: 15, items: 150, users: 120, days: 30, now });
    await writeDataset(platform.names, data, { createdAt: new Date(now).toISOString() });
    await platform.runtime.invoke('retrain', scheduledEvent({ reason: 'console demo' }, new Date()));
    await platform.runtime.invoke(
      'retrain',
      scheduledEvent({ reason: 'console demo', models: ['trending', 'popularity'] }, new Date()),
    );
    if (!platform.auth || !platform.token) throw new Error('the demo platform must enforce tokens');
    return platform as DemoPlatform;
  } catch (error) {
    await platform.stop();
    throw error;
  }
}

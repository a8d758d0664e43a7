/**
 * The health checks of the API's dependencies, each one cheap read: a GetItem on a key that never
 * exists, a HeadObject on a key that never exists (404 means the store answered), and the
 * registry's live pointers (the versions each model serves).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/dynamodb/client.ts';
import { DependencyError } from '#domain/errors.ts';
import type { HealthCheck } from '#domain/health/health.ts';
import type { ModelRecordStore } from '#domain/models/registry.ts';

/** The table answers a read. */
export const tableCheck =
  (table: string, key: Record<string, string>): HealthCheck =>
  async () => {
    await documentClient().send(new GetCommand({ TableName: table, Key: key }));
    return { status: 'ok' };
  };

/** The bucket answers a HeadObject (a missing key is fine: the store answered). */
export const bucketCheck =
  (bucket: string): HealthCheck =>
  async () => {
    const { s3Client, HeadObjectCommand } = await import('#adapters/s3/client.ts');
    try {
      await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: '.marquee-health' }));
    } catch (error) {
      if (error instanceof DependencyError) throw error;
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status !== 404 && status !== 403) throw error;
    }
    return { status: 'ok' };
  };

/** The live version of each model; degraded (the fallback answers) while none is trained. */
export const modelsCheck =
  (records: ModelRecordStore, names: readonly string[]): HealthCheck =>
  async () => {
    const pointers = await records.getServingPointers(names);
    const live = Object.fromEntries(
      pointers.live.map((p) => [p.name, { version: p.version, since: p.updatedAt }]),
    );
    return pointers.live.length > 0
      ? { status: 'ok', defaultModel: pointers.defaultModel ?? null, live }
      : { status: 'degraded', detail: 'no model trained yet; recommendations come from the fallback', live };
  };

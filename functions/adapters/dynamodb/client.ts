/**
 * One DynamoDB document client per process. The endpoint comes from the SDK's own configuration
 * (AWS_ENDPOINT_URL_DYNAMODB locally), never from a code branch.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dependencyFailures } from '#adapters/aws/dependency-failures.ts';
import { ValidationError } from '#domain/errors.ts';

let client: DynamoDBDocumentClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  if (!client) {
    const base = new DynamoDBClient({ maxAttempts: 5 });
    base.middlewareStack.use(dependencyFailures('the database'));
    client = DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return client;
}

/** LastEvaluatedKey as an opaque URL-safe cursor, and back. */
export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

/** What a cursor must hold to continue a listing: its key attributes, and the values it is fixed to. */
export interface CursorShape {
  /** The attribute names of the table's (or index's) key: exactly these, each a string or a number. */
  keys: readonly string[];
  /** Attributes the listing is scoped to (the queried partition): the cursor must hold the same values. */
  fixed?: Record<string, unknown>;
}

/**
 * A cursor back into the key it was made from. Throws ValidationError naming `field` when the
 * text is not one this API handed out for this listing (garbled, tampered, or another listing's),
 * so DynamoDB never sees a start key it would refuse.
 */
export function decodeCursor(
  cursor: string | undefined,
  shape: CursorShape,
  field = 'query.cursor',
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const record =
    key && typeof key === 'object' && !Array.isArray(key) ? (key as Record<string, unknown>) : undefined;
  const names = record ? Object.keys(record).sort() : [];
  const valid =
    record !== undefined &&
    names.join('\u0000') === [...shape.keys].sort().join('\u0000') &&
    names.every((name) => typeof record[name] === 'string' || typeof record[name] === 'number') &&
    Object.entries(shape.fixed ?? {}).every(([name, value]) => record[name] === value);
  if (!valid)
    throw new ValidationError('the cursor is not one this API handed out for this listing', [
      { field, message: 'is not a valid cursor for this listing' },
    ]);
  return record;
}

/** Splits into chunks of at most `size`. */
export function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

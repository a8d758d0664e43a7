/** Creates the declared tables and buckets in the local emulators (idempotent). */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type BucketDeclaration, buckets, type TableDeclaration, tables } from '#platform/declaration.ts';
import { localS3Client } from './mediaconvert/storage.ts';

/** Local physical names: `${prefix}-${id}` (3+ characters, valid for both emulators). */
export const localTableName = (prefix: string, table: TableDeclaration) => `${prefix}-${table.id}`;
export const localBucketName = (prefix: string, bucket: BucketDeclaration) => `${prefix}-${bucket.id}`;

/** The CreateTable input for a declared table (keys, indexes); on-demand like the cloud. */
export function toCreateTableInput(name: string, table: TableDeclaration): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  const keyOf = (pk: { name: string; type: 'S' | 'N' }, sk?: { name: string; type: 'S' | 'N' }) => {
    attributes.set(pk.name, pk.type);
    if (sk) attributes.set(sk.name, sk.type);
    return [
      { AttributeName: pk.name, KeyType: 'HASH' as const },
      ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
    ];
  };
  const KeySchema = keyOf(table.partitionKey, table.sortKey);
  const GlobalSecondaryIndexes = table.globalIndexes?.map((index) => ({
    IndexName: index.name,
    KeySchema: keyOf(index.partitionKey, index.sortKey),
    Projection: { ProjectionType: 'ALL' as const },
  }));
  const LocalSecondaryIndexes = table.localIndexes?.map((index) => ({
    IndexName: index.name,
    KeySchema: keyOf(table.partitionKey, index.sortKey),
    Projection: { ProjectionType: 'ALL' as const },
  }));
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    ...(GlobalSecondaryIndexes?.length ? { GlobalSecondaryIndexes } : {}),
    ...(LocalSecondaryIndexes?.length ? { LocalSecondaryIndexes } : {}),
    ...(table.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } } : {}),
  };
}

/** Turns on a declared stream of a table made before the declaration asked for one (older state folders). */
async function enableDeclaredStream(
  client: DynamoDBClient,
  name: string,
  table: TableDeclaration,
): Promise<void> {
  if (!table.stream) return;
  const described = await client.send(new DescribeTableCommand({ TableName: name }));
  if (described.Table?.StreamSpecification?.StreamEnabled) return;
  await client.send(
    new UpdateTableCommand({
      TableName: name,
      StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream },
    }),
  );
}

export async function provisionTables(
  client: DynamoDBClient,
  prefix: string,
): Promise<Record<string, string>> {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  const names: Record<string, string> = {};
  for (const table of Object.values(tables) as TableDeclaration[]) {
    const name = localTableName(prefix, table);
    names[table.env] = name;
    if (existing.has(name)) {
      await enableDeclaredStream(client, name, table);
      continue;
    }
    await client.send(new CreateTableCommand(toCreateTableInput(name, table)));
    if (table.ttlAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
        }),
      );
    }
  }
  return names;
}

export async function provisionBuckets(client: S3Client, prefix: string): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const bucket of Object.values(buckets) as BucketDeclaration[]) {
    const name = localBucketName(prefix, bucket);
    names[bucket.env] = name;
    const exists = await client.send(new HeadBucketCommand({ Bucket: name })).then(
      () => true,
      () => false,
    );
    if (!exists) await client.send(new CreateBucketCommand({ Bucket: name }));
    if (bucket.presignedUploads) {
      await client.send(
        new PutBucketCorsCommand({
          Bucket: name,
          CORSConfiguration: {
            CORSRules: [
              { AllowedMethods: ['POST'], AllowedOrigins: ['*'], AllowedHeaders: ['*'], MaxAgeSeconds: 3000 },
            ],
          },
        }),
      );
    }
  }
  return names;
}

export const localClients = (endpoints: { dynamodb: string; s3: string }) => ({
  dynamodb: new DynamoDBClient({
    endpoint: endpoints.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
  s3: localS3Client(endpoints.s3),
});

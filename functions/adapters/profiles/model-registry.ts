/**
 * Profile models in the shared model registry: the `models` table holds one row per version
 * (`name`, zero-padded `version`) plus a `LIVE` pointer row per name; the bytes live in the models
 * bucket under `profiles/<name>/<version>.onnx` with metadata beside them as JSON.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DependencyError, NotFoundError } from '#domain/errors.ts';
import type { ProfileModelName, ProfileModelRegistry, StoredProfileModel } from '#domain/profiles/ports.ts';
import {
  PROFILE_MODEL_NAMES,
  type ProfileArtifact,
  type ProfileModelMetadata,
} from '#domain/profiles/train.ts';
import { documentClient } from '#adapters/dynamodb/client.ts';
import { s3Client } from '#adapters/s3/client.ts';

const LIVE = 'LIVE';
const NAMES = Object.values(PROFILE_MODEL_NAMES);

interface VersionRow {
  name: string;
  version: string;
  status: 'live' | 'retired' | 'rejected';
  family: 'profiles';
  onnxKey: string;
  metadataKey: string;
  sizeBytes: number;
  metrics: Record<string, unknown>;
  gate: { promote: boolean; reasons: string[] };
  createdAt: string;
}

interface PointerRow {
  name: string;
  version: typeof LIVE;
  liveVersion: string;
  previousVersion?: string;
  updatedAt: string;
}

export class ProfileModelStore implements ProfileModelRegistry {
  constructor(
    private readonly table: string,
    private readonly bucket: string,
  ) {}

  async liveVersions(): Promise<Partial<Record<ProfileModelName, string>>> {
    const pointers = await Promise.all(NAMES.map((name) => this.pointer(name)));
    const out: Partial<Record<ProfileModelName, string>> = {};
    NAMES.forEach((name, i) => {
      const pointer = pointers[i];
      if (pointer) out[name] = pointer.liveVersion;
    });
    return out;
  }

  async liveMetrics(name: ProfileModelName): Promise<Record<string, unknown> | undefined> {
    const pointer = await this.pointer(name);
    if (!pointer) return undefined;
    return (await this.versionRow(name, pointer.liveVersion))?.metrics;
  }

  async load<M extends ProfileModelMetadata>(
    name: M['name'],
    version: string,
  ): Promise<StoredProfileModel<M>> {
    const row = await this.versionRow(name, version);
    if (!row) throw new NotFoundError('model', `${name}@${version}`);
    const [onnx, metadataBytes] = await Promise.all([
      this.getObject(row.onnxKey),
      this.getObject(row.metadataKey),
    ]);
    const metadata = JSON.parse(new TextDecoder().decode(metadataBytes)) as M;
    return { name, version, artifact: { name, onnx, metadata } as ProfileArtifact<M>, metrics: row.metrics };
  }

  async publish(
    artifact: ProfileArtifact,
    metrics: Record<string, unknown>,
    decision: { promote: boolean; reasons: string[] },
  ): Promise<string> {
    const latest = await documentClient().send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: '#n = :n AND #v BETWEEN :lo AND :hi',
        ExpressionAttributeNames: { '#n': 'name', '#v': 'version' },
        ExpressionAttributeValues: { ':n': artifact.name, ':lo': '000000', ':hi': '999999' },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const last = (latest.Items?.[0] as VersionRow | undefined)?.version;
    const version = String(Number(last ?? 0) + 1).padStart(6, '0');
    const onnxKey = `profiles/${artifact.name}/${version}.onnx`;
    const metadataKey = `profiles/${artifact.name}/${version}.json`;
    await Promise.all([
      this.putObject(onnxKey, artifact.onnx, 'application/octet-stream'),
      this.putObject(
        metadataKey,
        new TextEncoder().encode(JSON.stringify(artifact.metadata)),
        'application/json',
      ),
    ]);
    const row: VersionRow = {
      name: artifact.name,
      version,
      status: decision.promote ? 'live' : 'rejected',
      family: 'profiles',
      onnxKey,
      metadataKey,
      sizeBytes: artifact.onnx.byteLength,
      metrics: JSON.parse(JSON.stringify(metrics)),
      gate: decision,
      createdAt: new Date().toISOString(),
    };
    const versionPut = {
      Put: {
        TableName: this.table,
        Item: row,
        // Two jobs racing to the same version number: the second fails instead of overwriting.
        ConditionExpression: 'attribute_not_exists(#v)',
        ExpressionAttributeNames: { '#v': 'version' },
      },
    };
    if (!decision.promote) {
      await documentClient().send(new PutCommand(versionPut.Put));
      return version;
    }
    const previous = await this.pointer(artifact.name);
    const pointer: PointerRow = {
      name: artifact.name,
      version: LIVE,
      liveVersion: version,
      ...(previous ? { previousVersion: previous.liveVersion } : {}),
      updatedAt: row.createdAt,
    };
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          versionPut,
          { Put: { TableName: this.table, Item: pointer } },
          ...(previous
            ? [
                {
                  Update: {
                    TableName: this.table,
                    Key: { name: artifact.name, version: previous.liveVersion },
                    UpdateExpression: 'SET #s = :retired',
                    ExpressionAttributeNames: { '#s': 'status' },
                    ExpressionAttributeValues: { ':retired': 'retired' },
                  },
                },
              ]
            : []),
        ],
      }),
    );
    return version;
  }

  private async pointer(name: string): Promise<PointerRow | undefined> {
    const result = await documentClient().send(
      new GetCommand({ TableName: this.table, Key: { name, version: LIVE } }),
    );
    return result.Item as PointerRow | undefined;
  }

  private async versionRow(name: string, version: string): Promise<VersionRow | undefined> {
    const result = await documentClient().send(
      new GetCommand({ TableName: this.table, Key: { name, version } }),
    );
    return result.Item as VersionRow | undefined;
  }

  private async getObject(key: string): Promise<Uint8Array> {
    try {
      const result = await s3Client().send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await result.Body!.transformToByteArray();
    } catch (error) {
      throw new DependencyError(`cannot read model object ${key}`, { cause: error });
    }
  }

  private async putObject(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await s3Client().send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }
}

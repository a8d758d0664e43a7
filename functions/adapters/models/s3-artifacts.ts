/** S3 adapter of the artifact port: .onnx bytes in the models bucket. */
import { GetObjectCommand, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '#adapters/s3/client.ts';
import { NotFoundError } from '#domain/errors.ts';
import type { ArtifactStore } from '#domain/models/registry.ts';

export class S3Artifacts implements ArtifactStore {
  constructor(private readonly bucket: string) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await s3Client().send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ContentType: 'application/octet-stream',
      }),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      const out = await s3Client().send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) throw new NotFoundError('artifact', key);
      return await out.Body.transformToByteArray();
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') {
        throw new NotFoundError('artifact', key);
      }
      throw error;
    }
  }
}

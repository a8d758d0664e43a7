/**
 * S3 adapter of the artifact port: .onnx bytes in the models bucket. The S3 SDK is imported on
 * the first call, not at module load: a serving cold start reads artifacts from the models layer
 * and never calls S3, so evaluating the SDK there would only lengthen the cold start.
 */
import { NotFoundError } from '#domain/errors.ts';
import type { ArtifactStore } from '#domain/models/registry.ts';

const s3 = async () => {
  const sdk = await import('#adapters/s3/client.ts');
  return { sdk, client: sdk.s3Client() };
};

export class S3Artifacts implements ArtifactStore {
  constructor(private readonly bucket: string) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const { sdk, client } = await s3();
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ContentType: 'application/octet-stream',
      }),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    const { sdk, client } = await s3();
    try {
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) throw new NotFoundError('artifact', key);
      return await out.Body.transformToByteArray();
    } catch (error) {
      if (error instanceof sdk.NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') {
        throw new NotFoundError('artifact', key);
      }
      throw error;
    }
  }
}

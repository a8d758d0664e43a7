/**
 * S3 adapter of the UploadSigner port: presigned POST forms into the uploads bucket. The policy pins
 * the key and the Content-Type and bounds the size (content-length-range), so S3 itself refuses
 * anything else; the form expires with the policy.
 */
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { s3Client } from '#adapters/s3/client.ts';
import type { UploadForm, UploadLimits, UploadSigner } from '#domain/media/ports.ts';

export class S3UploadSigner implements UploadSigner {
  constructor(private readonly bucket: string) {}

  async presignPost(key: string, limits: UploadLimits): Promise<UploadForm> {
    const { url, fields } = await createPresignedPost(s3Client(), {
      Bucket: this.bucket,
      Key: key,
      Fields: { 'Content-Type': limits.contentType },
      Conditions: [
        ['eq', '$Content-Type', limits.contentType],
        ['content-length-range', 1, limits.maxBytes],
      ],
      Expires: limits.expiresInSec,
    });
    return { url, fields };
  }
}

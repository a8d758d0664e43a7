/** S3 adapter of the UploadSigner port: presigned PUT URLs into the uploads bucket. */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '#adapters/s3/client.ts';
import type { UploadSigner } from '#domain/media/ports.ts';

export class S3UploadSigner implements UploadSigner {
  constructor(private readonly bucket: string) {}

  presignPut(key: string, contentType: string, expiresInSec: number): Promise<string> {
    // The content type is signed: the browser must send the same Content-Type header.
    return getSignedUrl(
      s3Client(),
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
      {
        expiresIn: expiresInSec,
      },
    );
  }
}

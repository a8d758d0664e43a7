/**
 * One S3 client per process. Locally AWS_ENDPOINT_URL_S3 points it at s3rver, which needs
 * path-style addressing and no streaming checksums (it stores aws-chunked framing otherwise).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { dependencyFailures } from '#adapters/aws/dependency-failures.ts';

// The object commands callers send, re-exported so that a caller importing this module lazily
// (`await import`) makes esbuild keep these, not every command of the SDK's namespace.
export { GetObjectCommand, HeadObjectCommand, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';

let client: S3Client | undefined;

export function s3Client(): S3Client {
  if (!client) {
    client = new S3Client({
      forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    client.middlewareStack.use(dependencyFailures('the object store'));
  }
  return client;
}

/** Moving job files between the S3 server and the local work directory. */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/**
 * An S3 client for the local S3 server: path-style addressing and checksums only when required
 * (s3rver stores aws-chunked uploads corrupted otherwise), dummy credentials unless given.
 */
export function localS3Client(s3: S3ClientConfig | string): S3Client {
  const config: S3ClientConfig = typeof s3 === 'string' ? { endpoint: s3 } : { ...s3 };
  return new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    ...config,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Downloads an object to a file; returns its size (bytes) and ETag. */
export async function downloadObject(client: S3Client, bucket: string, key: string, file: string) {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await mkdir(path.dirname(file), { recursive: true });
  await pipeline(response.Body as Readable, createWriteStream(file));
  return { size: (await stat(file)).size, eTag: response.ETag, contentType: response.ContentType };
}

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.mp4': 'video/mp4',
  '.jpg': 'image/jpeg',
};

/** Uploads every file under `root/<bucket>/<key...>`; returns the s3:// URIs written. */
export async function uploadTree(client: S3Client, root: string): Promise<string[]> {
  const written: string[] = [];
  const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((entry) =>
    entry.isFile(),
  );
  for (const entry of files) {
    const file = path.join(entry.parentPath, entry.name);
    const [bucket, ...keyParts] = path.relative(root, file).split(path.sep);
    const key = keyParts.join('/');
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: createReadStream(file),
        ContentLength: (await stat(file)).size,
        ContentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      }),
    );
    written.push(`s3://${bucket}/${key}`);
  }
  return written;
}

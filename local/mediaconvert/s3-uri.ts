/** s3:// URIs as job settings and Probe requests name them. */
import { BadRequestException } from './api-errors.ts';
import type { S3Location } from './settings/spec.ts';

/** Splits `s3://bucket/a/b/name` into bucket, prefix `a/b/` and base `name`. */
export function parseS3Uri(uri: unknown, setting: string): S3Location & { key: string } {
  const match = typeof uri === 'string' ? /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri) : null;
  if (!match) throw new BadRequestException(`${setting}: expected an s3:// URI, got ${JSON.stringify(uri)}`);
  const key = match[2];
  const slash = key.lastIndexOf('/');
  const prefix = key.slice(0, slash + 1);
  const base = key.slice(slash + 1);
  return { bucket: match[1], key, prefix, base: base || undefined };
}

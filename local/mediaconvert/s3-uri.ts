/** s3:// URIs as job settings and Probe requests name them. */
import { BadRequestException } from './api-errors.ts';
import type { S3Location } from './settings/spec.ts';

/** The characters of S3 bucket names (lowercase letters, digits, dots, hyphens), starting with a letter or digit. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]*$/;

/** Splits `s3://bucket/a/b/name` into bucket, prefix `a/b/` and base `name`. */
export function parseS3Uri(uri: unknown, setting: string): S3Location & { key: string } {
  const match = typeof uri === 'string' ? /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri) : null;
  if (!match) throw new BadRequestException(`${setting}: expected an s3:// URI, got ${JSON.stringify(uri)}`);
  if (!BUCKET_NAME.test(match[1])) {
    throw new BadRequestException(`${setting}: ${JSON.stringify(match[1])} is not a valid bucket name`);
  }
  const key = match[2];
  refuseParentSegments(key, setting);
  const slash = key.lastIndexOf('/');
  const prefix = key.slice(0, slash + 1);
  const base = key.slice(slash + 1);
  return { bucket: match[1], key, prefix, base: base || undefined };
}

/**
 * Refuses a key with `.` or `..` segments: the endpoint writes outputs under `<work>/<bucket>/<key>`,
 * and such a key would reach outside it (S3 itself would store the dots literally).
 */
export function refuseParentSegments(key: string, setting: string): void {
  if (key.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw new BadRequestException(`${setting}: must not contain '.' or '..' path segments`);
  }
}

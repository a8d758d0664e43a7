/** Turns s3rver's object events into the records AWS sends to Lambda (eventVersion 2.1, encoded keys). */
import type { S3Event, S3EventRecord } from 'aws-lambda';
import type { S3rverRecord } from './emulators/s3.ts';

/** Encodes a key as S3 does in event notifications: form-style, spaces as `+`, `/` kept. */
export function encodeEventKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+'),
    )
    .join('/');
}

export function toLambdaS3Event(record: S3rverRecord): S3Event {
  const { key, size, eTag, sequencer } = record.s3.object;
  const normalized = {
    ...record,
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    s3: {
      ...record.s3,
      s3SchemaVersion: '1.0',
      object: {
        key: encodeEventKey(key),
        size: size ?? 0,
        eTag: eTag ?? '',
        sequencer: sequencer ?? Date.now().toString(16).toUpperCase().padStart(16, '0'),
      },
    },
  } as unknown as S3EventRecord;
  return { Records: [normalized] };
}

/**
 * Runs the ffmpeg binary (in AWS from the ffmpeg layer, locally from the npm installer package) on
 * objects in S3, which it reads over a presigned HTTPS URL with range requests: only the sampled
 * parts of a video are downloaded.
 */
import { spawn } from 'node:child_process';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '#adapters/s3/client.ts';
import { AnalysisFailedError } from '#domain/media/ports.ts';

/** A presigned GET URL for an s3:// URI, valid for `expiresInSec` seconds. */
export async function presignedGetUrl(uri: string, expiresInSec = 900): Promise<string> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`not an s3:// URI: ${uri}`);
  return getSignedUrl(s3Client(), new GetObjectCommand({ Bucket: match[1], Key: match[2] }), {
    expiresIn: expiresInSec,
  });
}

/** Runs ffmpeg with `args`; resolves with its stdout as bytes, rejects with AnalysisFailedError; stderr goes to `onStderr` as it comes. */
export function runFfmpeg(
  ffmpegPath: string,
  args: string[],
  onStderr?: (text: string) => void,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, ['-nostdin', '-hide_banner', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => {
      onStderr?.(String(chunk));
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on('error', (error) => reject(new AnalysisFailedError(`ffmpeg could not start: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(stdout));
      else reject(new AnalysisFailedError(`ffmpeg exited with ${code}: ${stderr.trim().slice(-500)}`));
    });
  });
}

/** `count` instants spread evenly over a video, seconds: the middle of each of `count` equal parts. */
export function sampleTimes(durationSec: number, count: number): number[] {
  if (!(durationSec > 0)) return [0];
  return Array.from({ length: count }, (_, i) => ((i + 0.5) * durationSec) / count);
}

/** The Probe operation: download each file, run ffprobe, answer in MediaConvert's Probe result shape. */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { BadRequestException } from './api-errors.ts';
import { ffprobe, toProbeResult } from './ffprobe.ts';
import { parseS3Uri } from './s3-uri.ts';

type S3Object = { bucket: string; key: string };
import { downloadObject } from './storage.ts';

export interface ProbeContext {
  s3: S3Client;
  ffprobePath: string;
  /** Scratch folder for the downloaded files (removed after each probe). */
  workDir: string;
}

async function download(context: ProbeContext, location: S3Object, at: string, local: string) {
  try {
    return await downloadObject(context.s3, location.bucket, location.key, local);
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket') {
      throw new BadRequestException(`${at}: s3://${location.bucket}/${location.key} does not exist`);
    }
    throw error;
  }
}

async function probeOne(context: ProbeContext, fileUrl: string | undefined, at: string) {
  const location = parseS3Uri(fileUrl, at);
  // The object's own name: ffprobe guesses some containers (MPEG-TS) from the extension.
  const local = path.join(
    context.workDir,
    'probe',
    crypto.randomUUID(),
    path.posix.basename(location.key) || 'input',
  );
  try {
    const object = await download(context, location, at, local);
    const metadata = { fileSize: object.size, eTag: object.eTag, mimeType: object.contentType };
    try {
      return toProbeResult(await ffprobe(context.ffprobePath, local), metadata);
    } catch (error) {
      // An unreadable file still gets a result, as the service does: metadata without a container.
      console.warn(`local mediaconvert: probe of ${fileUrl}: ${(error as Error).message}`);
      return { container: undefined, metadata, trackMappings: [] };
    }
  } finally {
    await rm(path.dirname(local), { recursive: true, force: true });
  }
}

/** Probe: one result per input file, in order. */
export async function probeFiles(context: ProbeContext, body: { inputFiles?: { fileUrl?: string }[] }) {
  const files = body.inputFiles ?? [];
  if (!Array.isArray(files) || files.length === 0)
    throw new BadRequestException('inputFiles: at least one file is required');
  const probeResults = [];
  for (const [i, file] of files.entries()) {
    probeResults.push(await probeOne(context, file?.fileUrl, `inputFiles[${i}].fileUrl`));
  }
  return { probeResults };
}

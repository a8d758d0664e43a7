/**
 * The video API on a test platform, used the way a client does: POST /videos, the presigned form
 * POSTed with the file, GET /videos until the asset settles; and the jobs the platform's local
 * MediaConvert endpoint holds for an asset.
 */
import { ListJobsCommand, MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { expect } from 'vitest';
import type { TestPlatform } from '../../support/platform.ts';

export interface UploadForm {
  assetId: string;
  uploadUrl: string;
  fields: Record<string, string>;
  expiresAt: string;
}

export interface VideoClient {
  /** POST /videos then POST the bytes with the presigned form, as a browser would. */
  upload(filename: string, bytes: Uint8Array | string, extra?: Record<string, string>): Promise<UploadForm>;
  /** Sends a file with a presigned form: its fields first, then the file, as an HTML form does. */
  postForm(form: UploadForm, bytes: Uint8Array | string): Promise<void>;
  /** GET /videos/{id} until READY or FAILED. */
  waitForSettled(assetId: string, timeoutMs?: number): Promise<any>;
  /** The asset's main transcode jobs (smart-crop jobs excluded). */
  jobsOf(assetId: string): Promise<{ Id?: string; Status?: string }[]>;
  mediaConvert: MediaConvertClient;
  close(): void;
}

export function videoClient(platform: TestPlatform): VideoClient {
  const mediaConvert = new MediaConvertClient({
    endpoint: platform.endpoints.mediaconvert,
    region: 'us-east-1',
  });
  const postForm = async (form: UploadForm, bytes: Uint8Array | string) => {
    const body = new FormData();
    for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
    body.append('file', new Blob([typeof bytes === 'string' ? bytes : Buffer.from(bytes)]), 'upload');
    const posted = await fetch(form.uploadUrl, { method: 'POST', body });
    expect(posted.status).toBe(204);
    await platform.settle();
  };
  return {
    mediaConvert,
    postForm,
    async upload(filename, bytes, extra = {}) {
      const created = await platform.api('POST', '/videos', { filename, contentType: 'video/mp4', ...extra });
      expect(created.status).toBe(201);
      await postForm(created.body, bytes);
      return created.body as UploadForm;
    },
    async waitForSettled(assetId, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await platform.settle();
        const { body } = await platform.api('GET', `/videos/${assetId}`);
        // READY counts once the quality function has measured the renditions (or said why not).
        const measuring = body.outputs?.quality?.vmafStatus === 'MEASURING';
        if ((body.status === 'READY' && !measuring) || body.status === 'FAILED') return body;
        if (Date.now() > deadline)
          throw new Error(`asset ${assetId} still ${body.status} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async jobsOf(assetId) {
      const { Jobs = [] } = await mediaConvert.send(new ListJobsCommand({ MaxResults: 20 }));
      // The asset's transcodes of its upload; its smart-crop jobs (tagged cropAspect) are not counted.
      return Jobs.filter((job) => job.UserMetadata?.assetId === assetId && !job.UserMetadata?.cropAspect);
    },
    close: () => mediaConvert.destroy(),
  };
}

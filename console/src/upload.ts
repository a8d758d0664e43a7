/**
 * Uploads a file straight to storage with the target `POST /videos` answered. XMLHttpRequest, not
 * fetch, because only it reports upload progress. The API answers a presigned POST form: its fields
 * (key, Content-Type, policy, signature) go first, then the file, as storage's policy requires.
 */
import type { MarqueeClient } from './api.tsx';
import { unwrap } from './api.tsx';

type UploadTarget = Awaited<ReturnType<typeof createUpload>>;

export const createUpload = (api: MarqueeClient, file: File, title?: string) =>
  unwrap(
    api.POST('/videos', {
      body: {
        filename: file.name,
        // A browser knows no type for some files; the pipeline decides from the bytes anyway.
        contentType: file.type || 'application/octet-stream',
        ...(title ? { title } : {}),
      },
    }),
  );

/** Sends the bytes; `onProgress` gets the share sent, 0..1. Rejects with the storage's answer. */
export function send(target: UploadTarget, file: File, onProgress: (share: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(target.method, target.uploadUrl);
    const form = new FormData();
    for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
    form.append('file', file);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () =>
      request.status >= 200 && request.status < 300
        ? resolve()
        : reject(
            new Error(`storage refused the upload: ${request.status} ${request.responseText.slice(0, 300)}`),
          );
    request.onerror = () => reject(new Error('the upload could not reach storage (network or CORS)'));
    request.send(form);
  });
}

/**
 * Uploads a file straight to storage with the target `POST /videos` answered. XMLHttpRequest, not
 * fetch, because only it reports upload progress. Today the API answers a presigned PUT; a presigned
 * POST form (url + fields) would be one more branch in `send`, chosen by the answer's `method`.
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
    for (const [name, value] of Object.entries(target.headers)) request.setRequestHeader(name, value);
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
    request.send(file);
  });
}

/** Rules for objects landing in the uploads bucket: key decoding, video detection, notification identity. */

export const VIDEO_EXTENSIONS = [
  'mp4',
  'm4v',
  'mov',
  'mkv',
  'webm',
  'avi',
  'mxf',
  'ts',
  'mts',
  'm2ts',
  'mpg',
  'mpeg',
  'wmv',
  'flv',
  '3gp',
];

/** S3 event keys are URL-encoded with `+` for spaces; returns the real key. */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** True if the key's extension is a video container we accept, whatever its case. */
export function isVideoKey(key: string): boolean {
  const dot = key.lastIndexOf('.');
  if (dot < 0 || dot < key.lastIndexOf('/')) return false;
  return VIDEO_EXTENSIONS.includes(key.slice(dot + 1).toLowerCase());
}

/** Upload keys are `uploads/<assetId>/<filename>`; returns the assetId, or undefined for foreign keys. */
export function assetIdFromUploadKey(key: string): string | undefined {
  const match = /^uploads\/([A-Za-z0-9-]{8,64})\/[^/]+$/.exec(key);
  return match?.[1];
}

/** The key under which an asset's upload is stored; filename sanitised to keep keys printable. */
export function uploadKeyFor(assetId: string, filename: string): string {
  const safe = filename.replace(/[^\w.\-() ]+/g, '_').slice(-200) || 'video';
  return `uploads/${assetId}/${safe}`;
}

/**
 * Identity of one object version as notified: the same object notified twice (S3 delivers at least
 * once) yields the same token; a re-upload gets a new sequencer and ETag.
 */
export function ingestTokenOf(record: { key: string; sequencer?: string; eTag?: string }): string {
  return `${record.key}#${record.sequencer ?? ''}#${record.eTag ?? ''}`;
}

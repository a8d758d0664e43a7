import { describe, expect, it } from 'vitest';
import {
  assetIdFromUploadKey,
  decodeS3EventKey,
  ingestTokenOf,
  isVideoKey,
  uploadKeyFor,
} from '#domain/media/upload-key.ts';

describe('upload keys', () => {
  it('decodes keys as S3 events send them: + for spaces and %XX escapes', () => {
    expect(decodeS3EventKey('uploads/abcdefgh12/My+Holiday+%282026%29+%C3%A9t%C3%A9.MP4')).toBe(
      'uploads/abcdefgh12/My Holiday (2026) été.MP4',
    );
    expect(decodeS3EventKey('a%2Bb.mp4')).toBe('a+b.mp4');
  });

  it('matches video extensions whatever their case, and nothing else', () => {
    expect(isVideoKey('uploads/x/clip.MOV')).toBe(true);
    expect(isVideoKey('uploads/x/clip.WebM')).toBe(true);
    expect(isVideoKey('uploads/x/notes.txt')).toBe(false);
    expect(isVideoKey('uploads/x.mp4/README')).toBe(false);
  });

  it('round-trips the assetId through the upload key', () => {
    const key = uploadKeyFor('0123456789abcdef', 'my clip?.mp4');
    expect(key).toBe('uploads/0123456789abcdef/my clip_.mp4');
    expect(assetIdFromUploadKey(key)).toBe('0123456789abcdef');
    expect(assetIdFromUploadKey('elsewhere/file.mp4')).toBeUndefined();
  });

  it('gives the same notification the same token and a re-upload a new one', () => {
    const first = ingestTokenOf({ key: 'k', sequencer: '0055AED6DCD90281E5', eTag: 'abc' });
    expect(ingestTokenOf({ key: 'k', sequencer: '0055AED6DCD90281E5', eTag: 'abc' })).toBe(first);
    expect(ingestTokenOf({ key: 'k', sequencer: '0055AED6DCD90281F0', eTag: 'def' })).not.toBe(first);
  });
});

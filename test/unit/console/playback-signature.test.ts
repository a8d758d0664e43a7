import { describe, expect, it } from 'vitest';
import { withSignature } from '../../../console/src/signed-urls.ts';

const signature = {
  query: 'Policy=abc&Signature=def&Key-Pair-Id=K1',
  resource: 'https://media.example.com/assets/a1/*',
};

describe('signed playback requests', () => {
  it("appends the asset's signature to variant playlists and segments under the signed resource", () => {
    expect(withSignature('https://media.example.com/assets/a1/hls/video_720.m3u8', signature)).toBe(
      'https://media.example.com/assets/a1/hls/video_720.m3u8?Policy=abc&Signature=def&Key-Pair-Id=K1',
    );
    expect(withSignature('https://media.example.com/assets/a1/hls/seg_1.ts?v=2', signature)).toBe(
      'https://media.example.com/assets/a1/hls/seg_1.ts?v=2&Policy=abc&Signature=def&Key-Pair-Id=K1',
    );
  });

  it('leaves a URL that is already signed, or outside the resource (another asset), as it is', () => {
    const signed = 'https://media.example.com/assets/a1/hls/master.m3u8?Signature=xyz';
    expect(withSignature(signed, signature)).toBe(signed);
    expect(withSignature('https://media.example.com/assets/a2/hls/master.m3u8', signature)).toBe(
      'https://media.example.com/assets/a2/hls/master.m3u8',
    );
    expect(withSignature('https://media.example.com/assets/a1/x.ts', undefined)).toBe(
      'https://media.example.com/assets/a1/x.ts',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { meanScores, parseMediaPlaylist, segmentsCovering } from '#adapters/media/ffmpeg-quality-meter.ts';
import { AnalysisFailedError } from '#domain/media/ports.ts';

const playlist = [
  '#EXTM3U',
  '#EXT-X-VERSION:3',
  '#EXT-X-TARGETDURATION:2',
  '#EXT-X-PLAYLIST-TYPE:VOD',
  '#EXTINF:2.000000,',
  'master_240p_00001.ts',
  '#EXTINF:2.000000,',
  'master_240p_00002.ts',
  '#EXTINF:2.000000,',
  'master_240p_00003.ts',
  '#EXTINF:1.916667,',
  'master_240p_00004.ts',
  '#EXT-X-ENDLIST',
].join('\n');

describe('HLS windows for the quality meter', () => {
  it('reads the segments of a variant playlist with their durations', () => {
    const segments = parseMediaPlaylist(playlist);
    expect(segments.map((s) => s.uri)).toEqual([
      'master_240p_00001.ts',
      'master_240p_00002.ts',
      'master_240p_00003.ts',
      'master_240p_00004.ts',
    ]);
    expect(segments.at(-1)?.durationSec).toBeCloseTo(1.916667, 6);
  });

  it('picks the segments covering a window and where the window starts in the first', () => {
    const segments = parseMediaPlaylist(playlist);
    const covering = segmentsCovering(segments, { startSec: 3.5, durationSec: 2 });
    expect(covering.segments.map((s) => s.uri)).toEqual(['master_240p_00002.ts', 'master_240p_00003.ts']);
    expect(covering.offsetSec).toBeCloseTo(1.5, 9);
    const first = segmentsCovering(segments, { startSec: 0, durationSec: 2 });
    expect(first).toEqual({ segments: [segments[0]], offsetSec: 0 });
    expect(segmentsCovering(segments, { startSec: 9, durationSec: 2 }).segments).toEqual([]);
  });

  it("averages libvmaf's per-frame scores and refuses a log with no frames", () => {
    const log = JSON.stringify({
      frames: [
        { metrics: { vmaf: 80, psnr: 40, ssim: 0.98 } },
        { metrics: { vmaf: 60, psnr: 30, ssim: 0.9 } },
      ],
    });
    expect(meanScores(log)).toEqual({ vmaf: 70, psnrDb: 35, ssim: 0.94, frames: 2 });
    expect(() => meanScores(JSON.stringify({ frames: [] }))).toThrow(AnalysisFailedError);
  });
});

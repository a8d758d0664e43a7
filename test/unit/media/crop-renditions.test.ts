import { describe, expect, it } from 'vitest';
import { toSourceProbe } from '#adapters/media/mediaconvert-probe.ts';
import type { VideoAsset } from '#domain/media/asset.ts';
import { AssetNotReadyYetError, cropPictureOf, SmartCropRenditions } from '#domain/media/crop-renditions.ts';
import type { JobUpdate, ReportedOutputs } from '#domain/media/job-updates.ts';
import { defaultLadderConfig } from '#domain/media/ladder.ts';
import {
  AnalysisFailedError,
  type CropFrames,
  type TranscodeRequest,
  type Transcoder,
  type VideoAnalyzer,
} from '#domain/media/ports.ts';
import type { CropPicture, GreyFrame } from '#domain/media/smart-crop.ts';
import { toVideoView } from '#domain/media/video-view.ts';
import { memoryStore, readyAnamorphicAsset } from './memory-asset-store.ts';
import { anamorphicProbe } from './probe-fixtures.ts';

/** Grey frames at 5 a second with a bright block crossing from left to right. */
function movingBlockFrames(picture: CropPicture): CropFrames {
  const width = 160;
  const height = 90;
  const seconds = picture.frameCount / picture.frameRate;
  const frames: GreyFrame[] = Array.from({ length: Math.floor(seconds * 5) }, (_, i) => {
    const pixels = new Uint8Array(width * height).fill(50);
    const left = Math.round(10 + (i / (seconds * 5)) * 120);
    for (let y = 20; y < 80; y++) for (let x = left; x < left + 14; x++) pixels[y * width + x] = 230;
    return { timeSec: i / 5, width, height, pixels };
  });
  return { frames, cutsSec: [] };
}

const reported: ReportedOutputs = {
  hlsMaster: 's3://media/assets/a1/crop-9x16/hls/master.m3u8',
  renditions: [
    {
      uri: 's3://media/assets/a1/crop-9x16/hls/master_240p.m3u8',
      nameModifier: '_240p',
      width: 136,
      height: 240,
    },
  ],
  thumbnails: [],
};

describe('SmartCropRenditions', () => {
  const source = toSourceProbe(anamorphicProbe);
  const ready = (): VideoAsset =>
    readyAnamorphicAsset({
      jobId: 'main-job',
      ingestToken: 'tok',
      colour: {
        findings: ['FLAT'],
        correction: { brightness: 45, contrast: 70, saturation: 50, hue: 0 },
        reason: 'flat',
      },
      outputs: {
        hlsMaster: 's3://media/assets/a1/hls/master.m3u8',
        renditions: [],
        download: {
          uri: 's3://media/assets/a1/files/video_download.mp4',
          codec: 'H_264',
          width: 426,
          height: 240,
          maxBitrateBps: 1,
        },
        thumbnails: [],
      },
    });

  function rig(
    asset: VideoAsset,
    sampleFrames: VideoAnalyzer['sampleFrames'] = async (_uri, picture) => movingBlockFrames(picture),
  ) {
    const { store, writes } = memoryStore(asset);
    const submitted: TranscodeRequest[] = [];
    const analysed: string[] = [];
    const transcoder: Transcoder = {
      probe: async () => source,
      submit: async (request) => {
        submitted.push(request);
        return `crop-job-${submitted.length}`;
      },
    };
    const analyzer: VideoAnalyzer = {
      measureExposure: async () => {
        throw new Error('not used');
      },
      sampleFrames: async (uri, picture) => {
        analysed.push(uri);
        return sampleFrames(uri, picture);
      },
    };
    const crops = new SmartCropRenditions(
      { uploadsBucket: 'uploads', mediaBucket: 'media', ladder: defaultLadderConfig },
      store,
      transcoder,
      analyzer,
    );
    return { crops, writes, submitted, analysed };
  }
  const complete = (jobId: string): JobUpdate => ({
    kind: 'complete',
    assetId: 'a1',
    jobId,
    outputs: reported,
  });

  it('analyses the MP4 rendition of a READY asset and submits one 9:16 and one 1:1 job reading the master', async () => {
    const asset = ready();
    const { crops, submitted, analysed } = rig(asset);
    const outcome = await crops.onJobUpdate(complete('main-job'));
    expect(outcome).toEqual({
      outcome: 'submitted',
      assetId: 'a1',
      jobs: { '9:16': 'crop-job-1', '1:1': 'crop-job-2' },
    });
    expect(analysed).toEqual(['s3://media/assets/a1/files/video_download.mp4']);
    expect(submitted.map((r) => [r.inputUri, r.outputPrefix, r.crop?.aspect])).toEqual([
      ['s3://uploads/uploads/a1/clip.mp4', 's3://media/assets/a1/crop-9x16/', '9:16'],
      ['s3://uploads/uploads/a1/clip.mp4', 's3://media/assets/a1/crop-1x1/', '1:1'],
    ]);
    // The smart colour decision applies to the crops too; the window moves with the block.
    expect(submitted[0].colour).toEqual(asset.colour?.correction);
    const xs = submitted[0].crop!.windows.map((w) => w.x);
    expect(xs.at(-1)!).toBeGreaterThan(xs[0]);
    expect(asset.cropVertical).toMatchObject({ aspect: '9:16', status: 'PROCESSING', jobId: 'crop-job-1' });
    expect(asset.cropSquare).toMatchObject({ aspect: '1:1', status: 'PROCESSING', jobId: 'crop-job-2' });
    // A repeated COMPLETE of the main job submits nothing more.
    expect((await crops.onJobUpdate(complete('main-job'))).outcome).toBe('ignored');
    expect(submitted).toHaveLength(2);
  });

  it('records a crop job’s renditions, or its failure, in that aspect’s field only', async () => {
    const asset = ready();
    const { crops, writes } = rig(asset);
    await crops.onJobUpdate(complete('main-job'));
    writes.length = 0;
    expect(await crops.onJobUpdate(complete('crop-job-1'))).toEqual({
      outcome: 'recorded',
      assetId: 'a1',
      aspect: '9:16',
      status: 'READY',
    });
    await crops.onJobUpdate({
      kind: 'error',
      assetId: 'a1',
      jobId: 'crop-job-2',
      code: '1999',
      message: 'bad crop',
    });
    expect(writes.map((w) => Object.keys(w))).toEqual([['cropVertical'], ['cropSquare']]);
    expect(asset.cropSquare).toMatchObject({ status: 'FAILED', failure: '1999: bad crop' });
    const view = toVideoView(asset);
    expect(view.smartCrops.map((c) => [c.aspect, c.status])).toEqual([
      ['9:16', 'READY'],
      ['1:1', 'FAILED'],
    ]);
    expect(view.smartCrops[0].renditions?.[0]).toMatchObject({ aspect: '9:16', width: 136, height: 240 });
    expect(view.smartCrops[0].shots[0]).toMatchObject({ startSec: 0, motion: 'PAN' });
  });

  it('asks for a retry when the main job completes before its asset is READY, and ignores other jobs', async () => {
    const { crops } = rig({ ...ready(), status: 'PROCESSING' });
    await expect(crops.onJobUpdate(complete('main-job'))).rejects.toBeInstanceOf(AssetNotReadyYetError);
    expect((await crops.onJobUpdate(complete('stale-job'))).outcome).toBe('ignored');
    expect(
      (await crops.onJobUpdate({ kind: 'progress', assetId: 'a1', jobId: 'main-job', percent: 5 })).outcome,
    ).toBe('ignored');
  });

  it('gives up without a job when the rendition cannot be analysed, and retries on other failures', async () => {
    const unreadable = rig(ready(), async () => {
      throw new AnalysisFailedError('ffmpeg exited with 1: moov atom not found');
    });
    expect(await unreadable.crops.onJobUpdate(complete('main-job'))).toEqual({
      outcome: 'ignored',
      reason: 'smart crop analysis failed: ffmpeg exited with 1: moov atom not found',
    });
    const unreachable = rig(ready(), async () => {
      throw new Error('socket hang up');
    });
    await expect(unreachable.crops.onJobUpdate(complete('main-job'))).rejects.toThrow('socket hang up');
    expect([...unreadable.submitted, ...unreachable.submitted]).toEqual([]);
  });

  it('cuts windows from the stored picture after rotation', () => {
    const portrait = { ...source, video: { ...source.video!, rotationDeg: 90 as const } };
    expect(cropPictureOf(portrait)).toMatchObject({
      width: source.video!.storedHeight,
      height: source.video!.storedWidth,
    });
  });
});

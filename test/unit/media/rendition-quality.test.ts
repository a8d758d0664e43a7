import { describe, expect, it } from 'vitest';
import type { VideoAsset } from '#domain/media/asset.ts';
import { AssetNotReadyYetError } from '#domain/media/crop-renditions.ts';
import { MEASURING_QUALITY, type JobUpdate } from '#domain/media/job-updates.ts';
import { AnalysisFailedError, type QualityMeter, type QualityRequest } from '#domain/media/ports.ts';
import { RenditionQuality } from '#domain/media/rendition-quality.ts';
import { memoryStore, readyAnamorphicAsset } from './memory-asset-store.ts';

const prefix = 's3://media/assets/a1';

/** A READY asset of the anamorphic clip (displays 427x240, 9.9 s): one 240p HLS rung and the MP4. */
const ready = (): VideoAsset =>
  readyAnamorphicAsset({
    jobId: 'job-main',
    outputs: {
      hlsMaster: `${prefix}/hls/master.m3u8`,
      renditions: [
        { uri: `${prefix}/hls/master_240p.m3u8`, codec: 'H_264', width: 426, height: 240, maxBitrateBps: 1 },
        { uri: `${prefix}/hls/master_120p.m3u8`, codec: 'H_264', width: 214, height: 120, maxBitrateBps: 1 },
      ],
      download: {
        uri: `${prefix}/files/video_download.mp4`,
        codec: 'H_264',
        width: 426,
        height: 240,
        maxBitrateBps: 1,
      },
      thumbnails: [],
      quality: MEASURING_QUALITY,
    },
  });

const completed: JobUpdate = {
  kind: 'complete',
  assetId: 'a1',
  jobId: 'job-main',
  outputs: { hlsMaster: '', renditions: [], thumbnails: [] },
};

/** A meter answering a VMAF per rendition file name (an Error value makes it fail), recording requests. */
function scriptedMeter(vmafByName: Record<string, number | Error>) {
  const requests: QualityRequest[] = [];
  const meter: QualityMeter = {
    measure: async (request) => {
      requests.push(request);
      const answer = vmafByName[request.renditionUri.slice(request.renditionUri.lastIndexOf('/') + 1)];
      if (answer instanceof Error) throw answer;
      return { vmaf: answer, psnrDb: 35.123, ssim: 0.95555, frames: 238 };
    },
  };
  return { meter, requests };
}

const config = { uploadsBucket: 'uploads', vmafModel: { name: 'vmaf_v0.6.1.pkl' }, sampleSec: 10 };

describe('RenditionQuality', () => {
  it('measures every rendition on the sample at the source display size and flags one far below its rung', async () => {
    const asset = ready();
    const { store } = memoryStore(asset);
    const { meter, requests } = scriptedMeter({
      'master_240p.m3u8': 40,
      'master_120p.m3u8': 45.678,
      'video_download.mp4': 70,
    });
    const outcome = await new RenditionQuality(config, store, meter).onJobUpdate(completed);
    expect(outcome).toEqual({ outcome: 'recorded', assetId: 'a1', vmafStatus: 'MEASURED', measured: 3 });
    expect(requests[0]).toEqual({
      sourceUri: 's3://uploads/uploads/a1/clip.mp4',
      renditionUri: `${prefix}/hls/master_240p.m3u8`,
      displayWidth: 427,
      displayHeight: 240,
      windows: [{ startSec: 0, durationSec: 9.917 }],
    });
    expect(asset.status).toBe('READY');
    expect(asset.outputs?.renditions.map((r) => r.vmaf)).toEqual([40, 45.68]);
    expect(asset.outputs?.renditions[0]).toMatchObject({ psnrDb: 35.12, ssim: 0.9556 });
    expect(asset.outputs?.download?.vmaf).toBe(70);
    // A 240-line rendition of a 240-line source should reach 60; a 120-line one (scale 0.5) 50.
    expect(asset.outputs?.quality).toEqual({
      vmafStatus: 'MEASURED',
      vmafModel: 'vmaf_v0.6.1.pkl',
      vmafSample: 'the whole video (9.9 s)',
      flags: [
        {
          uri: `${prefix}/hls/master_240p.m3u8`,
          vmaf: 40,
          expectedAtLeast: 60,
          reason: expect.stringContaining('240-line rendition of a 240-line source'),
        },
        {
          uri: `${prefix}/hls/master_120p.m3u8`,
          vmaf: 45.68,
          expectedAtLeast: 50,
          reason: expect.stringContaining('120-line rendition of a 240-line source'),
        },
      ],
    });
  });

  it('names a rendition that could not be measured and keeps the others', async () => {
    const asset = ready();
    const { store } = memoryStore(asset);
    const { meter } = scriptedMeter({
      'master_240p.m3u8': new AnalysisFailedError('the rendition is missing from S3 (NoSuchKey)'),
      'master_120p.m3u8': 55,
      'video_download.mp4': 70,
    });
    await new RenditionQuality(config, store, meter).onJobUpdate(completed);
    expect(asset.outputs?.renditions.map((r) => r.vmaf)).toEqual([undefined, 55]);
    expect(asset.outputs?.quality).toMatchObject({
      vmafStatus: 'MEASURED',
      vmafMissing: 'not measured: master_240p.m3u8: the rendition is missing from S3 (NoSuchKey)',
      flags: [],
    });
  });

  it('records MISSING with the reason when ffmpeg fails on every rendition; the asset stays READY', async () => {
    const asset = ready();
    const { store } = memoryStore(asset);
    const failure = new AnalysisFailedError('ffmpeg exited with 1: Invalid data found');
    const { meter } = scriptedMeter({
      'master_240p.m3u8': failure,
      'master_120p.m3u8': failure,
      'video_download.mp4': failure,
    });
    const outcome = await new RenditionQuality(config, store, meter).onJobUpdate(completed);
    expect(outcome).toMatchObject({ vmafStatus: 'MISSING', measured: 0 });
    expect(asset.status).toBe('READY');
    expect(asset.outputs?.quality?.vmafStatus).toBe('MISSING');
    expect(asset.outputs?.quality?.vmafMissing).toMatch(/master_240p\.m3u8: ffmpeg exited with 1/);
  });

  it('says why there is no model without running the meter', async () => {
    const asset = ready();
    const { store } = memoryStore(asset);
    const { meter, requests } = scriptedMeter({});
    const vmafModel = { missing: 'no VMAF model is configured (MEDIA_VMAF_MODEL_PATH)' };
    await new RenditionQuality({ ...config, vmafModel }, store, meter).onJobUpdate(completed);
    expect(requests).toHaveLength(0);
    expect(asset.outputs?.quality).toEqual({
      vmafStatus: 'MISSING',
      vmafMissing: 'no VMAF model is configured (MEDIA_VMAF_MODEL_PATH)',
      flags: [],
    });
  });

  it('asks for a retry while the asset is not READY, and ignores crop jobs and measured assets', async () => {
    const processing = { ...ready(), status: 'PROCESSING' as const };
    const { meter, requests } = scriptedMeter({});
    await expect(
      new RenditionQuality(config, memoryStore(processing).store, meter).onJobUpdate(completed),
    ).rejects.toBeInstanceOf(AssetNotReadyYetError);
    const crop = await new RenditionQuality(config, memoryStore(ready()).store, meter).onJobUpdate({
      ...completed,
      jobId: 'job-crop',
    });
    expect(crop).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/main job/) });
    const measured = ready();
    measured.outputs!.quality = { vmafStatus: 'MEASURED', flags: [] };
    const again = await new RenditionQuality(config, memoryStore(measured).store, meter).onJobUpdate(
      completed,
    );
    expect(again).toMatchObject({ outcome: 'ignored', reason: 'the renditions were already measured' });
    expect(requests).toHaveLength(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { VideoAsset } from '#domain/media/asset.ts';
import { interpretJobEvent, type JobStateChangeEvent } from '#adapters/media/mediaconvert-job-events.ts';
import { toSourceProbe } from '#adapters/media/mediaconvert-probe.ts';
import { applyJobUpdate } from '#domain/media/job-updates.ts';
import { planLadder } from '#domain/media/ladder.ts';
import { anamorphicProbe, silentProbe } from './probe-fixtures.ts';

const base = { source: 'aws.mediaconvert', 'detail-type': 'MediaConvert Job State Change' };
const metadata = { assetId: 'asset-0001' };
const asset: VideoAsset = {
  assetId: 'asset-0001',
  status: 'PROCESSING',
  filename: 'clip.mp4',
  contentType: 'video/mp4',
  uploadKey: 'uploads/asset-0001/clip.mp4',
  jobId: 'job-1',
  percent: 10,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const now = '2026-01-01T00:01:00.000Z';

const complete: JobStateChangeEvent = {
  ...base,
  detail: {
    status: 'COMPLETE',
    jobId: 'job-1',
    userMetadata: metadata,
    outputGroupDetails: [
      {
        type: 'HLS_GROUP',
        playlistFilePaths: ['s3://media/assets/asset-0001/hls/master.m3u8'],
        outputDetails: [
          {
            outputFilePaths: ['s3://media/assets/asset-0001/hls/master_360p.m3u8'],
            durationInMs: 10_000,
            videoDetails: { widthInPx: 640, heightInPx: 360, averageBitrate: 400_000 },
          },
        ],
      },
      {
        type: 'FILE_GROUP',
        outputDetails: [
          { outputFilePaths: ['s3://media/assets/asset-0001/files/video_download.mp4'] },
          { outputFilePaths: ['s3://media/assets/asset-0001/files/video_thumb.0000002.jpg'] },
          { outputFilePaths: ['s3://media/assets/asset-0001/files/video_poster.0000001.jpg'] },
        ],
      },
    ],
  },
};

describe('interpretJobEvent', () => {
  it('reads the percent of a STATUS_UPDATE', () => {
    const event = {
      ...base,
      detail: {
        status: 'STATUS_UPDATE',
        jobId: 'job-1',
        userMetadata: metadata,
        jobProgress: { jobPercentComplete: 42 },
      },
    };
    expect(interpretJobEvent(event)).toEqual({
      kind: 'progress',
      assetId: 'asset-0001',
      jobId: 'job-1',
      percent: 42,
    });
  });

  it('collects master playlist, renditions, MP4, every thumbnail and the poster from COMPLETE', () => {
    const update = interpretJobEvent(complete);
    if (update.kind !== 'complete') throw new Error(`expected complete, got ${update.kind}`);
    expect(update.outputs.hlsMaster).toBe('s3://media/assets/asset-0001/hls/master.m3u8');
    expect(update.outputs.renditions[0]).toMatchObject({
      width: 640,
      height: 360,
      averageBitrateBps: 400_000,
    });
    expect(update.outputs.download?.uri).toMatch(/_download\.mp4$/);
    expect(update.outputs.thumbnails).toHaveLength(3);
    expect(update.outputs.thumbnails[0]).toMatch(/video_thumb\.0000000\.jpg$/);
    expect(update.outputs.poster).toMatch(/_poster\.0000001\.jpg$/);
  });

  it('keeps the error code and message of an ERROR', () => {
    const event = {
      ...base,
      detail: {
        status: 'ERROR',
        jobId: 'job-1',
        userMetadata: metadata,
        errorCode: 1010,
        errorMessage: 'Unable to open input file',
      },
    };
    expect(interpretJobEvent(event)).toMatchObject({
      kind: 'error',
      code: '1010',
      message: 'Unable to open input file',
    });
  });

  it('ignores events of jobs that carry no assetId', () => {
    expect(interpretJobEvent({ ...base, detail: { status: 'COMPLETE', jobId: 'x' } }).kind).toBe('ignored');
  });
});

describe('VMAF on the asset', () => {
  it('leaves a READY asset MEASURING: the transcoder reports no VMAF, the quality function measures it', () => {
    const local = structuredClone(complete);
    // Whatever a transcoder adds to its details, quality comes from one place only.
    Object.assign(local.detail!.outputGroupDetails![0].outputDetails![0].videoDetails!, {
      vmaf: 40,
      psnrDb: 30,
    });
    const next = applyJobUpdate(asset, interpretJobEvent(local), now);
    expect(next?.outputs?.quality).toEqual({ vmafStatus: 'MEASURING', flags: [] });
    expect(next?.outputs?.renditions[0].vmaf).toBeUndefined();
    expect(next?.outputs?.renditions[0].psnrDb).toBeUndefined();
  });
});

describe('applyJobUpdate', () => {
  it('marks the asset READY with its outputs on COMPLETE', () => {
    const next = applyJobUpdate(asset, interpretJobEvent(complete), now);
    expect(next).toMatchObject({ status: 'READY', percent: 100 });
    expect(next?.outputs?.renditions).toHaveLength(1);
  });

  it('takes codec and bit-rate ceiling from the planned rendition the output is named after', () => {
    const plan = planLadder(toSourceProbe(silentProbe));
    const next = applyJobUpdate({ ...asset, plan }, interpretJobEvent(complete), now);
    const planned360 = plan.renditions.find((r) => r.nameModifier === '_360p')!;
    expect(next?.outputs?.renditions[0]).toMatchObject({
      codec: 'H_264',
      maxBitrateBps: planned360.maxBitrateBps,
    });
    expect(next?.outputs?.download?.maxBitrateBps).toBe(plan.download.maxBitrateBps);
    expect(next?.outputs?.renditions[0].videoMaxBitrateBps).toBe(planned360.maxBitrateBps);
  });

  it('reports the measured muxed peak as the maximum, like for like with the muxed average', () => {
    const plan = planLadder(toSourceProbe(anamorphicProbe));
    const measured = structuredClone(complete);
    const output = measured.detail!.outputGroupDetails![0].outputDetails![0];
    output.outputFilePaths = ['s3://media/assets/asset-0001/hls/master_240p.m3u8'];
    output.videoDetails = { widthInPx: 426, heightInPx: 240, averageBitrate: 300_000, peakBitrate: 420_000 };
    const rendition = applyJobUpdate({ ...asset, plan }, interpretJobEvent(measured), now)?.outputs
      ?.renditions[0];
    expect(rendition).toMatchObject({ maxBitrateBps: 420_000, averageBitrateBps: 300_000 });
    expect(rendition?.videoMaxBitrateBps).toBe(plan.renditions[0].maxBitrateBps);
    // Without a measured peak: the planned video ceiling plus the audio, still the muxed stream.
    const planned = applyJobUpdate({ ...asset, plan }, interpretJobEvent(complete), now)?.outputs?.download;
    expect(planned?.maxBitrateBps).toBe(plan.download.maxBitrateBps + plan.audio!.bitrateBps);
  });

  it('ignores progress that arrives after completion or goes backwards', () => {
    const ready = applyJobUpdate(asset, interpretJobEvent(complete), now)!;
    expect(
      applyJobUpdate(ready, { kind: 'progress', assetId: 'asset-0001', jobId: 'job-1', percent: 50 }, now),
    ).toBeUndefined();
    expect(
      applyJobUpdate(asset, { kind: 'progress', assetId: 'asset-0001', jobId: 'job-1', percent: 5 }, now),
    ).toBeUndefined();
  });

  it('ignores events from a superseded job', () => {
    expect(
      applyJobUpdate(
        asset,
        { kind: 'error', assetId: 'asset-0001', jobId: 'job-0', code: '1', message: 'm' },
        now,
      ),
    ).toBeUndefined();
  });
});

describe('the event fixtures in events/eventbridge', () => {
  it('drive an asset from PROGRESSING through 47% to READY with two renditions', async () => {
    const { loadFixture } = await import('../../support/fixtures.ts');
    const assetId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    let current: VideoAsset | undefined = {
      ...asset,
      assetId,
      jobId: undefined,
      status: 'PROCESSING',
      percent: 0,
    };
    for (const variant of [
      'mediaconvert-progressing',
      'mediaconvert-status-update',
      'mediaconvert-complete',
    ]) {
      current =
        applyJobUpdate(current!, interpretJobEvent(loadFixture('eventbridge', variant)), now) ?? current;
      if (variant.endsWith('update')) expect(current?.percent).toBe(47);
    }
    expect(current).toMatchObject({ status: 'READY', jobId: '1795960370000-abc123' });
    expect(current?.outputs?.renditions.map((r) => `${r.width}x${r.height}`)).toEqual([
      '1280x720',
      '640x360',
    ]);
    expect(current?.outputs?.thumbnails).toHaveLength(2);
  });

  it('turn the ERROR fixture into a failure with its code and message', async () => {
    const { loadFixture } = await import('../../support/fixtures.ts');
    const update = interpretJobEvent(loadFixture('eventbridge', 'mediaconvert-error'));
    expect(update).toMatchObject({ kind: 'error', code: '1010' });
    if (update.kind === 'error') expect(update.message).toMatch(/^Unable to open input file/);
  });
});

import { describe, expect, it } from 'vitest';
import { clientRequestTokenFor, toJobSettings } from '#adapters/media/mediaconvert-job-settings.ts';
import { defaultLadderConfig, planLadder } from '#domain/media/ladder.ts';
import { toSourceProbe } from '#adapters/media/mediaconvert-probe.ts';
import { anamorphicProbe, hdrProbe, silentProbe } from './probe-fixtures.ts';

const context = {
  assetId: 'a1b2c3d4e5',
  inputUri: 's3://uploads-bucket/uploads/a1b2c3d4e5/clip.mp4',
  outputPrefix: 's3://media-bucket/assets/a1b2c3d4e5/',
};
const target = {
  queueArn: 'arn:aws:mediaconvert:eu-west-1:123456789012:queues/Default',
  roleArn: 'arn:aws:iam::123456789012:role/marquee-mediaconvert',
};

type Json = any;

describe('toJobSettings', () => {
  const plan = planLadder(toSourceProbe(anamorphicProbe));
  const job: Json = toJobSettings({ ...context, plan }, target);

  it('asks for accelerated transcoding when available and uses the configured queue and role', () => {
    expect(job.AccelerationSettings).toEqual({ Mode: 'PREFERRED' });
    expect(job.Queue).toBe(target.queueArn);
    expect(job.Role).toBe(target.roleArn);
  });

  it('carries the assetId in userMetadata and an idempotency token derived from the asset', () => {
    expect(job.UserMetadata.assetId).toBe(context.assetId);
    expect(job.ClientRequestToken).toBe(clientRequestTokenFor(context.assetId));
    expect(toJobSettings({ ...context, plan }, target).ClientRequestToken).toBe(job.ClientRequestToken);
    expect(toJobSettings({ ...context, plan, attempt: 2 }, target).ClientRequestToken).not.toBe(
      job.ClientRequestToken,
    );
  });

  it('writes one QVBR H.264 HLS output per rung with the planned size and ceiling', () => {
    const hls = job.Settings.OutputGroups[0];
    expect(hls.OutputGroupSettings.HlsGroupSettings.Destination).toBe(`${context.outputPrefix}hls/master`);
    expect(hls.Outputs).toHaveLength(plan.renditions.length);
    const video = hls.Outputs[0].VideoDescription;
    expect(video).toMatchObject({ Width: 426, Height: 240 });
    expect(video.CodecSettings.H264Settings).toMatchObject({
      RateControlMode: 'QVBR',
      MaxBitrate: plan.renditions[0].maxBitrateBps,
      GopSize: plan.gopSec,
    });
  });

  it('asks MediaConvert to honour the source rotation', () => {
    expect(job.Settings.Inputs[0].VideoSelector.Rotate).toBe('AUTO');
  });

  it('downmixes audio to AAC stereo with BS.1770 loudness correction', () => {
    const audio = job.Settings.OutputGroups[0].Outputs[0].AudioDescriptions[0];
    expect(audio.CodecSettings.AacSettings.CodingMode).toBe('CODING_MODE_2_0');
    expect(audio.AudioNormalizationSettings).toMatchObject({ Algorithm: 'ITU_BS_1770_3', TargetLkfs: -16 });
  });

  it('adds an MP4 download, thumbnails and a poster to the file group', () => {
    const files = job.Settings.OutputGroups[1];
    expect(files.Outputs.map((o: Json) => o.ContainerSettings.Container)).toEqual(['MP4', 'RAW', 'RAW']);
    const thumbs = files.Outputs[1].VideoDescription.CodecSettings.FrameCaptureSettings;
    expect(thumbs.FramerateDenominator).toBe(defaultLadderConfig.thumbnailIntervalSec);
  });

  it('leaves out audio selectors and descriptions for a silent source', () => {
    const silent: Json = toJobSettings({ ...context, plan: planLadder(toSourceProbe(silentProbe)) }, target);
    expect(silent.Settings.Inputs[0].AudioSelectors).toBeUndefined();
    expect(JSON.stringify(silent)).not.toContain('AudioDescriptions');
  });

  it('tone-maps the SDR renditions of an HDR source to BT.709', () => {
    const hdr: Json = toJobSettings({ ...context, plan: planLadder(toSourceProbe(hdrProbe)) }, target);
    const first = hdr.Settings.OutputGroups[0].Outputs[0].VideoDescription;
    expect(first.VideoPreprocessors.ColorCorrector.ColorSpaceConversion).toBe('FORCE_709');
  });
});

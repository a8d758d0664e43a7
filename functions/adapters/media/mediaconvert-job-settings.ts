/**
 * Turns a transcode request (the domain's plan for one asset) into a MediaConvert CreateJob request,
 * typed with the SDK's input shapes: the wire format lives here, the decisions in the ladder plan.
 */
import type {
  AudioDescription,
  ColorCorrector,
  CreateJobCommandInput,
  Input,
  Output,
  OutputGroup,
  VideoCodecSettings,
  VideoDescription,
  VideoPreprocessor,
} from '@aws-sdk/client-mediaconvert';
import type { ColourCorrection } from '#domain/media/colour.ts';
import type { LadderPlan, Rendition } from '#domain/media/ladder.ts';
import type { TranscodeRequest } from '#domain/media/ports.ts';

/** Where jobs run and which role MediaConvert assumes to read and write the buckets. */
export interface MediaConvertTarget {
  queueArn: string;
  roleArn: string;
}

export const AUDIO_SELECTOR = 'Audio Selector 1';

/** Output names relative to `outputPrefix`; `interpretJobEvent` and the API rely on them. */
export const OUTPUT_LAYOUT = {
  hlsBase: 'hls/master',
  filesBase: 'files/video',
  thumbnailModifier: '_thumb',
  posterModifier: '_poster',
} as const;

/**
 * MediaConvert's idempotency token for an asset's attempt: a retried submit (Lambda retry, duplicate
 * event) reuses it and MediaConvert returns the first job instead of starting a second.
 */
export function clientRequestTokenFor(assetId: string, attempt: number | string = 1): string {
  return `marquee-${assetId}-${attempt}`;
}

function videoCodecSettings(rendition: Rendition, gopSec: number): VideoCodecSettings {
  const common = {
    RateControlMode: 'QVBR' as const,
    QvbrSettings: { QvbrQualityLevel: rendition.qvbrQuality },
    MaxBitrate: rendition.maxBitrateBps,
    GopSize: gopSec,
    GopSizeUnits: 'SECONDS' as const,
    GopClosedCadence: 1,
    SceneChangeDetect: 'TRANSITION_DETECTION' as const,
    QualityTuningLevel: 'SINGLE_PASS_HQ' as const,
    ParControl: 'SPECIFIED' as const,
    ParNumerator: 1,
    ParDenominator: 1,
    FramerateControl: 'INITIALIZE_FROM_SOURCE' as const,
  };
  if (rendition.codec === 'H_265') {
    const hdr = rendition.dynamicRange !== 'SDR';
    return {
      Codec: 'H_265',
      H265Settings: {
        ...common,
        CodecProfile: hdr ? 'MAIN10_MAIN' : 'MAIN_MAIN',
        WriteMp4PackagingType: 'HVC1',
      },
    };
  }
  return { Codec: 'H_264', H264Settings: { ...common, CodecProfile: 'HIGH', CodecLevel: 'AUTO' } };
}

/** Smart colour's levels as ColorCorrector members; none when the picture is left as it is. */
function correctorLevels(colour: ColourCorrection | undefined): ColorCorrector {
  if (!colour) return {};
  return {
    Brightness: colour.brightness,
    Contrast: colour.contrast,
    Saturation: colour.saturation,
    Hue: colour.hue,
  };
}

/**
 * The colour corrector of a rendition: HDR conversion for an HDR source, smart colour's levels when
 * the analysis asked for them; no block at all for an SDR source left as it is.
 */
function colorPreprocessing(
  rendition: Rendition,
  plan: LadderPlan,
  colour: ColourCorrection | undefined,
): VideoPreprocessor | undefined {
  const levels = correctorLevels(colour);
  if (plan.sourceDynamicRange === 'SDR') return colour ? { ColorCorrector: levels } : undefined;
  if (rendition.dynamicRange === 'SDR')
    return { ColorCorrector: { ...levels, ColorSpaceConversion: 'FORCE_709' } };
  return {
    ColorCorrector: {
      ...levels,
      ColorSpaceConversion: rendition.dynamicRange === 'HLG' ? 'FORCE_HLG_2020' : 'FORCE_HDR10',
    },
  };
}

function videoDescription(
  rendition: Rendition,
  plan: LadderPlan,
  colour: ColourCorrection | undefined,
): VideoDescription {
  return {
    Width: rendition.width,
    Height: rendition.height,
    ScalingBehavior: 'DEFAULT',
    AntiAlias: 'ENABLED',
    ColorMetadata: 'INSERT',
    CodecSettings: videoCodecSettings(rendition, plan.gopSec),
    VideoPreprocessors: colorPreprocessing(rendition, plan, colour),
  };
}

function audioDescriptions(plan: LadderPlan): AudioDescription[] | undefined {
  if (!plan.audio) return undefined;
  return [
    {
      AudioSourceName: AUDIO_SELECTOR,
      CodecSettings: {
        Codec: 'AAC',
        AacSettings: {
          Bitrate: plan.audio.bitrateBps,
          CodingMode: 'CODING_MODE_2_0',
          SampleRate: plan.audio.sampleRateHz,
          CodecProfile: 'LC',
          RateControlMode: 'CBR',
        },
      },
      AudioNormalizationSettings: {
        Algorithm: 'ITU_BS_1770_3',
        AlgorithmControl: 'CORRECT_AUDIO',
        TargetLkfs: plan.audio.loudnessTargetLkfs,
        PeakCalculation: 'TRUE_PEAK',
        TruePeakLimiterThreshold: -2,
      },
    },
  ];
}

function frameCapture(
  nameModifier: string,
  size: { width: number; height: number },
  everySec: number,
  maxCaptures: number,
  colour: ColourCorrection | undefined,
): Output {
  return {
    NameModifier: nameModifier,
    Extension: 'jpg',
    ContainerSettings: { Container: 'RAW' },
    VideoDescription: {
      Width: size.width,
      Height: size.height,
      ScalingBehavior: 'DEFAULT',
      // Thumbnails and the poster show the corrected picture, as the renditions do.
      VideoPreprocessors: colour ? { ColorCorrector: correctorLevels(colour) } : undefined,
      CodecSettings: {
        Codec: 'FRAME_CAPTURE',
        FrameCaptureSettings: {
          FramerateNumerator: 1,
          FramerateDenominator: everySec,
          MaxCaptures: maxCaptures,
          Quality: 80,
        },
      },
    },
  };
}

/** Drops undefined members so the request reads like a hand-written one. */
function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, member]) => member !== undefined)
        .map(([name, member]) => [name, withoutUndefined(member)]),
    ) as T;
  }
  return value;
}

/** The HLS group: one QVBR rendition per planned rung, segments of the plan's length. */
function hlsGroup(request: TranscodeRequest): OutputGroup {
  const { plan } = request;
  return {
    Name: 'HLS',
    OutputGroupSettings: {
      Type: 'HLS_GROUP_SETTINGS',
      HlsGroupSettings: {
        Destination: `${request.outputPrefix}${OUTPUT_LAYOUT.hlsBase}`,
        SegmentLength: plan.segmentSec,
        MinSegmentLength: 0,
        SegmentControl: 'SEGMENTED_FILES',
        DirectoryStructure: 'SINGLE_DIRECTORY',
        ManifestDurationFormat: 'FLOATING_POINT',
        CodecSpecification: 'RFC_4281',
        StreamInfResolution: 'INCLUDE',
        OutputSelection: 'MANIFESTS_AND_SEGMENTS',
      },
    },
    Outputs: plan.renditions.map(
      (rendition): Output => ({
        NameModifier: rendition.nameModifier,
        ContainerSettings: { Container: 'M3U8', M3u8Settings: {} },
        VideoDescription: videoDescription(rendition, plan, request.colour),
        AudioDescriptions: audioDescriptions(plan),
      }),
    ),
  };
}

/** The file group: the MP4 download, thumbnails every interval and the poster frame. */
function filesGroup(request: TranscodeRequest): OutputGroup {
  const { plan } = request;
  const { thumbnails, poster } = plan;
  const { colour } = request;
  // Frame capture always starts at 0 s: two captures `atSec` apart make the second one the poster.
  const posterOutput =
    poster.atSec > 0
      ? frameCapture(OUTPUT_LAYOUT.posterModifier, poster, poster.atSec, 2, colour)
      : frameCapture(OUTPUT_LAYOUT.posterModifier, poster, 1, 1, colour);
  return {
    Name: 'Files',
    OutputGroupSettings: {
      Type: 'FILE_GROUP_SETTINGS',
      FileGroupSettings: { Destination: `${request.outputPrefix}${OUTPUT_LAYOUT.filesBase}` },
    },
    Outputs: [
      {
        NameModifier: plan.download.nameModifier,
        ContainerSettings: { Container: 'MP4', Mp4Settings: { MoovPlacement: 'PROGRESSIVE_DOWNLOAD' } },
        VideoDescription: videoDescription(plan.download, plan, request.colour),
        AudioDescriptions: audioDescriptions(plan),
      },
      frameCapture(
        OUTPUT_LAYOUT.thumbnailModifier,
        thumbnails,
        thumbnails.intervalSec,
        thumbnails.maxCaptures,
        colour,
      ),
      posterOutput,
    ],
  };
}

/**
 * The source as MediaConvert reads it: whole, or (smart crop) as one input per window, each clipped
 * to the window's frames with InputClippings and cut with the input's Crop rectangle. The inputs
 * are joined in order, so a stepped pan plays as one continuous picture.
 */
function jobInputs(request: TranscodeRequest): Input[] {
  const whole: Input = {
    FileInput: request.inputUri,
    TimecodeSource: 'ZEROBASED',
    // MediaConvert ignores the container's rotation unless asked; AUTO makes portrait stay portrait.
    VideoSelector: { Rotate: 'AUTO' },
    AudioSelectors: request.plan.audio ? { [AUDIO_SELECTOR]: { DefaultSelection: 'DEFAULT' } } : undefined,
  };
  const { crop } = request;
  if (!crop) return [whole];
  return crop.windows.map((window) => ({
    ...whole,
    InputClippings: [
      {
        StartTimecode: timecodeOf(window.startFrame, crop.frameRate),
        // The end timecode's frame is included: the window ends on the frame before the next one.
        EndTimecode: timecodeOf(window.endFrame - 1, crop.frameRate),
      },
    ],
    Crop: { X: window.x, Y: window.y, Width: window.width, Height: window.height },
  }));
}

/**
 * A frame index as a ZEROBASED timecode HH:MM:SS:FF, counting whole frames per second as timecode
 * does (a 29.97 fps source counts 30; MediaConvert reads it the same non-drop-frame way).
 */
export function timecodeOf(frame: number, frameRate: number): string {
  const perSecond = Math.max(1, Math.round(frameRate));
  const seconds = Math.floor(frame / perSecond);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}:${two(frame % perSecond)}`;
}

/**
 * The CreateJob request for a planned asset: one HLS group (master + rendition playlists), one file
 * group (MP4 download, thumbnails every N s, a poster frame), acceleration PREFERRED, queue and role
 * from config, the assetId in userMetadata and an idempotency token derived from the asset.
 */
export function toJobSettings(request: TranscodeRequest, target: MediaConvertTarget): CreateJobCommandInput {
  const job: CreateJobCommandInput = {
    Role: target.roleArn,
    Queue: target.queueArn,
    ClientRequestToken: clientRequestTokenFor(request.assetId, request.attempt),
    UserMetadata: {
      assetId: request.assetId,
      application: 'marquee',
      ...(request.crop ? { cropAspect: request.crop.aspect } : {}),
    },
    AccelerationSettings: { Mode: 'PREFERRED' },
    StatusUpdateInterval: 'SECONDS_10',
    Priority: 0,
    Settings: {
      TimecodeConfig: { Source: 'ZEROBASED' },
      Inputs: jobInputs(request),
      OutputGroups: [hlsGroup(request), filesGroup(request)],
    },
  };
  return withoutUndefined(job);
}

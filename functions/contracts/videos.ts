/** Contracts of the video routes: start an upload, read one asset, list assets by status, play one. */
import * as z from 'zod';
import { ASSET_STATUSES } from '#domain/media/asset.ts';
import { COLOUR_FINDINGS } from '#domain/media/colour.ts';
import { CROP_ASPECTS } from '#domain/media/smart-crop.ts';
import { Cursor, Id, limitParam } from './common.ts';
import type { ContractMap } from './types.ts';

const Rendition = z.object({
  uri: z.string(),
  codec: z.string(),
  width: z.number(),
  height: z.number(),
  maxBitrateBps: z.number(),
  averageBitrateBps: z.number().optional(),
  videoMaxBitrateBps: z.number().optional(),
  psnrDb: z.number().optional(),
  ssim: z.number().optional(),
  vmaf: z.number().optional(),
});

const Quality = z.object({
  vmafStatus: z
    .enum(['MEASURING', 'MEASURED', 'MISSING'])
    .optional()
    .describe('MEASURING from READY until the quality function has measured the renditions'),
  vmafModel: z.string().optional(),
  vmafSample: z.string().optional(),
  vmafMissing: z.string().optional(),
  flags: z.array(
    z.object({ uri: z.string(), vmaf: z.number(), expectedAtLeast: z.number(), reason: z.string() }),
  ),
});

const ColourCorrection = z.object({
  brightness: z.number().describe('1..100, 50 leaves the picture as it is'),
  contrast: z.number().describe('1..100, 50 leaves the picture as it is'),
  saturation: z.number().describe('1..100, 50 leaves the picture as it is'),
  hue: z.number().describe('-180..180 degrees, 0 leaves the picture as it is'),
});

const Colour = z
  .object({
    analysis: z
      .object({
        lumaMean: z.number(),
        lumaLow: z.number(),
        lumaHigh: z.number(),
        chromaBlueMean: z.number(),
        chromaRedMean: z.number(),
        saturationMean: z.number(),
        frames: z.number(),
      })
      .optional()
      .describe('signalstats averages over sampled frames, 8-bit code values'),
    findings: z.array(z.enum(COLOUR_FINDINGS)),
    correction: ColourCorrection.optional().describe('absent: the clip was left untouched'),
    reason: z.string(),
  })
  .describe('what smart colour measured, found and corrected');

const AspectRendition = Rendition.extend({ aspect: z.enum(CROP_ASPECTS) });

const SmartCrop = z
  .object({
    aspect: z.enum(CROP_ASPECTS),
    status: z.enum(['PROCESSING', 'READY', 'FAILED']),
    window: z.object({ width: z.number(), height: z.number() }).describe('crop window in source pixels'),
    shots: z.array(
      z.object({
        startSec: z.number(),
        endSec: z.number(),
        motion: z.enum(['STATIONARY', 'PAN', 'CENTRED']),
        windows: z.number().describe('crop steps (sub-clips) in the shot'),
      }),
    ),
    fallback: z.string().optional().describe('set when no subject was found: every window is centred'),
    failure: z.string().optional(),
    hlsMaster: z.string().optional(),
    renditions: z.array(AspectRendition).optional(),
    download: AspectRendition.optional(),
  })
  .describe('a vertical or square rendition whose window follows the subject');

export const Video = z.object({
  assetId: z.string(),
  status: z.enum(ASSET_STATUSES),
  percent: z.number().min(0).max(100).optional(),
  failure: z.object({ code: z.string(), reason: z.string() }).optional(),
  filename: z.string(),
  contentType: z.string(),
  itemId: z.string().optional(),
  title: z.string().optional(),
  source: z
    .object({
      container: z.string(),
      durationSec: z.number(),
      sizeBytes: z.number(),
      video: z
        .object({
          codec: z.string(),
          width: z.number(),
          height: z.number(),
          storedWidth: z.number(),
          storedHeight: z.number(),
          rotationDeg: z.number(),
          sampleAspectRatio: z.string(),
          frameRate: z.number(),
          dynamicRange: z.string(),
        })
        .optional(),
      audio: z.object({ codec: z.string(), channels: z.number(), sampleRate: z.number() }).optional(),
    })
    .optional(),
  smartColour: z.boolean().describe('whether smart colour was asked for at upload'),
  colour: Colour.optional(),
  outputs: z
    .object({
      hlsMaster: z.string(),
      renditions: z.array(Rendition),
      download: Rendition.optional(),
      thumbnails: z.array(z.string()),
      poster: z.string().optional(),
      durationMs: z.number().optional(),
      quality: Quality.optional(),
    })
    .optional(),
  smartCrops: z.array(SmartCrop),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const SignedUrl = z.string().describe('URL signed for the CDN; carries the signature query');

export const Playback = z.object({
  assetId: z.string(),
  expiresAt: z.string().describe('ISO 8601; every URL here is refused from then on'),
  hls: SignedUrl.describe('HLS master playlist'),
  mp4: SignedUrl.optional().describe('progressive MP4 download'),
  poster: SignedUrl.optional(),
  thumbnails: z.array(SignedUrl),
  signature: z
    .object({
      query: z.string().describe('append to every request under the resource (variant playlists, segments)'),
      resource: z.string().describe('URL pattern the signature covers; * matches any characters'),
    })
    .describe("one signature for all of the asset's files: a player's loader appends it to each request"),
});

export const videosContracts = {
  createUpload: {
    body: z.strictObject({
      filename: z
        .string({ error: 'must be a string' })
        .min(1, { error: 'must not be empty' })
        .max(255, { error: 'must be at most 255 characters' }),
      contentType: z.string({ error: 'must be a string' }).min(1).max(127),
      itemId: Id.optional(),
      title: z.string().max(500, { error: 'must be at most 500 characters' }).optional(),
      smartColour: z
        .boolean({ error: 'must be true or false' })
        .optional()
        .describe('correct clearly mis-exposed, flat or colour-cast clips (default true)'),
    }),
    response: z.object({
      assetId: z.string(),
      /** POST here as multipart/form-data: every field of `fields` first, then the file as `file`. */
      uploadUrl: z.string(),
      method: z.literal('POST'),
      fields: z.record(z.string(), z.string()),
      maxSizeBytes: z.number(),
      expiresAt: z.string(),
    }),
    status: 201,
  },
  getVideo: { params: z.object({ assetId: Id }), response: Video },
  listVideos: {
    query: z.strictObject({
      status: z.enum(ASSET_STATUSES, { error: `must be one of ${ASSET_STATUSES.join(', ')}` }).optional(),
      limit: limitParam(100, 20),
      cursor: Cursor.optional(),
    }),
    response: z.object({ videos: z.array(Video), cursor: z.string().optional() }),
  },
  getPlayback: {
    params: z.object({ assetId: Id }),
    response: Playback,
    errors: { 409: 'The video is not READY yet (or FAILED): there is nothing to play' },
  },
} satisfies ContractMap;

/**
 * Smart crop and smart colour, measured (issue 13 §2, §3).
 * - smartcrop: a generated clip with a known moving subject (test/support/moving-subject-clip.ts):
 *   share of frames whose subject centre lies inside the planned window against a centred window in
 *   the same run, the window's jitter, the analysis time per minute of video, and the 9:16 job through
 *   the local MediaConvert endpoint; then the shared real clips' plans and a contact sheet per clip
 *   (thumbnails with the window drawn) in .marquee/bench/smart-crop/.
 * - smartcolour: a shared clip degraded in known ways (darker, washed out, colour cast), each run
 *   through the local endpoint with smart colour off and on; PSNR and mean-luma distance to the
 *   original's own rendition, before and after.
 * Run alone: `npx tsx bench/run.ts smartcrop` or `npm run bench -- smartcolour`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ProbeCommand } from '@aws-sdk/client-mediaconvert';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { FfmpegVideoAnalyzer } from '#adapters/media/ffmpeg-analyzer.ts';
import { toJobSettings } from '#adapters/media/mediaconvert-job-settings.ts';
import { toSourceProbe } from '#adapters/media/mediaconvert-probe.ts';
import { type ColourCorrection, decideColourCorrection } from '#domain/media/colour.ts';
import { defaultLadderConfig, type LadderPlan, planLadder } from '#domain/media/ladder.ts';
import type { TranscodeRequest } from '#domain/media/ports.ts';
import type { SourceProbe } from '#domain/media/probe.ts';
import {
  type CropAspect,
  type CropPicture,
  type CropPlan,
  cropWindows,
  croppedSource,
  planSmartCrop,
  windowAt,
  windowJitter,
} from '#domain/media/smart-crop.ts';
import { resolveFfmpegPath, resolveFfprobePath } from '#local/mediaconvert/binaries.ts';
import { ffprobe } from '#local/mediaconvert/ffprobe.ts';
import { sourceFacts } from '#local/mediaconvert/source-facts.ts';
import { repoRoot } from '#local/platform.ts';
import {
  CLIP,
  clipFrames,
  subjectCentreAt,
  writeMovingSubjectClip,
} from '../test/support/moving-subject-clip.ts';
import { BENCH_BUCKETS, startLocalMediaRig } from './local-media-rig.ts';
import type { BenchSection } from './report.ts';
import { median } from './stats.ts';

const run = promisify(execFile);
const videoDir = path.join(
  process.env.MARQUEE_SHARED_DATA ?? path.resolve(repoRoot, '..', 'shared', 'data'),
  'video',
);
const SHARED_CLIPS = [
  'bbb_prog_10s.mp4',
  'big_buck_bunny_0_30.webm',
  'rotate-buck-bunny.mp4',
  'many_tracks.mp4',
];
const COLOUR_CLIP = 'bbb_prog_10s.mp4';
/** Where the contact sheets go (git-ignored local state). */
const SHEETS_DIR = path.join(repoRoot, '.marquee', 'bench', 'smart-crop');
/** Arm64 Lambda, us-east-1, USD per GB-second (aws.amazon.com/lambda/pricing, first 6 billion GB-s/month). */
const LAMBDA_ARM_USD_PER_GB_SEC = 0.0000133334;
/** The memory the analysis would run with in Lambda: 1 vCPU. */
const ANALYSIS_MEMORY_GB = 1.769;
const ROUNDS = 3;
const TARGET = { queueArn: 'Default', roleArn: 'arn:aws:iam::000000000000:role/bench' };
/** Small ladders: the benchmark measures the picture, not the encoder. */
const LADDER = { ...defaultLadderConfig, rungs: defaultLadderConfig.rungs.filter((r) => r.shortSide <= 360) };

function requireData(file: string): string {
  // A benchmark without its data measures nothing: fail loudly rather than report an empty table.
  if (!existsSync(file)) throw new Error(`the smart video benchmark needs ${file} (set MARQUEE_SHARED_DATA)`);
  return file;
}

interface Rig {
  dir: string;
  put(key: string, file: string): Promise<string>;
  /** The source as MediaConvert's Probe reports it, in the domain's terms. */
  probe(uri: string): Promise<SourceProbe>;
  /** Runs one job to COMPLETE; returns its wall time and the local path of its MP4 download. */
  transcode(request: TranscodeRequest): Promise<{ ms: number; mp4: string }>;
  close(): Promise<void>;
}

/** s3rver and one local MediaConvert endpoint. */
async function startRig(): Promise<Rig> {
  const rig = await startLocalMediaRig('marquee-bench-smart-');
  return {
    dir: rig.dir,
    async put(key, file) {
      await rig.s3.send(
        new PutObjectCommand({ Bucket: BENCH_BUCKETS.uploads, Key: key, Body: await readFile(file) }),
      );
      return `s3://${BENCH_BUCKETS.uploads}/${key}`;
    },
    probe: async (uri) => {
      const probed = await rig.mediaConvert.send(new ProbeCommand({ InputFiles: [{ FileUrl: uri }] }));
      return toSourceProbe(probed.ProbeResults![0]);
    },
    async transcode(request) {
      const { ms } = await rig.runJob(toJobSettings(request, TARGET));
      const key = `${request.outputPrefix.replace(`s3://${BENCH_BUCKETS.media}/`, '')}files/video_download.mp4`;
      const object = await rig.s3.send(new GetObjectCommand({ Bucket: BENCH_BUCKETS.media, Key: key }));
      const mp4 = path.join(rig.dir, key.replaceAll('/', '_'));
      await writeFile(mp4, await object.Body!.transformToByteArray());
      return { ms, mp4 };
    },
    close: () => rig.close(),
  };
}

/** The picture a local file holds, as smart crop plans on it (after rotation, stored pixels). */
async function pictureOf(file: string): Promise<CropPicture> {
  const facts = sourceFacts(await ffprobe(resolveFfprobePath(), file), 'AUTO')!;
  return {
    width: facts.pixelWidth,
    height: facts.pixelHeight,
    frameRate: facts.fps,
    frameCount: Math.round(facts.durationSec * facts.fps),
  };
}

const pct = (share: number) => `${(100 * share).toFixed(1)}%`;

/** Share of frames whose true subject centre lies inside the plan's window, and inside a centred one. */
function followShares(plan: CropPlan, picture: CropPicture) {
  const centredX = (picture.width - plan.width) / 2;
  let inside = 0;
  let centred = 0;
  for (let frame = 0; frame < picture.frameCount; frame++) {
    const window = windowAt(plan, frame)!;
    const centre = subjectCentreAt(frame);
    if (centre >= window.x && centre <= window.x + window.width) inside++;
    if (centre >= centredX && centre <= centredX + plan.width) centred++;
  }
  return { planned: inside / picture.frameCount, centred: centred / picture.frameCount };
}

/** A contact sheet: one thumbnail per second with the window drawn, tiled; returns its path. */
async function writeContactSheet(file: string, plan: CropPlan, name: string): Promise<string> {
  const boxes = cropWindows(plan).map((w) => {
    const from = (w.startFrame / plan.frameRate).toFixed(3);
    const to = (w.endFrame / plan.frameRate).toFixed(3);
    return `drawbox=x=${w.x}:y=${w.y}:w=${w.width}:h=${w.height}:color=yellow@0.9:t=6:enable='between(t,${from},${to})'`;
  });
  const seconds = Math.max(1, Math.floor(plan.shots.at(-1)!.endFrame / plan.frameRate));
  const columns = Math.min(6, seconds);
  const rows = Math.ceil(Math.min(seconds, 30) / columns);
  const sheet = path.join(SHEETS_DIR, `${name}-${plan.aspect.replace(':', 'x')}.png`);
  await mkdir(SHEETS_DIR, { recursive: true });
  await run(resolveFfmpegPath(), [
    ...['-v', 'error', '-y', '-i', file, '-an', '-frames:v', '1'],
    ...[
      '-vf',
      `${[...boxes, 'fps=1', 'scale=240:-2', `tile=${columns}x${rows}:padding=4`].join(',')}`,
      sheet,
    ],
  ]);
  return sheet;
}

/** Smart crop on the generated clip (accuracy, jitter, the job) and on the shared clips (plans, sheets). */
export async function benchSmartCrop(): Promise<BenchSection[]> {
  for (const clip of SHARED_CLIPS) requireData(path.join(videoDir, clip));
  const analyzer = new FfmpegVideoAnalyzer(resolveFfmpegPath());
  const rig = await startRig();
  try {
    const generated = path.join(rig.dir, 'moving-subject.mp4');
    await writeMovingSubjectClip(resolveFfmpegPath(), generated);
    const picture: CropPicture = {
      width: CLIP.width,
      height: CLIP.height,
      frameRate: CLIP.frameRate,
      frameCount: clipFrames(),
    };
    const analysisMs: number[] = [];
    let sampled = await analyzer.sampleFrames(generated, picture);
    for (let round = 0; round < ROUNDS; round++) {
      const start = performance.now();
      sampled = await analyzer.sampleFrames(generated, picture);
      analysisMs.push(performance.now() - start);
    }
    const accuracyRows = (['9:16', '1:1'] as CropAspect[]).map((aspect) => {
      const start = performance.now();
      const plan = planSmartCrop(sampled, picture, aspect);
      const planMs = performance.now() - start;
      const shares = followShares(plan, picture);
      return {
        aspect,
        window: `${plan.width}x${plan.height}`,
        'subject inside, smart crop': pct(shares.planned),
        'subject inside, centre crop': pct(shares.centred),
        'jitter px/frame (smart)': windowJitter(plan).toFixed(2),
        shots: plan.shots.map((s) => `${s.motion}(${s.windows.length})`).join(' '),
        'planning ms': planMs.toFixed(1),
      };
    });
    const durationSec = picture.frameCount / picture.frameRate;
    const plan916 = planSmartCrop(sampled, picture, '9:16');
    const uri = await rig.put('generated/moving-subject.mp4', generated);
    const source = await rig.probe(uri);
    const jobMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const job = await rig.transcode({
        assetId: `crop-${round}`,
        inputUri: uri,
        outputPrefix: `s3://bench-media/crop-${round}/`,
        plan: planLadder(croppedSource(source, plan916), LADDER),
        crop: { aspect: '9:16', frameRate: picture.frameRate, windows: cropWindows(plan916) },
      });
      jobMs.push(job.ms);
    }
    const realRows = [];
    for (const clip of SHARED_CLIPS) {
      const file = path.join(videoDir, clip);
      const real = await pictureOf(file);
      const start = performance.now();
      const frames = await analyzer.sampleFrames(file, real);
      const ms = performance.now() - start;
      const seconds = real.frameCount / real.frameRate;
      for (const aspect of ['9:16', '1:1'] as CropAspect[]) {
        const plan = planSmartCrop(frames, real, aspect);
        const sheet = await writeContactSheet(file, plan, path.parse(clip).name);
        realRows.push({
          clip,
          aspect,
          window: `${plan.width}x${plan.height} of ${real.width}x${real.height}`,
          shots: plan.shots.length,
          motions: [...new Set(plan.shots.map((s) => s.motion))].join(', '),
          inputs: cropWindows(plan).length,
          'jitter px/frame': windowJitter(plan).toFixed(2),
          'analysis s per min of video': ((ms / 1000) * (60 / seconds)).toFixed(2),
          sheet: path.relative(repoRoot, sheet),
        });
      }
    }
    const perMinSec = (median(analysisMs) / 1000) * (60 / durationSec);
    return [
      {
        title: `Smart crop accuracy (generated ${CLIP.width}x${CLIP.height} clip, ${durationSec} s, 3 shots, moving subject changing side, sweeping distractor, moving background)`,
        rows: accuracyRows,
        notes: [
          'subject inside = share of all frames whose true subject centre lies inside the window; centre crop = the same window size held at the centre, same run',
          'jitter = mean absolute frame-to-frame movement of the window left edge inside shots (stepped pans move every 0.5 s)',
          `analysis (one ffmpeg pass: scene scores + 5 grey frames/s at 90 px high): median ${median(analysisMs).toFixed(0)} ms of ${analysisMs.map((m) => m.toFixed(0)).join(' / ')} = ${perMinSec.toFixed(2)} s per minute of video`,
          `9:16 job (${cropWindows(plan916).length} inputs with clippings + crop, HLS + MP4 + captures) through the local endpoint: median ${(median(jobMs) / 1000).toFixed(2)} s of ${jobMs.map((m) => (m / 1000).toFixed(2)).join(' / ')}`,
        ],
      },
      {
        title: 'Smart crop on the shared clips (plans; contact sheets with the windows drawn)',
        rows: realRows,
        notes: [
          `analysis cost in Lambda at this speed: ${LAMBDA_ARM_USD_PER_GB_SEC} USD per GB-s (arm64) x ${ANALYSIS_MEMORY_GB} GB x the seconds per minute above; on the generated clip ${(perMinSec * ANALYSIS_MEMORY_GB * LAMBDA_ARM_USD_PER_GB_SEC * 1e6).toFixed(0)} micro-USD per minute of video (this 2-core x64 machine, not Lambda: a one-off estimate)`,
          'contact sheets are written to .marquee/bench/smart-crop/ (git-ignored): one frame per second, the window in yellow',
        ],
      },
    ];
  } finally {
    await rig.close();
  }
}

/** PSNR (dB, luma+chroma average) of `file` against `reference`, same size, from ffmpeg's psnr filter. */
async function psnrDb(file: string, reference: string): Promise<number> {
  const { stderr } = await run(resolveFfmpegPath(), [
    ...['-hide_banner', '-i', file, '-i', reference, '-lavfi', '[0:v][1:v]psnr', '-f', 'null', '-'],
  ]);
  const match = /average:(inf|[\d.]+)/.exec(stderr);
  if (!match) throw new Error(`no PSNR for ${file}`);
  return match[1] === 'inf' ? Number.POSITIVE_INFINITY : Number(match[1]);
}

/** Mean luma over all frames, 8-bit code values, from signalstats. */
async function meanLumaOf(file: string): Promise<number> {
  const { stderr } = await run(
    resolveFfmpegPath(),
    ['-hide_banner', '-i', file, '-vf', 'signalstats,metadata=mode=print', '-f', 'null', '-'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const values = [...stderr.matchAll(/YAVG=([\d.]+)/g)].map((m) => Number(m[1]));
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** The known degradations: ffmpeg filters applied to the shared clip. */
const DEGRADATIONS: { name: string; filter?: string }[] = [
  { name: 'original' },
  { name: 'darker (luma x0.45)', filter: 'lutyuv=y=val*0.45' },
  { name: 'washed out (contrast 0.4, +12% brightness)', filter: 'eq=contrast=0.4:brightness=0.12' },
  { name: 'colour cast (Cb -30, Cr +24)', filter: 'lutyuv=u=val-30:v=val+24' },
];

/** Smart colour on degraded copies of a shared clip: distance to the original before and after. */
export async function benchSmartColour(): Promise<BenchSection[]> {
  const original = requireData(path.join(videoDir, COLOUR_CLIP));
  const analyzer = new FfmpegVideoAnalyzer(resolveFfmpegPath());
  const rig = await startRig();
  try {
    const transcoded = async (name: string, file: string, colour?: ColourCorrection) => {
      const uri = await rig.put(`colour/${name}.mp4`, file);
      const plan: LadderPlan = planLadder(await rig.probe(uri), LADDER);
      const tag = `${name}-${colour ? 'on' : 'off'}`;
      return (
        await rig.transcode({
          assetId: tag,
          inputUri: uri,
          outputPrefix: `s3://bench-media/${tag}/`,
          plan,
          colour,
        })
      ).mp4;
    };
    const reference = await transcoded('reference', original);
    const referenceLuma = await meanLumaOf(reference);
    const rows = [];
    for (const [index, degradation] of DEGRADATIONS.entries()) {
      const name = `clip-${index}`;
      const file = path.join(rig.dir, `${name}.mp4`);
      await run(resolveFfmpegPath(), [
        ...['-v', 'error', '-y', '-i', original, '-an'],
        ...(degradation.filter ? ['-vf', degradation.filter] : []),
        ...['-c:v', 'libx264', '-crf', '12', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', file],
      ]);
      const start = performance.now();
      const decision = decideColourCorrection(await analyzer.measureExposure(file, 10));
      const analysisMs = performance.now() - start;
      const before = await transcoded(name, file);
      const after = decision.correction ? await transcoded(name, file, decision.correction) : before;
      const [psnrBefore, psnrAfter] = [await psnrDb(before, reference), await psnrDb(after, reference)];
      const [lumaBefore, lumaAfter] = [await meanLumaOf(before), await meanLumaOf(after)];
      const c = decision.correction;
      rows.push({
        clip: degradation.name,
        findings: decision.findings.join(', ') || 'none',
        correction: c
          ? `B${c.brightness} C${c.contrast} S${c.saturation} H${c.hue}`
          : 'none (no corrector block)',
        'PSNR before dB': psnrBefore.toFixed(2),
        'PSNR after dB': psnrAfter.toFixed(2),
        'mean-luma distance before': Math.abs(lumaBefore - referenceLuma).toFixed(1),
        'mean-luma distance after': Math.abs(lumaAfter - referenceLuma).toFixed(1),
        'analysis ms': analysisMs.toFixed(0),
      });
    }
    return [
      {
        title: `Smart colour on degraded copies of ${COLOUR_CLIP} (local endpoint, MP4 download rendition)`,
        rows,
        notes: [
          "before = the degraded clip through the pipeline with smart colour off; after = with it on; both against the original's own rendition from the same ladder (same size and encoder)",
          'the degraded copies are re-encoded at CRF 12; the original row runs the untouched file, so "no change" means no corrector block and identical settings',
          'analysis = 12 frames sampled across the clip (ffmpeg seek + signalstats), local file',
        ],
      },
    ];
  } finally {
    await rig.close();
  }
}

/**
 * Video benchmarks: the local pipeline (S3 in, Probe, CreateJob over HTTP, one ffmpeg command, HLS
 * finishing, S3 out, events) against plain ffmpeg producing the same ladder from a local file with the
 * same encoder arguments, in the same run; the realtime factor; and the renditionQuality function's
 * measurement (VMAF v0.6.1 with PSNR/SSIM, through its ffmpeg adapter reading S3 over presigned URLs)
 * on its bounded sample against the whole clip, in the same run, with the Lambda cost both imply.
 * Run alone: `npx tsx bench/media.ts` (about 8 minutes on 2 cores).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type MediaConvertClient, ProbeCommand } from '@aws-sdk/client-mediaconvert';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { FfmpegQualityMeter } from '#adapters/media/ffmpeg-quality-meter.ts';
import { outputsFromGroups, type OutputGroupDetail } from '#adapters/media/mediaconvert-job-events.ts';
import { toSourceProbe } from '#adapters/media/mediaconvert-probe.ts';
import { toJobSettings } from '#adapters/media/mediaconvert-job-settings.ts';
import { defaultLadderConfig, type LadderConfig, planLadder } from '#domain/media/ladder.ts';
import type { SourceProbe } from '#domain/media/probe.ts';
import { planVmafSample, type VmafSample } from '#domain/media/vmaf-sample.ts';
import { resolveFfmpegPath, resolveFfprobePath } from '#local/mediaconvert/binaries.ts';
import { buildFfmpegCommand } from '#local/mediaconvert/ffmpeg-command.ts';
import { ffprobe } from '#local/mediaconvert/ffprobe.ts';
import type { JobStateChangeEvent } from '#local/mediaconvert/job-events.ts';
import { sourceFacts } from '#local/mediaconvert/source-facts.ts';
import { planTimeline } from '#local/mediaconvert/timeline.ts';
import { PresetCatalog } from '#local/mediaconvert/presets.ts';
import { readJobSettings } from '#local/mediaconvert/settings/read-job.ts';
import { functions, settings } from '#platform/declaration.ts';
import { BENCH_BUCKETS, startLocalMediaRig } from './local-media-rig.ts';
import type { BenchSection } from './report.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const videoDir = path.join(
  process.env.MARQUEE_SHARED_DATA ?? path.resolve(repoRoot, '..', 'shared', 'data'),
  'video',
);
const CLIP = 'big_buck_bunny_0_30.webm';
/** 720p source: a four-rung ladder (720/540/360/240), the MP4, thumbnails and the poster. */
const LADDER: LadderConfig = {
  ...defaultLadderConfig,
  rungs: defaultLadderConfig.rungs.filter((r) => r.shortSide <= 720),
};
/** Interleaved rounds; the ratio uses each side's fastest run, the least disturbed by other load. */
const ROUNDS = Number(process.env.BENCH_MEDIA_ROUNDS ?? 3);

function runFfmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(resolveFfmpegPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(stderr.slice(-500)))));
  });
}

const seconds = (ms: number) => Math.round(ms / 10) / 100;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

type JobRun = { ms: number; final: JobStateChangeEvent };

interface Rig {
  dir: string;
  source: string;
  inputUri: string;
  /** The local endpoint (its own PSNR/SSIM extension off: the platform does not read it). */
  mediaConvert: MediaConvertClient;
  /** Submits a job for `assetId` and waits for its final event. */
  runJob(assetId: string, request: (assetId: string) => object): Promise<JobRun>;
  close(): Promise<void>;
}

/** s3rver with the clip uploaded, and the local endpoint; the SDK's S3 client pointed at s3rver. */
async function startRig(source: string): Promise<Rig> {
  const rig = await startLocalMediaRig('marquee-bench-media-');
  await rig.s3.send(
    new PutObjectCommand({ Bucket: BENCH_BUCKETS.uploads, Key: `in/${CLIP}`, Body: await readFile(source) }),
  );
  // The quality adapter uses the functions' S3 client, which honours these as in the local platform.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: rig.s3Endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
  return {
    dir: rig.dir,
    source,
    inputUri: `s3://${BENCH_BUCKETS.uploads}/in/${CLIP}`,
    mediaConvert: rig.mediaConvert,
    runJob: (assetId, request) => rig.runJob(request(assetId)),
    close: () => rig.close(),
  };
}

/** Plain ffmpeg with the arguments the endpoint would run, on a local copy: no S3, events or HLS finishing. */
async function plainFfmpegRunner(rig: Rig, settings: object) {
  const spec = readJobSettings(lowerCamel(settings).settings, new PresetCatalog());
  const facts = sourceFacts(await ffprobe(resolveFfprobePath(), rig.source), spec.inputs[0].rotate)!;
  return async (round: number) => {
    const outDir = path.join(rig.dir, `plain-${round}`);
    const command = buildFfmpegCommand(spec, planTimeline(spec, [rig.source], [facts]), outDir, {
      preset: 'veryfast',
    });
    for (const planned of command.outputs)
      await mkdir(path.dirname(path.join(outDir, planned.bucket, planned.keyStem)), { recursive: true });
    const start = performance.now();
    await runFfmpeg(command.args.filter((arg, i, all) => arg !== '-progress' && all[i - 1] !== '-progress'));
    return performance.now() - start;
  };
}

const realtime = (durationSec: number, ms: number) => Math.round((durationSec / (ms / 1000)) * 100) / 100;

/** A timing row: fastest, median, every run and the realtime factor of the fastest. */
function timingRow(run: string, ms: number[], durationSec: number) {
  return {
    run,
    'fastest s': seconds(Math.min(...ms)),
    'median s': seconds(median(ms)),
    'runs s': ms.map(seconds).join(' / '),
    'realtime x': realtime(durationSec, Math.min(...ms)),
  };
}

/**
 * AWS Lambda duration price, arm64 (the functions' architecture), US East (N. Virginia), first 7.5
 * billion GB-s a month: USD per GB-s, as AWS's Lambda pricing page lists it (read 2026-12-06).
 */
const LAMBDA_ARM64_USD_PER_GB_S = 0.0000133334;
const QUALITY_FUNCTION_GB = functions.renditionQuality.memoryMb / 1024;

interface QualityTiming {
  output: string;
  resolution: string;
  sampledMs: number;
  wholeMs: number;
  sampled: Awaited<ReturnType<FfmpegQualityMeter['measure']>>;
  whole: Awaited<ReturnType<FfmpegQualityMeter['measure']>>;
}

/** Each rendition of a finished job measured as renditionQuality does (its sample) and on the whole clip, interleaved. */
async function measureRenditions(
  rig: Rig,
  final: JobStateChangeEvent,
  source: SourceProbe,
  vmafModel: string,
): Promise<{ timings: QualityTiming[]; sample: VmafSample }> {
  const outputs = outputsFromGroups(final.detail.outputGroupDetails as OutputGroupDetail[]);
  const meter = new FfmpegQualityMeter(resolveFfmpegPath(), vmafModel);
  const sample = planVmafSample(source.durationSec, settings.MEDIA_VMAF_SAMPLE_SEC.default);
  const whole = planVmafSample(source.durationSec, source.durationSec);
  const request = (renditionUri: string, windows: VmafSample['windows']) => ({
    sourceUri: rig.inputUri,
    renditionUri,
    displayWidth: source.video!.displayWidth,
    displayHeight: source.video!.displayHeight,
    windows,
  });
  const timings: QualityTiming[] = [];
  for (const rendition of [...outputs.renditions, ...(outputs.download ? [outputs.download] : [])]) {
    const timed = async (windows: VmafSample['windows']) => {
      const start = performance.now();
      const scores = await meter.measure(request(rendition.uri, windows));
      return { ms: performance.now() - start, scores };
    };
    const sampled = await timed(sample.windows);
    const all = await timed(whole.windows);
    timings.push({
      output: path.posix.basename(rendition.uri),
      resolution: `${rendition.width}x${rendition.height}`,
      sampledMs: sampled.ms,
      wholeMs: all.ms,
      sampled: sampled.scores,
      whole: all.scores,
    });
  }
  return { timings, sample };
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** What the sampled measurement costs per minute of video against the whole clip, in seconds and in Lambda dollars. */
function qualityCostSection(timings: QualityTiming[], sample: VmafSample, durationSec: number): BenchSection {
  const minutes = durationSec / 60;
  const costRow = (run: string, ms: number[]) => {
    const ladderSec = ms.reduce((sum, v) => sum + v, 0) / 1000;
    return {
      run,
      'median s per rendition': seconds(median(ms)),
      'ladder s': round2(ladderSec),
      'ladder s per minute of video': round2(ladderSec / minutes),
      'Lambda USD per minute of video': (
        (ladderSec / minutes) *
        QUALITY_FUNCTION_GB *
        LAMBDA_ARM64_USD_PER_GB_S
      ).toFixed(5),
    };
  };
  const sampled = timings.map((t) => t.sampledMs);
  const whole = timings.map((t) => t.wholeMs);
  return {
    title: `VMAF + PSNR + SSIM cost, renditionQuality's path (${CLIP}, ${timings.length} renditions, one libvmaf run each)`,
    rows: [
      costRow(`sample: ${sample.description}`, sampled),
      costRow(`whole clip (${durationSec.toFixed(1)} s), baseline`, whole),
    ],
    notes: [
      `sampled / whole ladder time in the same run: ${(sampled.reduce((a, b) => a + b, 0) / whole.reduce((a, b) => a + b, 0)).toFixed(3)}`,
      `the sample measures at most ${settings.MEDIA_VMAF_SAMPLE_SEC.default} s per rendition whatever the length (MEDIA_VMAF_SAMPLE_SEC): its cost per video is fixed, so per minute it falls as 1/length (a 10-minute video: 1/20 of this clip's figure); the whole clip's grows with the length`,
      `Lambda cost = ladder seconds x ${functions.renditionQuality.memoryMb} MB (1 vCPU) x USD ${LAMBDA_ARM64_USD_PER_GB_S} per GB-s (arm64, us-east-1, AWS Lambda pricing, read 2026-12-06); times measured here on x86 cores shared with other work, not on Graviton`,
      'both sides read source and rendition from s3rver over presigned URLs, as the function does from S3',
    ],
  };
}

/** Local pipeline vs plain ffmpeg on the same ladder, the realtime factor, quality per rendition and its cost. */
export async function benchMedia(): Promise<BenchSection[]> {
  const source = path.join(videoDir, CLIP);
  const vmafModel = path.join(videoDir, '..', 'vmaf', 'vmaf_v0.6.1.pkl');
  // A benchmark without its data measures nothing: fail loudly rather than report an empty table.
  for (const needed of [source, vmafModel]) {
    if (!existsSync(needed)) throw new Error(`the media benchmark needs ${needed} (set MARQUEE_SHARED_DATA)`);
  }
  const rig = await startRig(source);
  try {
    const probeStart = performance.now();
    const probed = await rig.mediaConvert.send(new ProbeCommand({ InputFiles: [{ FileUrl: rig.inputUri }] }));
    const probeMs = performance.now() - probeStart;
    const sourceProbe = toSourceProbe(probed.ProbeResults![0]);
    const plan = planLadder(sourceProbe, LADDER);
    const request = (assetId: string) =>
      toJobSettings(
        { assetId, inputUri: rig.inputUri, outputPrefix: `s3://bench-media/${assetId}/`, plan },
        { queueArn: 'Default', roleArn: 'arn:aws:iam::000000000000:role/bench' },
      );
    const plainFfmpeg = await plainFfmpegRunner(rig, request('plain'));
    const ffmpegMs: number[] = [];
    const pipelineMs: number[] = [];
    // Within one job run, under the same load: its whole wall time over its own ffmpeg step.
    const inRunRatios: number[] = [];
    let phases: Record<string, number> = {};
    let lastJob: JobRun | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      ffmpegMs.push(await plainFfmpeg(round));
      const job = await rig.runJob(`bench-${round}`, request);
      lastJob = job;
      pipelineMs.push(job.ms);
      phases = job.final.detail.localPhasesMs as Record<string, number>;
      inRunRatios.push(job.ms / phases.transcode);
    }
    // Quality after the pipeline rounds, on the last job's outputs, as renditionQuality measures them.
    const duration = sourceProbe.durationSec;
    const { timings, sample } = await measureRenditions(rig, lastJob!.final, sourceProbe, vmafModel);
    return [
      {
        title: `Video pipeline vs plain ffmpeg (${CLIP}, ${duration.toFixed(1)} s ${sourceProbe.video!.displayWidth}x${sourceProbe.video!.displayHeight}, ${plan.renditions.length} HLS rungs + MP4 + thumbnails + poster)`,
        rows: [
          timingRow('plain ffmpeg, same arguments, local file', ffmpegMs, duration),
          timingRow('local pipeline: CreateJob -> COMPLETE event', pipelineMs, duration),
        ],
        notes: [
          `pipeline / ffmpeg wall-time ratio, fastest runs: ${(Math.min(...pipelineMs) / Math.min(...ffmpegMs)).toFixed(3)} (target <= 1.15); of medians: ${(median(pipelineMs) / median(ffmpegMs)).toFixed(3)}`,
          `same-run ratio (job wall time / its own ffmpeg step, robust to other load): ${inRunRatios.map((r) => r.toFixed(3)).join(' / ')}`,
          `last job's steps, ms: ${Object.entries(phases)
            .map(([name, ms]) => `${name} ${ms}`)
            .join(', ')}`,
          `Probe API call (download + ffprobe): ${seconds(probeMs)} s, not included above`,
          'realtime x = source seconds per wall second of the fastest run; x264/x265 preset veryfast; 2-core machine shared with other work',
          'quality is measured after the job by its own function (renditionQuality), below',
        ],
      },
      qualityCostSection(timings, sample, duration),
      {
        title:
          'Per-rendition quality against the source (libvmaf v0.6.1 at the source size, luma PSNR/SSIM in the same pass)',
        rows: timings.map((t) => ({
          output: t.output,
          resolution: t.resolution,
          'VMAF sampled': round2(t.sampled.vmaf),
          'VMAF whole': round2(t.whole.vmaf),
          'PSNR dB sampled': round2(t.sampled.psnrDb),
          'PSNR dB whole': round2(t.whole.psnrDb),
          'SSIM sampled': Math.round(t.sampled.ssim * 10000) / 10000,
          'frames sampled / whole': `${t.sampled.frames} / ${t.whole.frames}`,
        })),
      },
    ];
  } finally {
    await rig.close();
  }
}

/** The SDK's PascalCase request as the wire's lowerCamelCase (map keys such as userMetadata kept). */
function lowerCamel(value: unknown, keepKeys = false): any {
  if (Array.isArray(value)) return value.map((v) => lowerCamel(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, member]) => {
        const name = keepKeys ? key : key[0].toLowerCase() + key.slice(1);
        const isMap = ['UserMetadata', 'AudioSelectors', 'Tags'].includes(key);
        return [
          name,
          isMap
            ? Object.fromEntries(Object.entries(member as object).map(([k, v]) => [k, lowerCamel(v)]))
            : lowerCamel(member),
        ];
      }),
    );
  }
  return value;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const section of await benchMedia()) {
    console.log(`\n## ${section.title}`);
    console.table(section.rows);
    for (const note of section.notes ?? []) console.log(`- ${note}`);
  }
}

/**
 * Video benchmarks: the local pipeline (S3 in, Probe, CreateJob over HTTP, one ffmpeg command, HLS
 * finishing, S3 out, events) against plain ffmpeg producing the same ladder from a local file with the
 * same encoder arguments, in the same run; the realtime factor; per-rendition PSNR/SSIM/VMAF; and what
 * VMAF costs per minute of video against PSNR/SSIM measured in the same jobs.
 * Run alone: `npx tsx bench/media.ts` (about 8 minutes on 2 cores).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateJobCommand, MediaConvertClient, ProbeCommand } from '@aws-sdk/client-mediaconvert';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { toSourceProbe } from '#adapters/media/mediaconvert-probe.ts';
import { toJobSettings } from '#adapters/media/mediaconvert-job-settings.ts';
import { defaultLadderConfig, type LadderConfig, planLadder } from '#domain/media/ladder.ts';
import { startS3 } from '#local/emulators/s3.ts';
import { resolveFfmpegPath, resolveFfprobePath } from '#local/mediaconvert/binaries.ts';
import { buildFfmpegCommand } from '#local/mediaconvert/ffmpeg-command.ts';
import { ffprobe } from '#local/mediaconvert/ffprobe.ts';
import type { JobStateChangeEvent } from '#local/mediaconvert/job-events.ts';
import { sourceFacts } from '#local/mediaconvert/source-facts.ts';
import { planTimeline } from '#local/mediaconvert/timeline.ts';
import { startMediaConvertServer } from '#local/mediaconvert/server.ts';
import { localS3Client } from '#local/mediaconvert/storage.ts';
import { PresetCatalog } from '#local/mediaconvert/presets.ts';
import { readJobSettings } from '#local/mediaconvert/settings/read-job.ts';
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
  /** Endpoints without and with quality measurement, and their clients. */
  plain: MediaConvertClient;
  withQuality: MediaConvertClient;
  /** Submits a job for `assetId` through `client` and waits for its final event. */
  runJob(client: MediaConvertClient, assetId: string, request: (assetId: string) => object): Promise<JobRun>;
  close(): Promise<void>;
}

/** s3rver with the clip uploaded, and two local endpoints (plain, and measuring PSNR/SSIM/VMAF). */
async function startRig(source: string, vmafModel: string): Promise<Rig> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-bench-media-'));
  const s3 = await startS3({ port: 0, dir: path.join(dir, 's3'), onRecord: () => {} });
  const s3Client = localS3Client(s3.endpoint);
  for (const bucket of ['bench-uploads', 'bench-media'])
    await s3Client.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3Client.send(
    new PutObjectCommand({ Bucket: 'bench-uploads', Key: `in/${CLIP}`, Body: await readFile(source) }),
  );
  const waiters = new Map<string, (event: JobStateChangeEvent) => void>();
  const startServer = (measureQuality: boolean) =>
    startMediaConvertServer({
      s3: s3.endpoint,
      workDir: path.join(dir, measureQuality ? 'work-q' : 'work'),
      measureQuality,
      publish: async (event) => {
        if (['COMPLETE', 'ERROR'].includes(String(event.detail.status)))
          waiters.get(String(event.detail.jobId))?.(event);
      },
    });
  const servers = [await startServer(false), await startServer(true)];
  const [plain, withQuality] = servers.map(
    (server) =>
      new MediaConvertClient({
        endpoint: server.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
      }),
  );
  return {
    dir,
    source,
    inputUri: `s3://bench-uploads/in/${CLIP}`,
    plain,
    withQuality,
    async runJob(client, assetId, request) {
      const start = performance.now();
      const { Job } = await client.send(new CreateJobCommand(request(assetId) as never));
      const final = await new Promise<JobStateChangeEvent>((resolve) => waiters.set(Job!.Id!, resolve));
      if (final.detail.status !== 'COMPLETE')
        throw new Error(`bench job failed: ${JSON.stringify(final.detail)}`);
      return { ms: performance.now() - start, final };
    },
    async close() {
      plain.destroy();
      withQuality.destroy();
      for (const server of servers) await server.close();
      s3Client.destroy();
      await s3.stop();
      await rm(dir, { recursive: true, force: true });
    },
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

/** Per output of a quality job: size, average bit rate, PSNR, SSIM, VMAF. */
function qualityRowsOf(run: JobRun) {
  const groups =
    (run.final.detail.outputGroupDetails as {
      outputDetails: { videoDetails?: Record<string, number>; outputFilePaths: string[] }[];
    }[]) ?? [];
  return groups.flatMap((group) =>
    group.outputDetails
      .filter((d) => d.videoDetails?.psnrDb !== undefined)
      .map((d) => ({
        output: path.posix.basename(d.outputFilePaths[0]),
        resolution: `${d.videoDetails!.widthInPx}x${d.videoDetails!.heightInPx}`,
        'average kb/s': Math.round((d.videoDetails!.averageBitrate ?? 0) / 1000),
        'PSNR dB': d.videoDetails!.psnrDb,
        SSIM: d.videoDetails!.ssim,
        VMAF: d.videoDetails!.vmaf,
      })),
  );
}

/** What PSNR/SSIM (the baseline) and VMAF cost, as steps of the same quality jobs. */
function qualityCostSection(runs: JobRun[], durationSec: number, measuredOutputs: number): BenchSection {
  const note = runs.at(-1)!.final.detail.localQuality as { vmafModel?: string; vmafSample?: string };
  if (!note?.vmafModel) throw new Error(`VMAF was not measured: ${JSON.stringify(note)}`);
  const stepMs = (name: string) =>
    runs.map((run) => (run.final.detail.localPhasesMs as Record<string, number>)[name]);
  const minutes = durationSec / 60;
  const costRow = (run: string, ms: number[]) => ({
    run,
    'median s per job': seconds(median(ms)),
    'runs s': ms.map(seconds).join(' / '),
    's per minute of video': Math.round(median(ms) / 1000 / minutes),
    's per output per minute of video': Math.round(median(ms) / 1000 / minutes / measuredOutputs),
  });
  const psnrSsim = stepMs('quality');
  const vmaf = stepMs('vmaf');
  return {
    title: `Quality measurement cost (${CLIP}, ${measuredOutputs} outputs measured per job)`,
    rows: [
      costRow("PSNR + SSIM at each rendition's size (baseline)", psnrSsim),
      costRow(`VMAF v0.6.1 at the source's size, sample: ${note.vmafSample}`, vmaf),
    ],
    notes: [
      `VMAF / PSNR+SSIM cost, medians of the same jobs: ${(median(vmaf) / median(psnrSsim)).toFixed(1)}x`,
      'each figure is one step of the same job (CreateJob with quality measurement), timed by the endpoint; one libvmaf run per output, sequential',
      'VMAF is computed on a bounded sample (the whole video up to 10 s, else five 2 s windows), so its cost per minute falls for longer videos; PSNR/SSIM read the whole video',
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
  const rig = await startRig(source, vmafModel);
  try {
    const probeStart = performance.now();
    const probed = await rig.plain.send(new ProbeCommand({ InputFiles: [{ FileUrl: rig.inputUri }] }));
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
    for (let round = 0; round < ROUNDS; round++) {
      ffmpegMs.push(await plainFfmpeg(round));
      const job = await rig.runJob(rig.plain, `bench-${round}`, request);
      pipelineMs.push(job.ms);
      phases = job.final.detail.localPhasesMs as Record<string, number>;
      inRunRatios.push(job.ms / phases.transcode);
    }
    // Quality in separate jobs after the pipeline rounds: PSNR/SSIM (the baseline) and VMAF are
    // steps of the same jobs.
    const qualityRuns: JobRun[] = [];
    for (let round = 0; round < ROUNDS; round++)
      qualityRuns.push(await rig.runJob(rig.withQuality, `bench-quality-${round}`, request));
    const duration = sourceProbe.durationSec;
    const qualityRows = qualityRowsOf(qualityRuns.at(-1)!);
    return [
      {
        title: `Video pipeline vs plain ffmpeg (${CLIP}, ${duration.toFixed(1)} s ${sourceProbe.video!.displayWidth}x${sourceProbe.video!.displayHeight}, ${plan.renditions.length} HLS rungs + MP4 + thumbnails + poster)`,
        rows: [
          timingRow('plain ffmpeg, same arguments, local file', ffmpegMs, duration),
          timingRow('local pipeline: CreateJob -> COMPLETE event', pipelineMs, duration),
          timingRow(
            'local pipeline with PSNR/SSIM and VMAF measurement',
            qualityRuns.map((r) => r.ms),
            duration,
          ),
        ],
        notes: [
          `pipeline / ffmpeg wall-time ratio, fastest runs: ${(Math.min(...pipelineMs) / Math.min(...ffmpegMs)).toFixed(3)} (target <= 1.15); of medians: ${(median(pipelineMs) / median(ffmpegMs)).toFixed(3)}`,
          `same-run ratio (job wall time / its own ffmpeg step, robust to other load): ${inRunRatios.map((r) => r.toFixed(3)).join(' / ')}`,
          `last job's steps, ms: ${Object.entries(phases)
            .map(([name, ms]) => `${name} ${ms}`)
            .join(', ')}`,
          `Probe API call (download + ffprobe): ${seconds(probeMs)} s, not included above`,
          'realtime x = source seconds per wall second of the fastest run; x264/x265 preset veryfast; 2-core machine shared with other work',
          'the pipeline ratio excludes quality measurement; its own row shows what PSNR/SSIM and VMAF add',
        ],
      },
      qualityCostSection(qualityRuns, duration, qualityRows.length),
      {
        title: 'Per-rendition quality against the source (ffmpeg psnr/ssim filters, libvmaf)',
        rows: qualityRows,
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

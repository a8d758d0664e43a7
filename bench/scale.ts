/**
 * `npm run bench -- scale`: the distributed retrain measured on this machine, then costed for AWS.
 *
 * For each size it generates a seeded skewed event log (bench/skewed-event-log.ts), runs the real
 * Snapshot task over it (which writes the run's user and item shard files through the artifact port,
 * here a directory), then every per-shard task (partial Gram, profile features, ALS user and item
 * half-steps) and the reduces, each in a fresh child process (bench/scale-child.ts) whose peak RSS
 * is that task's own. Tasks run one after another, so per-task times are not inflated by each other.
 * Above `--full-up-to` events only `--subset-shards` shards of the first Maps run (the ALS item step
 * and the reduce need every user shard, so they are not run there). From the measured medians,
 * bench/scale-cost.ts computes the wall time and cost in AWS for 10M, 100M and 1B events.
 * The dense EASE solve is measured on its own at `--dense-items` modelled items.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DEFAULT_INTERACTIONS_PER_ITEM_SHARD } from '#domain/recommendations/distributed-tasks.ts';
import { DEFAULT_EASE_OPTIONS } from '#domain/recommendations/ease.ts';
import { UsageError } from '#local/command-line.ts';
import type { BenchSection } from './report.ts';
import type { ChildTask } from './scale-child.ts';
import {
  AS_BUILT,
  DEFAULT_COST_ASSUMPTIONS,
  estimateRun,
  fitLine,
  PRICE_SOURCES,
  type TaskKind,
  type TaskModel,
} from './scale-cost.ts';
import { DEFAULT_LOG_SHAPE, type EventLogShape } from './skewed-event-log.ts';
import { median, percentile } from './stats.ts';

const execFileAsync = promisify(execFile);
const CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));

export interface ScaleOptions {
  /** Event-log sizes (events). */
  sizes: number[];
  /** Sizes up to this run every shard; larger ones a subset. */
  fullUpTo: number;
  /** Shards per Map run above `fullUpTo`. */
  subsetShards: number;
  /** ALS iterations run here (production runs DEFAULT_ALS_OPTIONS.iterations; costs scale to it). */
  alsIterations: number;
  /** Modelled-item counts the dense EASE solve is measured at. */
  denseItems: number[];
  /** Interactions per user shard (RETRAIN_INTERACTIONS_PER_SHARD's default). */
  interactionsPerShard: number;
  /** Interactions per item shard (the Snapshot's default, DEFAULT_INTERACTIONS_PER_ITEM_SHARD). */
  interactionsPerItemShard: number;
  /** Users whose features train the profile models at the reduce (expected sample size). */
  profileSampleSize: number;
}

/** One child task's figures: ms, peak RSS (MB) and task-specific counts. */
type ChildFigures = { ms: number; peakRssMb: number } & Record<string, number>;

async function runChild(task: ChildTask): Promise<ChildFigures> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--max-old-space-size=14000', '--import', 'tsx', CHILD, JSON.stringify(task)],
    { maxBuffer: 16 * 2 ** 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ChildFigures;
}

/** Samples of one task kind at one size (a kind's first ALS iteration reads less, so it is apart). */
type Samples = Map<string, ChildFigures[]>;

interface SizeRun {
  /** Events asked for (the label); `events` is what the generator produced. */
  requested: number;
  events: number;
  users: number;
  interactions: number;
  shards: number;
  itemShards: number;
  full: boolean;
  samples: Samples;
  /** Bench wall time for this size, including child start-up (s). */
  wallSeconds: number;
}

const label = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

/** Evenly spread shard indices: all of them, or `count` of them. */
function pickShards(total: number, count: number): number[] {
  if (count >= total) return Array.from({ length: total }, (_, s) => s);
  return Array.from({ length: count }, (_, k) => Math.floor((k * total) / count));
}

/** Runs `task` for each shard of `list`, recording the figures under `kind`. */
type Phase = (kind: string, list: number[], task: (shard: number) => ChildTask) => Promise<void>;

/**
 * The ALS Maps, iteration after iteration: the user half-step over `users`, then the item half-step
 * over `items` (none: the item step is skipped, as on a subset, where it lacks user shards).
 */
async function runAlsHalfSteps(
  phase: Phase,
  run: { dir: string; runId: string; users: number[]; items: number[] },
  iterations: number,
): Promise<void> {
  const { dir, runId } = run;
  for (let iteration = 0; iteration < iterations; iteration++) {
    const suffix = iteration === 0 ? ' (first iteration)' : '';
    await phase(`alsUsers${suffix}`, run.users, (shard) => ({
      task: 'alsUsers',
      dir,
      runId,
      shard,
      iteration,
    }));
    if (run.items.length > 0)
      await phase(`alsItems${suffix}`, run.items, (shard) => ({
        task: 'alsItems',
        dir,
        runId,
        shard,
        iteration,
      }));
  }
}

/** Runs every task of one size's retrain, one child at a time, and collects their figures. */
async function runSize(events: number, o: ScaleOptions, root: string): Promise<SizeRun> {
  const started = performance.now();
  const dir = path.join(root, label(events));
  const runId = `scale-${label(events)}`;
  const shape: EventLogShape = { ...DEFAULT_LOG_SHAPE, events };
  const samples: Samples = new Map();
  const record = (kind: string, figures: ChildFigures) => {
    samples.set(kind, [...(samples.get(kind) ?? []), figures]);
    return figures;
  };
  const snap = record(
    'snapshot',
    await runChild({
      task: 'snapshot',
      dir,
      runId,
      shape,
      interactionsPerShard: o.interactionsPerShard,
      interactionsPerItemShard: o.interactionsPerItemShard,
      alsIterations: o.alsIterations,
    }),
  );
  const shards = snap.userShards;
  const full = events <= o.fullUpTo;
  const picked = pickShards(shards, full ? shards : o.subsetShards);
  // Item shards are counted from all interactions, user shards from the positive ones: they may differ.
  const pickedItems = pickShards(snap.itemShards, full ? snap.itemShards : o.subsetShards);
  const phase: Phase = async (kind, list, task) => {
    for (const shard of list) record(kind, await runChild(task(shard)));
    console.log(`scale ${label(events)}: ${kind} ${list.length} shards`);
  };
  await phase('gram', picked, (shard) => ({ task: 'gram', dir, runId, shard }));
  await phase('profiles', picked, (shard) => ({
    task: 'profiles',
    dir,
    runId,
    shard,
    userShards: shards,
    shape,
    sampleSize: o.profileSampleSize,
  }));
  await runAlsHalfSteps(
    phase,
    { dir, runId, users: picked, items: full ? pickedItems : [] },
    full ? o.alsIterations : 1,
  );
  if (full) {
    record('reduce', await runChild({ task: 'reduce', dir, runId }));
    record(
      'profilesReduce',
      await runChild({ task: 'profilesReduce', dir, runId, userShards: shards, shape }),
    );
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    requested: events,
    events: snap.events,
    users: snap.users,
    interactions: snap.interactions,
    shards,
    itemShards: snap.itemShards,
    full,
    samples,
    wallSeconds: (performance.now() - started) / 1000,
  };
}

const seconds = (ms: number) => Number((ms / 1000).toFixed(2));
/** Tasks that run alone, outside the Maps. */
const SERIAL_KINDS = ['snapshot', 'reduce', 'profilesReduce'];

function perTaskSection(runs: SizeRun[]): BenchSection {
  const rows = runs.flatMap((run) =>
    [...run.samples].map(([kind, figures]) => {
      const ms = figures.map((f) => f.ms);
      return {
        events: label(run.requested),
        task: kind,
        'tasks run': `${figures.length} of ${SERIAL_KINDS.includes(kind) ? 1 : kind.startsWith('alsItems') ? run.itemShards : run.shards}`,
        'median s': seconds(median(ms)),
        'p95 s': seconds(percentile(ms, 95)),
        'peak RSS MB (max)': Math.round(Math.max(...figures.map((f) => f.peakRssMb))),
      };
    }),
  );
  return {
    title: 'Distributed retrain on this machine: per task (measured)',
    rows,
    notes: [
      'Each task ran alone in a fresh Node process (one after another); time excludes imports, peak RSS is the process maxRSS (process.resourceUsage), so it includes Node itself (~60 MB) and, for the reduce, onnxruntime.',
      'Shard files go through the artifact port to a local directory (bench/directory-artifacts.ts), not through S3: S3 transfer time is not in these figures.',
      'The ALS tasks of the first iteration start from the seeded item factors and read no item files; later iterations read every item shard and its factors, so they are listed apart and the later ones feed the cost model.',
      'snapshot time is the Snapshot task alone; generating and aggregating the log (not a production step) is excluded.',
    ],
  };
}

function totalsSection(runs: SizeRun[], o: ScaleOptions): BenchSection {
  const rows = runs.map((run) => {
    const sum = (kinds: string[]) =>
      kinds.reduce((s, k) => s + (run.samples.get(k) ?? []).reduce((t, f) => t + f.ms, 0), 0);
    const inMaps = sum(
      [...run.samples.keys()].filter((k) => !['snapshot', 'reduce', 'profilesReduce'].includes(k)),
    );
    const serial = sum(['snapshot', 'reduce', 'profilesReduce']);
    return {
      events: label(run.requested),
      'events generated': run.events,
      users: run.users,
      interactions: run.interactions,
      'user shards': run.shards,
      'item shards': run.itemShards,
      'shards run': run.full
        ? 'all'
        : `${o.subsetShards} per Map (first ALS iteration only; no item step, no reduce)`,
      'task time total s': run.full ? seconds(inMaps + serial) : '',
      'in Maps s': run.full ? seconds(inMaps) : '',
      'parallel fraction': run.full ? Number((inMaps / (inMaps + serial)).toFixed(3)) : '',
      'bench wall s': Math.round(run.wallSeconds),
    };
  });
  return {
    title: `Distributed retrain on this machine: totals (measured, ${o.alsIterations} ALS iterations)`,
    rows,
    notes: [
      `Log shape: items Zipf s=${DEFAULT_LOG_SHAPE.itemZipfExponent} over ${DEFAULT_LOG_SHAPE.items.toLocaleString('en')} items (70% of a user's events within one of 12 genre groups), user activity Pareto alpha=${DEFAULT_LOG_SHAPE.userParetoAlpha} (mean ${DEFAULT_LOG_SHAPE.eventsPerUser} events, at most ${DEFAULT_LOG_SHAPE.maxEventsPerUser.toLocaleString('en')}), seed ${DEFAULT_LOG_SHAPE.seed}; ${o.interactionsPerShard.toLocaleString('en')} interactions per user shard, as many item shards as user shards.`,
      "task time total: the sum of every task run here, one at a time; parallel fraction: the share of it inside the Maps (the rest is Snapshot, Reduce and the profile reduce, which run alone). With production's 12 ALS iterations the Maps' share is larger.",
      "bench wall: includes each child's Node + tsx start-up (about 1 s per task here).",
    ],
  };
}

/** What a growing task would cost if it read nothing beyond its own shard (median s, peak MB). */
type Floor = { seconds: number; peakMb: number };

/**
 * A task kind's time and memory at any size, from the samples recorded under `key`. Flat (no
 * `floor`): the median and peak at the largest size measured. Growing: `floor` plus the measured
 * excess over it at the largest size measured, scaled in proportion to the interactions. A line
 * through all sizes is not used: on a shared 2-core VM a load spike at one small size would tilt it.
 */
function modelOf(runs: SizeRun[], key: string, floor?: Floor): TaskModel {
  const measured = runs
    .map((run) => ({ run, figures: run.samples.get(key) ?? [] }))
    .filter((m) => m.figures.length > 0);
  if (measured.length === 0) throw new Error(`scale: no '${key}' task was measured; run a full size`);
  const largest = measured.at(-1)!;
  const times = largest.figures.map((f) => f.ms);
  const p95OverMedian = percentile(times, 95) / median(times);
  const s = median(largest.figures.map((f) => f.ms)) / 1000;
  const mb = Math.max(...largest.figures.map((f) => f.peakRssMb));
  if (!floor) return { seconds: () => s, peakMb: () => mb, p95OverMedian };
  const scale = (n: number) => n / largest.run.interactions;
  return {
    seconds: (n) => floor.seconds + Math.max(0, s - floor.seconds) * scale(n),
    peakMb: (n) => floor.peakMb + Math.max(0, mb - floor.peakMb) * scale(n),
    p95OverMedian,
  };
}

/**
 * Time and memory per task kind as functions of the run's interactions. Tasks whose input is one
 * shard stay flat as data grows; tasks that read every shard's output (the ALS steps after the
 * first, the Reduce, the one-function Snapshot) grow. Their floor: the first ALS user step (one
 * shard's solve, no other shard read) for time, a Gram task (one shard in memory) for memory.
 * `readsFixed`: the ALS tasks as they would be if they read one gathered factor file (not built):
 * the first iteration, whose user step reads no item files, stands for them.
 */
function taskModels(runs: SizeRun[], readsFixed: boolean): Record<TaskKind, TaskModel> {
  const oneShard = modelOf(runs, 'alsUsers (first iteration)');
  const oneShardMb = modelOf(runs, 'gram').peakMb(0);
  const alsFloor = { seconds: oneShard.seconds(0), peakMb: oneShardMb };
  const firstItems = modelOf(runs, 'alsItems (first iteration)', alsFloor);
  return {
    snapshot: modelOf(runs, 'snapshot', { seconds: 0, peakMb: 0 }),
    gram: modelOf(runs, 'gram'),
    profiles: modelOf(runs, 'profiles'),
    alsUsers: readsFixed ? oneShard : modelOf(runs, 'alsUsers', alsFloor),
    alsItems: readsFixed ? firstItems : modelOf(runs, 'alsItems', alsFloor),
    // Not measured: costed as a first-iteration item task, which reads the same blocks and solves too.
    gather: firstItems,
    reduce: modelOf(runs, 'reduce', { seconds: 0, peakMb: oneShardMb }),
    profilesReduce: modelOf(runs, 'profilesReduce'),
  };
}

const SCENARIOS = [
  { name: 'as built', readsFixed: false, design: AS_BUILT },
  {
    name: 'sharded snapshot (not built)',
    readsFixed: false,
    design: { shardedSnapshot: true, gatheredFactors: false },
  },
  {
    name: 'sharded snapshot + gathered ALS factors (not built)',
    readsFixed: true,
    design: { shardedSnapshot: true, gatheredFactors: true },
  },
] as const;

function costSection(runs: SizeRun[], o: ScaleOptions): BenchSection {
  const largest = runs.at(-1)!;
  const interactionsPerEvent = largest.interactions / largest.events;
  const a = DEFAULT_COST_ASSUMPTIONS;
  const estimates = SCENARIOS.flatMap((scenario) => {
    const models = taskModels(runs, scenario.readsFixed);
    return [10e6, 100e6, 1e9].map((events) => ({
      scenario: scenario.name,
      e: estimateRun(events, interactionsPerEvent, o.interactionsPerShard, models, scenario.design, a),
    }));
  });
  const rows = estimates.map(({ scenario, e }) => ({
    design: scenario,
    events: label(e.events),
    'user shards': e.shards,
    'wall time min': Number((e.wallSeconds / 60).toFixed(1)),
    'Lambda GB-s': Math.round(e.lambdaGbSeconds),
    'Lambda requests': e.lambdaRequests,
    'Lambda $': e.costs.lambda.toFixed(2),
    'Step Functions $': e.costs.stepFunctions.toFixed(2),
    'S3 requests $': e.costs.s3.toFixed(2),
    'DynamoDB export $': e.costs.export.toFixed(2),
    'total $': e.costs.total.toFixed(2),
    'limits broken': e.breaks.join('; ') || 'none',
  }));
  const verdicts = estimates
    .filter(({ e }) => e.events === 100e6)
    .map(({ scenario, e }) => {
      const meets = e.wallSeconds < 3600 && e.costs.total < 5 && e.breaks.length === 0;
      return `${scenario}: ${meets ? 'met' : 'NOT met'} (${(e.wallSeconds / 60).toFixed(0)} min, $${e.costs.total.toFixed(2)}${e.breaks.length ? `; ${e.breaks.join('; ')}` : ''})`;
    });
  return {
    title: 'Distributed retrain in AWS: wall time and cost (computed from the measured per-task figures)',
    rows,
    notes: [
      `Goal, 100M events in under 1 hour for under $5, by the computed figures: ${verdicts.join(' / ')}.`,
      `Computed, not measured. Assumed: ${a.concurrency.toLocaleString('en')} child executions at once (the Lambda account default; Distributed Map allows 10,000); ${a.alsIterations} ALS iterations; ${a.eventBytes} bytes per event row in DynamoDB (the export bills table GB); ${a.waveOverheadSeconds} s per Map wave for child start and cold start; a Map wave lasts its p95 task (p95/median measured here); memory per function = max(${a.minMemoryMb} MB, peak RSS x ${a.memoryHeadroom}); one arm64 Lambda vCPU as fast as one core here (not measured); S3 transfer time not included.`,
      `Per-task time: Gram and profile tasks read one bounded shard, so their median at the largest measured size is used at every size; the Snapshot, later ALS half-steps (a user task reads every item shard's file to place the item factors; an item task every user shard's factors) and the Reduce (sums every partial Gram) grow with the data, so a line fitted through the full sizes (${runs
        .filter((r) => r.full)
        .map((r) => label(r.requested))
        .join(
          ', ',
        )}) is extrapolated. Interactions per event: ${interactionsPerEvent.toFixed(3)} (measured at ${label(largest.requested)}).`,
      'Designs not built, computed for comparison: "sharded snapshot" runs the Snapshot as a Map over the DynamoDB export, each task like the one-function Snapshot at one shard\'s size; "gathered ALS factors" adds one task per half-step that concatenates that side\'s factor blocks into one file, so every ALS task reads 3-4 objects instead of every shard\'s (S3 GETs grow as shards, not shards²); its ALS tasks take the first iteration\'s times (which read no item shard files), and each gather task is costed as one item task (not measured).',
      'The EASE inverse at the Reduce is over the 3,000 modelled items whatever the data size, so it does not shrink with shards (see the dense EASE table).',
      'DynamoDB export: its duration is not in the wall time (AWS publishes no rate); the cost is table GB x price.',
      ...PRICE_SOURCES.map((source) => `Price: ${source}`),
    ],
  };
}

async function denseEaseSection(o: ScaleOptions): Promise<BenchSection> {
  const measured: { items: number; figures: ChildFigures }[] = [];
  for (const items of o.denseItems) {
    measured.push({ items, figures: await runChild({ task: 'denseEase', items }) });
    console.log(`scale: dense EASE at ${items} items`);
  }
  // Matrices alive at once: the slope of the solve's peak RSS over one matrix's bytes, across sizes.
  const peakOf = (m: (typeof measured)[number]) => m.figures.solvePeakRssMb ?? m.figures.peakRssMb;
  const slope = fitLine(measured.map((m) => ({ x: m.items ** 2 * 4, y: peakOf(m) * 2 ** 20 })));
  const base = slope(0);
  const matrices = (slope(1e9) - base) / 1e9;
  const rows: BenchSection['rows'] = measured.map((m) => ({
    'modelled items': m.items.toLocaleString('en'),
    'one matrix MB (items² x 4 bytes)': Math.round((m.items ** 2 * 4) / 2 ** 20),
    'solve s': seconds(m.figures.ms),
    'solve peak RSS MB': Math.round(peakOf(m)),
    'EASE artifact MB': Number(m.figures.artifactMb.toFixed(1)),
  }));
  const maxItems = Math.floor(Math.sqrt((10_240 * 0.9 * 2 ** 20 - base) / (matrices * 4)));
  const largestMeasured = measured.at(-1)!;
  const solveAt = (n: number) => (largestMeasured.figures.ms / 1000) * (n / largestMeasured.items) ** 3;
  rows.push({
    'modelled items': `${maxItems.toLocaleString('en')} (extrapolated)`,
    'one matrix MB (items² x 4 bytes)': Math.round((maxItems ** 2 * 4) / 2 ** 20),
    'solve s': `~${Math.round(solveAt(maxItems))} (computed: items³ from the largest measured)`,
    'solve peak RSS MB': `~${Math.round(0.9 * 10_240)} (computed: 90% of 10 GB)`,
    'EASE artifact MB': `~${Math.round((maxItems ** 2 * 4) / 2 ** 20)} (computed)`,
  });
  return {
    title: 'Dense EASE solve: memory and time by modelled items (measured, then extrapolated)',
    rows,
    notes: [
      `Peak RSS grows by ${matrices.toFixed(1)} matrices of items² x 4 bytes (least-squares slope over the sizes measured; the Gram, onnxruntime's input and output and its factorisation work space), over a ${Math.round(base / 2 ** 20)} MB base.`,
      `So one 10 GB function holds the dense EASE up to about ${maxItems.toLocaleString('en')} modelled items (extrapolated; 10% kept for the rest of the Reduce); today's cap is ${DEFAULT_EASE_OPTIONS.maxItems.toLocaleString('en')} (EaseOptions.maxItems). Time grows as items³: at that size the solve alone is computed at ~${Math.round(solveAt(maxItems))} s on 2 onnxruntime threads here (a 10 GB Lambda has 6 vCPUs).`,
      'The solve runs onnxruntime on 2 threads here (invertSpd), with other sessions sharing the cores. Peak RSS is read right after the solve, before the artifact is encoded.',
      'EASE artifact: the serving ONNX file of that model (buildEaseGraph + encodeArtifact, catalog of the modelled items only), what the models layer would carry; the hybrid artifact carries the same weights again.',
    ],
  };
}

/** Runs the scale suite (see the module comment). */
export async function benchScale(o: ScaleOptions): Promise<BenchSection[]> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'marquee-scale-'));
  try {
    const runs: SizeRun[] = [];
    for (const events of o.sizes) runs.push(await runSize(events, o, root));
    return [perTaskSection(runs), totalsSection(runs, o), costSection(runs, o), await denseEaseSection(o)];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const DEFAULT_SCALE_OPTIONS: ScaleOptions = {
  sizes: [1e6, 5e6, 10e6],
  fullUpTo: 5e6,
  subsetShards: 8,
  alsIterations: 2,
  denseItems: [2000, 4000, 8000],
  interactionsPerShard: 200_000,
  interactionsPerItemShard: DEFAULT_INTERACTIONS_PER_ITEM_SHARD,
  profileSampleSize: 10_000,
};

/** Parses a list like `1M,5M,500k` (events or items). */
export function parseCounts(text: string): number[] {
  return text.split(',').map((part) => {
    const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(part.trim());
    if (!match) throw new UsageError(`not a count: '${part}' (write e.g. 1M, 500k, 2000)`);
    const unit = { k: 1e3, m: 1e6, '': 1 }[match[2].toLowerCase() as 'k' | 'm' | ''];
    return Math.round(Number(match[1]) * unit);
  });
}

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
import { DISTRIBUTED_MODELS } from '#domain/recommendations/distributed-run.ts';
import { DEFAULT_EASE_OPTIONS } from '#domain/recommendations/ease.ts';
import { UsageError } from '#local/command-line.ts';
import { settings } from '#platform/declaration.ts';
import type { BenchSection } from './report.ts';
import type { ChildTask } from './scale-child.ts';
import {
  AS_BUILT,
  type CostAssumptions,
  DEFAULT_COST_ASSUMPTIONS,
  estimateRun,
  FACTOR_ROW_BYTES,
  GRAM_KINDS,
  fitLine,
  PRICE_SOURCES,
  type RunDesign,
  type RunEstimate,
  type RunLayout,
  type RunSize,
  runSizeOf,
  SHARDED_SNAPSHOT,
  type TaskKind,
  type TaskModel,
} from './scale-cost.ts';
import { measureGateEvaluation } from './gate-evaluation.ts';
import { measureProfileWrites } from './profile-writes.ts';
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
  /** Groups of the run's tree of sums, as its plan laid them out. */
  gramGroups: number;
  /** Partial Grams each of its user shards writes (the bench's run has no every-interaction files). */
  gramKinds: number;
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
    const groups = snap.gramGroups;
    await phase('sumGrams', pickShards(groups, groups), (shard) => ({ task: 'sumGrams', dir, runId, shard }));
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
    gramGroups: snap.gramGroups,
    gramKinds: snap.gramKinds,
    full,
    samples,
    wallSeconds: (performance.now() - started) / 1000,
  };
}

const seconds = (ms: number) => Number((ms / 1000).toFixed(2));
/** Tasks that run alone, outside the Maps. */
const SERIAL_KINDS = ['snapshot', 'reduce', 'profilesReduce'];

/** The tasks of this kind one Map round of the run starts: item shards, groups of partial Grams, or user shards. */
function tasksOfKind(kind: string, run: SizeRun): number {
  if (SERIAL_KINDS.includes(kind)) return 1;
  if (kind.startsWith('alsItems')) return run.itemShards;
  if (kind === 'sumGrams') return run.gramGroups;
  return run.shards;
}

function perTaskSection(runs: SizeRun[]): BenchSection {
  const rows = runs.flatMap((run) =>
    [...run.samples].map(([kind, figures]) => {
      const ms = figures.map((f) => f.ms);
      return {
        events: label(run.requested),
        task: kind,
        'tasks run': `${figures.length} of ${tasksOfKind(kind, run)}`,
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
      'The ALS tasks of the first iteration start from the seeded item factors and read no factor files of the other side; later ones read one factor file per shard of the other side (and their own previous factors), so they are listed apart and the later ones feed the cost model.',
      `The partition stand-in (the export snapshot's PartitionExport task; npm run bench -- snapshot measures the real one) reads one JSON file of ${SHARDED_SNAPSHOT.eventsPerPartitionTask.toLocaleString('en')} events, splits it by user shard and writes ${SHARDED_SNAPSHOT.standInUserShards} pieces; plain JSON, not the export's DynamoDB JSON.`,
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
      `Log shape: items Zipf s=${DEFAULT_LOG_SHAPE.itemZipfExponent} over ${DEFAULT_LOG_SHAPE.items.toLocaleString('en')} items (70% of a user's events within one of 12 genre groups), user activity Pareto alpha=${DEFAULT_LOG_SHAPE.userParetoAlpha} (mean ${DEFAULT_LOG_SHAPE.eventsPerUser} events, at most ${DEFAULT_LOG_SHAPE.maxEventsPerUser.toLocaleString('en')}), seed ${DEFAULT_LOG_SHAPE.seed}; ${o.interactionsPerShard.toLocaleString('en')} interactions per user shard, ${o.interactionsPerItemShard.toLocaleString('en')} per item shard (item shards balanced by interactions).`,
      "task time total: the sum of every task run here, one at a time; parallel fraction: the share of it inside the Maps (the rest is Snapshot, Reduce and the profile reduce, which run alone). With production's 12 ALS iterations the Maps' share is larger.",
      "bench wall: includes each child's Node + tsx start-up (about 1 s per task here).",
    ],
  };
}

/** Median, p95 and peak of a kind's samples: what every model below starts from. */
function measuredOf(figures: ChildFigures[]) {
  const times = figures.map((f) => f.ms);
  return {
    seconds: median(times) / 1000,
    p95OverMedian: percentile(times, 95) / median(times),
    peakMb: Math.max(...figures.map((f) => f.peakRssMb)),
  };
}

/** The samples of `key` at the largest size that measured it. */
function largestSamples(runs: SizeRun[], key: string): { run: SizeRun; figures: ChildFigures[] } {
  const measured = runs
    .map((run) => ({ run, figures: run.samples.get(key) ?? [] }))
    .filter((m) => m.figures.length > 0);
  if (measured.length === 0) throw new Error(`scale: no '${key}' task was measured; run a full size`);
  return measured.at(-1)!;
}

/** A task whose input is bounded (one shard, one slice): its median and peak at the largest size measured. */
function flatModel(figures: ChildFigures[]): TaskModel {
  const m = measuredOf(figures);
  return { seconds: () => m.seconds, peakMb: () => m.peakMb, p95OverMedian: m.p95OverMedian };
}

/** Seconds to read `bytes` from S3 at the assumed per-task throughput (the local runs read a directory). */
const s3Seconds = (bytes: number, a: CostAssumptions) => bytes / 1e6 / a.s3ReadMbPerSecond;

/**
 * Time and memory per task kind as functions of the run's size, from the measured medians.
 * - Bounded tasks (Gram, profiles, the partition stand-in) stay flat.
 * - An ALS user task reads its shard, its previous factors and every item's factors: bounded by the
 *   shard and the catalog, so flat, plus the item factor files' S3 transfer.
 * - An ALS item task solves its item shard (bounded by interactionsPerItemShard: scaled by the shard's
 *   interactions against the measured one) and reads every user's factors (S3 transfer of users x row
 *   bytes); it holds the factors of the users it touches (at most one per interaction of its shard,
 *   at most every user: the bound, not a measurement, beyond the measured size) and 4 bytes per user
 *   for the compact numbering.
 * - The Reduce reads every partial Gram: time in proportion to the user shards, plus their transfer;
 *   memory flat (a running sum and one partial at a time).
 * - The one-function Snapshot holds every interaction: time and memory in proportion.
 */
function taskModels(
  runs: SizeRun[],
  partition: ChildFigures[],
  a: CostAssumptions,
  /** Seconds the Reduce's gate evaluates for (measured per user by bench/gate-evaluation.ts). */
  gateSeconds: number,
): Record<TaskKind, TaskModel> {
  const items = largestSamples(runs, 'alsItems');
  const measuredItems = measuredOf(items.figures);
  const measuredPerItemShard = items.run.interactions / items.run.itemShards;
  const oneShardMb = measuredOf(largestSamples(runs, 'gram').figures).peakMb;
  const itemShareOf = (size: RunSize) => size.interactions / size.itemShards / measuredPerItemShard;
  // The users an item task holds: at most one per interaction of its shard, at most every user.
  const touchedAt = (users: number, perItemShard: number) => Math.min(users, perItemShard);
  const measuredTouched = touchedAt(items.run.users, measuredPerItemShard);
  const alsItems: TaskModel = {
    seconds: (size) =>
      measuredItems.seconds * itemShareOf(size) + s3Seconds(size.users * FACTOR_ROW_BYTES, a),
    peakMb: (size) =>
      oneShardMb +
      Math.max(0, measuredItems.peakMb - oneShardMb) * itemShareOf(size) +
      (Math.max(0, touchedAt(size.users, size.interactions / size.itemShards) - measuredTouched) *
        FACTOR_ROW_BYTES +
        size.users * 4) /
        2 ** 20,
    p95OverMedian: measuredItems.p95OverMedian,
  };
  const users = measuredOf(largestSamples(runs, 'alsUsers').figures);
  const catalogBytes = DEFAULT_LOG_SHAPE.items * FACTOR_ROW_BYTES;
  const reduce = largestSamples(runs, 'reduce');
  const measuredReduce = measuredOf(reduce.figures);
  const sums = largestSamples(runs, 'sumGrams');
  const measuredSums = measuredOf(sums.figures);
  // A production user shard writes GRAM_KINDS partial Grams (EASE's and session EASE's, over the train
  // part and every interaction); the bench's run writes only the train part's: its Gram, sum and
  // Reduce times are scaled by the ratio (the Gram task's shared read and parse included, an upper bound).
  const gram = largestSamples(runs, 'gram');
  const kindsRatio = GRAM_KINDS / gram.run.gramKinds;
  const measuredGram = measuredOf(gram.figures);
  // Seconds to add one shard's partial Grams (every kind the bench's run writes), from the measured
  // sum tasks (each reports how many shards it added).
  const addSeconds = measuredSums.seconds / median(sums.figures.map((f) => f.partials ?? 1));
  const gramBytes = DEFAULT_EASE_OPTIONS.maxItems ** 2 * 4;
  // Adding and reading one shard's (or one group's) Grams of every kind.
  const oneSetSeconds = kindsRatio * addSeconds + s3Seconds(GRAM_KINDS * gramBytes, a);
  const snapshot = largestSamples(runs, 'snapshot');
  const measuredSnapshot = measuredOf(snapshot.figures);
  const partitionModel = flatModel(partition);
  return {
    snapshot: {
      seconds: (size) => (measuredSnapshot.seconds * size.interactions) / snapshot.run.interactions,
      peakMb: (size) => (measuredSnapshot.peakMb * size.interactions) / snapshot.run.interactions,
      p95OverMedian: 1,
    },
    partition: partitionModel,
    // Not measured: a join task reads one user shard's pieces (fewer events than a partition's slice).
    joinUsers: partitionModel,
    // Not measured: an item-file task reads every user shard's file for its bounded items, as an item task does.
    itemFiles: alsItems,
    gram: {
      seconds: () => kindsRatio * measuredGram.seconds,
      peakMb: () => measuredGram.peakMb,
      p95OverMedian: measuredGram.p95OverMedian,
    },
    // A group's partial Grams of every kind, added one at a time, plus reading them from S3; memory
    // flat (the running sum and one partial).
    sumGrams: {
      seconds: (size) => size.gramsPerGroup * oneSetSeconds,
      peakMb: () => measuredSums.peakMb,
      p95OverMedian: measuredSums.p95OverMedian,
    },
    profiles: flatModel(largestSamples(runs, 'profiles').figures),
    alsUsers: {
      seconds: () => users.seconds + s3Seconds(catalogBytes, a),
      peakMb: () => users.peakMb,
      p95OverMedian: users.p95OverMedian,
    },
    alsItems,
    // The bench's Reduce inverts the train part's Grams (EASE's and session EASE's) and gathers one
    // ALS; a run does that for the candidates and again for the shipped models: the measured time
    // scaled by the kinds' ratio, plus adding and reading every group's sums, plus the gate.
    reduce: {
      seconds: (size) => kindsRatio * measuredReduce.seconds + size.gramGroups * oneSetSeconds + gateSeconds,
      peakMb: () => measuredReduce.peakMb,
      p95OverMedian: 1,
    },
    profilesReduce: flatModel(largestSamples(runs, 'profilesReduce').figures),
  };
}

const SCENARIOS: { name: string; design: RunDesign }[] = [
  {
    name: 'scan Snapshot (one function; what runs below RETRAIN_EXPORT_ABOVE_EVENTS)',
    design: AS_BUILT,
  },
  {
    name: 'export snapshot (sharded by stages over a DynamoDB export; what runs above it)',
    design: { snapshot: 'sharded', read: 'export' },
  },
  {
    name: 'sharded Snapshot over a parallel Scan (not built in AWS; costed for comparison)',
    design: { snapshot: 'sharded', read: 'scan' },
  },
];

async function costSection(
  runs: SizeRun[],
  partition: ChildFigures[],
  o: ScaleOptions,
): Promise<BenchSection> {
  const largest = runs.filter((run) => run.full).at(-1)!;
  const writes = await measureProfileWrites();
  const layout: RunLayout = {
    interactionsPerEvent: largest.interactions / largest.events,
    usersPerInteraction: largest.users / largest.interactions,
    interactionsPerShard: o.interactionsPerShard,
    interactionsPerItemShard: o.interactionsPerItemShard,
    profileWriteUnitsPerUser: writes.writeUnitsPerUser,
    profileReadUnitsPerUser: writes.readUnitsPerUser,
    profileScoringMsPerUser: writes.scoringMsPerUser,
  };
  const a = DEFAULT_COST_ASSUMPTIONS;
  // The gate at the Reduce: every candidate the machine trains on the sampled users, and again for
  // each live version it re-measures (at most once each): twice the candidates' time, an upper bound.
  const gate = await measureGateEvaluation();
  const gateMsPerUser = DISTRIBUTED_MODELS.reduce((sum, name) => sum + (gate.msPerUser[name] ?? 0), 0);
  const gateSeconds = (2 * settings.RETRAIN_GATE_SAMPLE_USERS.default * gateMsPerUser) / 1000;
  const models = taskModels(runs, partition, a, gateSeconds);
  const estimates = SCENARIOS.flatMap((scenario) =>
    [10e6, 100e6, 1e9].map((events) => ({
      scenario: scenario.name,
      e: estimateRun(events, layout, models, scenario.design, a),
    })),
  );
  const rows = estimates.map(({ scenario, e }) => ({
    design: scenario,
    events: label(e.size.events),
    'user shards': e.size.userShards,
    'item shards': e.size.itemShards,
    'wall time min': Number((e.wallSeconds / 60).toFixed(1)),
    'Lambda GB-s': Math.round(e.lambdaGbSeconds),
    'Lambda requests': e.lambdaRequests,
    'Lambda $': e.costs.lambda.toFixed(2),
    'Step Functions $': e.costs.stepFunctions.toFixed(2),
    'S3 requests $': e.costs.s3.toFixed(2),
    'table read $': e.costs.read.toFixed(2),
    'profile rows $': e.costs.profileRows.toFixed(2),
    'total $': e.costs.total.toFixed(2),
    'limits broken': e.breaks.join('; ') || 'none',
  }));
  const at100M = estimates.filter(({ e }) => e.size.events === 100e6);
  const verdicts = at100M.map(({ scenario, e }) => {
    const meets = e.wallSeconds < 3600 && e.costs.total < 5 && e.breaks.length === 0;
    const training = e.costs.total - e.costs.profileRows;
    return `${scenario}: ${meets ? 'met' : 'NOT met'} (${(e.wallSeconds / 60).toFixed(0)} min, $${e.costs.total.toFixed(2)}, of which $${e.costs.profileRows.toFixed(2)} reading and writing profile rows and $${training.toFixed(2)} the rest${e.breaks.length ? `; ${e.breaks.join('; ')}` : ''})`;
  });
  const split = (e: RunEstimate) =>
    Object.entries(e.lambdaByKind)
      .sort(([, x], [, y]) => (y ?? 0) - (x ?? 0))
      .map(([kind, cost]) => `${kind} $${(cost ?? 0).toFixed(2)}`)
      .join(', ');
  return {
    title: 'Distributed retrain in AWS: wall time and cost (computed from the measured per-task figures)',
    rows,
    notes: [
      `Goal, 100M events in under 1 hour for under $5, by the computed figures: ${verdicts.join(' / ')}.`,
      `Computed per task (median s / peak RSS MB) at 100M and 1B: ${(
        ['alsUsers', 'alsItems', 'reduce'] as const
      )
        .map((kind) => {
          const at = (events: number) => {
            const size = runSizeOf(events, layout);
            return `${models[kind].seconds(size).toFixed(1)} s / ${Math.round(models[kind].peakMb(size))} MB`;
          };
          return `${kind} ${at(100e6)} and ${at(1e9)}`;
        })
        .join('; ')}.`,
      `Lambda duration at 100M by task kind: ${at100M.map(({ scenario, e }) => `${scenario}: ${split(e)}`).join(' / ')}.`,
      `Computed, not measured. Assumed: ${a.concurrency.toLocaleString('en')} child executions at once (the Lambda account default; Distributed Map allows 10,000); ${a.alsIterations} ALS iterations in each of ${a.alsPasses} passes (the gate's candidate on the train part, then the shipped model on every interaction, both costed at every interaction); ${a.eventBytes} bytes per event row in DynamoDB (the export bills table GB, a Scan 4 KB per half read unit); ${a.waveOverheadSeconds} s per Map wave for child start and cold start; a Map wave lasts its p95 task (p95/median measured here); memory per function = max(${a.minMemoryMb} MB, peak RSS x ${a.memoryHeadroom}); one arm64 Lambda vCPU as fast as one core here (not measured); S3 reads of factor files and partial Grams at ${a.s3ReadMbPerSecond} MB/s per task (not measured: the local runs read a directory); a catalog of ${DEFAULT_LOG_SHAPE.items.toLocaleString('en')} items at every size.`,
      `Per-task figures: Gram, profile and ALS user tasks read bounded inputs (one user shard; the catalog's item factors), so their median at the largest full size (${label(largest.requested)}) is used at every size; an ALS item task's solve is scaled by its item shard's interactions (${o.interactionsPerItemShard.toLocaleString('en')} per item shard) against the measured one, plus reading every user's factors (${FACTOR_ROW_BYTES} bytes per user); a production user shard writes ${GRAM_KINDS} partial Grams (EASE's and session EASE's, over the train part and every interaction) where the bench's run writes the train part's ${largest.gramKinds}, so the Gram task's measured time is scaled by ${GRAM_KINDS}/${largest.gramKinds} (its shared read included: an upper bound), a sum task adds its group's Grams of every kind (the per-shard time measured by the bench's sum tasks, scaled the same, plus reading them), and the Reduce is the measured one scaled the same (four inverses, two ALS gathers) plus adding and reading every group's sums and the gate, its memory flat; the one-function Snapshot grows in proportion to the interactions. Interactions per event ${layout.interactionsPerEvent.toFixed(3)}, users per interaction ${layout.usersPerInteraction.toFixed(4)} (measured at ${label(largest.requested)}).`,
      `Gate at the Reduce (measured, bench/gate-evaluation.ts): candidates trained by the single path's trainAllModels on the train part of a ${gate.events.toLocaleString('en')}-event log of this shape, evaluated on ${gate.users.toLocaleString('en')} holdout users through evaluateArtifacts: ${Object.entries(
        gate.msPerUser,
      )
        .map(([name, ms]) => `${name} ${ms.toFixed(2)} ms`)
        .join(', ')} per user (training took ${Object.entries(gate.trainMs)
        .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`)
        .join(
          ', ',
        )}). The Reduce evaluates ${DISTRIBUTED_MODELS.join(', ')} on ${settings.RETRAIN_GATE_SAMPLE_USERS.default.toLocaleString('en')} users, and at most as much again re-measuring live versions: ${gateSeconds.toFixed(0)} s added to its time (computed).`,
      `Profile rows (measured, bench/profile-writes.ts): two nightly profile retrains over a ${writes.events.toLocaleString('en')}-event log of this shape, the second a day after the first, each scoring every user and storing histories through the retrain's own code into counting in-memory tables. On the second night ${writes.summaries.written.toLocaleString('en')} of ${writes.summaries.scored.toLocaleString('en')} summaries (median ${writes.summaries.medianBytes} bytes) and ${writes.histories.written.toLocaleString('en')} of ${writes.histories.users.toLocaleString('en')} histories (median ${writes.histories.medianBytes} bytes) changed and were written${writes.secondNightLive ? '' : ' (its candidates stayed behind the gate)'}, plus ${(writes.renewalShare * 100).toFixed(1)}% of users a night for the renewal of idle histories (computed); ${writes.writeUnitsPerUser.toFixed(2)} write units and ${writes.readUnitsPerUser.toFixed(2)} read units per user (the first night, with nothing stored, wrote ${writes.firstNightWriteUnitsPerUser.toFixed(2)}); 1 write unit per KB, half a read unit per 4 KB. ProfileScores' compute: ${writes.scoringMsPerUser.toFixed(3)} ms per user in-process, billed at ${DEFAULT_COST_ASSUMPTIONS.minMemoryMb} MB. Registry rows are not counted.`,
      `S3 requests are counted per task by taskRequests in functions/domain/recommendations/distributed-tasks.ts (a user task reads one factor file per item shard, an item task one per user shard).`,
      `The sharded Snapshot rows (inputs in SHARDED_SNAPSHOT, bench/scale-cost.ts): a Map of partition tasks of ${SHARDED_SNAPSHOT.eventsPerPartitionTask.toLocaleString('en')} events each (time and memory from the measured stand-in below, which reads one file of that many events and writes a piece per user shard), then a join task per user shard (costed as a partition task) and an item-file task per item shard (costed as an ALS item task); with an export, the export's duration is not in the wall time (AWS publishes no rate).`,
      'The EASE inverse at the Reduce is over the 3,000 modelled items whatever the data size, so it does not shrink with shards (see the dense EASE table).',
      ...PRICE_SOURCES.map((source) => `Price: ${source}`),
    ],
  };
}

/** The partition stand-in of a sharded Snapshot, measured `repeats` times on one file of events. */
async function measurePartition(root: string, repeats: number): Promise<ChildFigures[]> {
  const dir = path.join(root, 'partition');
  await runChild({ task: 'exportFile', dir, events: SHARDED_SNAPSHOT.eventsPerPartitionTask });
  const figures: ChildFigures[] = [];
  for (let k = 0; k < repeats; k++)
    figures.push(await runChild({ task: 'partition', dir, userShards: SHARDED_SNAPSHOT.standInUserShards }));
  console.log(`scale: partition stand-in x ${repeats}`);
  rmSync(dir, { recursive: true, force: true });
  return figures;
}

function partitionRows(partition: ChildFigures[]): BenchSection['rows'] {
  const m = measuredOf(partition);
  return [
    {
      events: `${label(SHARDED_SNAPSHOT.eventsPerPartitionTask)} (one slice)`,
      task: `partition stand-in (${SHARDED_SNAPSHOT.standInUserShards} pieces)`,
      'tasks run': `${partition.length} runs`,
      'median s': Number(m.seconds.toFixed(2)),
      'p95 s': seconds(
        percentile(
          partition.map((f) => f.ms),
          95,
        ),
      ),
      'peak RSS MB (max)': Math.round(m.peakMb),
    },
  ];
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
    const partition = await measurePartition(root, 3);
    const perTask = perTaskSection(runs);
    perTask.rows.push(...partitionRows(partition));
    return [
      perTask,
      totalsSection(runs, o),
      await costSection(runs, partition, o),
      await denseEaseSection(o),
    ];
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
  interactionsPerShard: settings.RETRAIN_INTERACTIONS_PER_SHARD.default,
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

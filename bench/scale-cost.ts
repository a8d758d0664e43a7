/**
 * The distributed retrain's wall time and cost in AWS, COMPUTED from per-task figures measured by
 * `npm run bench -- scale` (bench/scale.ts). Nothing here is measured: it is arithmetic over the
 * measured medians, the AWS prices below and the stated assumptions, so every figure it prints is
 * labelled "computed".
 */
import { DEFAULT_ALS_OPTIONS } from '#domain/recommendations/als.ts';

/** us-east-1 list prices, looked up on 2026-12-06 (sources in `PRICE_SOURCES`). */
export const PRICES = {
  /** Lambda arm64 duration, first 7.5 billion GB-s a month ($ per GB-s). */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda requests ($ each; $0.20 per million). */
  lambdaRequest: 0.2 / 1e6,
  /** Step Functions Standard state transitions ($ each; $0.025 per 1,000). */
  standardTransition: 0.025 / 1000,
  /** Step Functions Express requests ($ each; $1.00 per million). */
  expressRequest: 1 / 1e6,
  /** Step Functions Express duration, first 1,000 GB-hours ($ per GB-s), billed in 64 MB and 100 ms steps. */
  expressGbSecond: 0.00001667,
  /** S3 Standard PUT/COPY/POST/LIST ($ each; $0.005 per 1,000). From memory: recheck. */
  s3Put: 0.005 / 1000,
  /** S3 Standard GET ($ each; $0.0004 per 1,000). From memory: recheck. */
  s3Get: 0.0004 / 1000,
  /** DynamoDB full export to S3 ($ per GB of table). From memory: recheck. */
  dynamoExportGb: 0.1,
} as const;

export const PRICE_SOURCES = [
  'Lambda arm64 $0.0000133334 per GB-s and $0.20 per million requests: https://aws.amazon.com/lambda/pricing/ (tiers quoted at https://cloudchipr.com/blog/aws-lambda-pricing)',
  'Step Functions Standard $0.025 per 1,000 transitions; Express $1.00 per million requests and $0.00001667 per GB-s in 64 MB / 100 ms steps: https://aws.amazon.com/step-functions/pricing/ (figures as quoted at https://www.wring.co/blog/aws-step-functions-pricing-guide, 2026-03-14)',
  'Distributed Map: one Standard state transition per child workflow execution started: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-transitions.html',
  'S3 PUT $0.005 and GET $0.0004 per 1,000, DynamoDB export $0.10 per GB: from memory (the stored price pages did not show them): recheck on https://aws.amazon.com/s3/pricing/ and https://aws.amazon.com/dynamodb/pricing/on-demand/',
];

/** What the model assumes beyond the measured figures (printed beside the table). */
export interface CostAssumptions {
  /** Child executions running at once: the Lambda account default (1,000), below Distributed Map's 10,000. */
  concurrency: number;
  /** ALS iterations in production (DEFAULT_ALS_OPTIONS.iterations). */
  alsIterations: number;
  /** Bytes per event row in the DynamoDB table (what the export bills). */
  eventBytes: number;
  /** Seconds added per wave of a Map: child start, Lambda cold start, S3 first byte. */
  waveOverheadSeconds: number;
  /** Smallest Lambda memory used (MB): 1,769 MB is one full vCPU, what single-threaded JS uses. */
  minMemoryMb: number;
  /** Headroom over the measured peak RSS when sizing a function's memory. */
  memoryHeadroom: number;
}

export const DEFAULT_COST_ASSUMPTIONS: CostAssumptions = {
  concurrency: 1000,
  alsIterations: DEFAULT_ALS_OPTIONS.iterations,
  eventBytes: 200,
  waveOverheadSeconds: 1,
  minMemoryMb: 1769,
  memoryHeadroom: 1.25,
};

/** One task kind of the run, its measured time and memory extrapolated to the run's size. */
export interface TaskModel {
  /** Median seconds per task at a given total of interactions. */
  seconds(interactions: number): number;
  /** 95th-percentile over median, measured (stragglers set a Map's wall time). */
  p95OverMedian: number;
  /** Peak RSS (MB) per task at a given total of interactions. */
  peakMb(interactions: number): number;
}

export type TaskKind =
  | 'snapshot'
  | 'gram'
  | 'profiles'
  | 'alsUsers'
  | 'alsItems'
  | 'gather'
  | 'reduce'
  | 'profilesReduce';

/** How the run is laid out: today's tasks, or designs computed for comparison (not built). */
export interface RunDesign {
  /** The Snapshot as a Map over export files, each task sharding one shard's worth (not built). */
  shardedSnapshot: boolean;
  /**
   * After each half-step one gather task concatenates the side's factor blocks into one file, which
   * every task of the other side reads, instead of each task reading every shard's files (not built).
   */
  gatheredFactors: boolean;
}

export const AS_BUILT: RunDesign = { shardedSnapshot: false, gatheredFactors: false };

/** How many of each task and S3 request, and Map children, a run of `shards` user (and item) shards makes. */
export function runShape(shards: number, iterations: number, design: RunDesign = AS_BUILT) {
  const counts: Record<TaskKind, number> = {
    snapshot: design.shardedSnapshot ? shards : 1,
    gram: shards,
    profiles: shards,
    alsUsers: shards * iterations,
    alsItems: shards * iterations,
    gather: design.gatheredFactors ? 2 * iterations : 0,
    reduce: 1,
    profilesReduce: 1,
  };
  const later = shards * Math.max(0, iterations - 1);
  // PUTs: snapshot (plan, catalog, user and item shard files), one output per shard task, the
  // profile task's two files, the gathered files, the Reduce's two artifacts.
  const puts = 2 + 2 * shards + shards + 2 * shards + counts.alsUsers + counts.alsItems + counts.gather + 2;
  // GETs, counted from distributed-tasks.ts: every task reads the plan and its shard. As built, a
  // user task after the first iteration also reads its previous factors and every item shard's file
  // and factors (allItemFactors); an item task reads every user shard's factors, and after the first
  // iteration every item shard's file and factors too; the Reduce every partial Gram and item block.
  const als = design.gatheredFactors
    ? counts.alsUsers * 3 + later + counts.alsItems * 3 + later + counts.gather * shards
    : counts.alsUsers * 2 + later * (1 + 2 * shards) + counts.alsItems * (2 + shards) + later * 2 * shards;
  const reduce = 1 + shards + (design.gatheredFactors ? 1 : 2 * shards);
  // A profile task reads its shard; the profile reduce every shard's sample.
  const gets = 2 * shards + als + reduce + 2 * shards;
  const mapChildren =
    counts.snapshot * (design.shardedSnapshot ? 1 : 0) +
    counts.gram +
    counts.profiles +
    counts.alsUsers +
    counts.alsItems;
  // Parent transitions: one per child started, plus Snapshot, Reduce and the loop's few states.
  const transitions = mapChildren + counts.gather + 6 * iterations + 8;
  return { counts, puts, gets, mapChildren, transitions };
}

export interface RunEstimate {
  events: number;
  interactions: number;
  shards: number;
  wallSeconds: number;
  lambdaGbSeconds: number;
  lambdaRequests: number;
  costs: { lambda: number; stepFunctions: number; s3: number; export: number; total: number };
  /** Limits this size breaks (empty when every task fits its function). */
  breaks: string[];
}

const memoryMb = (peakMb: number, a: CostAssumptions) =>
  Math.max(a.minMemoryMb, Math.ceil((peakMb * a.memoryHeadroom) / 64) * 64);

/** The computed wall time (s) and cost ($) of one retrain of `events` events. */
export function estimateRun(
  events: number,
  interactionsPerEvent: number,
  interactionsPerShard: number,
  models: Record<TaskKind, TaskModel>,
  design: RunDesign = AS_BUILT,
  a: CostAssumptions = DEFAULT_COST_ASSUMPTIONS,
): RunEstimate {
  const interactions = Math.round(events * interactionsPerEvent);
  const shards = Math.max(1, Math.ceil(interactions / interactionsPerShard));
  const shape = runShape(shards, a.alsIterations, design);
  const waves = Math.ceil(shards / a.concurrency);
  const breaks: string[] = [];
  let wallSeconds = 0;
  let lambdaGbSeconds = 0;
  let expressGbSeconds = 0;
  for (const kind of Object.keys(shape.counts) as TaskKind[]) {
    const model = models[kind];
    const inMap =
      (kind !== 'snapshot' || design.shardedSnapshot) &&
      !['gather', 'reduce', 'profilesReduce'].includes(kind);
    // A sharded snapshot task handles one shard's worth, like the one-function snapshot at that size.
    const size = kind === 'snapshot' && design.shardedSnapshot ? interactionsPerShard : interactions;
    const seconds = model.seconds(size);
    const peak = model.peakMb(size);
    const mb = memoryMb(peak, a);
    if (mb > 10_240) breaks.push(`${kind} needs ~${(peak / 1024).toFixed(1)} GB (Lambda max 10 GB)`);
    if (inMap && seconds > 290)
      breaks.push(`${kind} takes ~${seconds.toFixed(0)} s (Express child max 300 s)`);
    if (!inMap && seconds > 900) breaks.push(`${kind} takes ~${seconds.toFixed(0)} s (Lambda max 900 s)`);
    lambdaGbSeconds += shape.counts[kind] * seconds * (mb / 1024);
    if (inMap) {
      // Express bills each child by its duration (100 ms steps) at the 64 MB minimum.
      expressGbSeconds += shape.counts[kind] * (Math.ceil(seconds * 10) / 10) * (64 / 1024);
      const rounds = kind === 'alsUsers' || kind === 'alsItems' ? a.alsIterations : 1;
      wallSeconds += rounds * waves * (seconds * model.p95OverMedian + a.waveOverheadSeconds);
    } else wallSeconds += shape.counts[kind] * seconds;
  }
  const lambdaRequests = Object.values(shape.counts).reduce((sum, n) => sum + n, 0);
  const lambda = lambdaGbSeconds * PRICES.lambdaArmGbSecond + lambdaRequests * PRICES.lambdaRequest;
  const stepFunctions =
    shape.transitions * PRICES.standardTransition +
    shape.mapChildren * PRICES.expressRequest +
    expressGbSeconds * PRICES.expressGbSecond;
  const s3 = shape.puts * PRICES.s3Put + shape.gets * PRICES.s3Get;
  const exportCost = ((events * a.eventBytes) / 1e9) * PRICES.dynamoExportGb;
  return {
    events,
    interactions,
    shards,
    wallSeconds,
    lambdaGbSeconds,
    lambdaRequests,
    costs: { lambda, stepFunctions, s3, export: exportCost, total: lambda + stepFunctions + s3 + exportCost },
    breaks,
  };
}

/** Least-squares line y = a + b x through the points (at least two distinct x). */
export function fitLine(points: readonly { x: number; y: number }[]): (x: number) => number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (n < 2 || sxx === 0) return () => my;
  const slope = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
  return (x) => Math.max(0, my + slope * (x - mx));
}

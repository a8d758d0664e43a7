/**
 * The distributed retrain's wall time and cost in AWS, COMPUTED from per-task figures measured by
 * `npm run bench -- scale` (bench/scale.ts). Nothing here is measured: it is arithmetic over the
 * measured medians, the AWS prices below and the stated assumptions, so every figure it prints is
 * labelled "computed".
 */
import { DEFAULT_ALS_OPTIONS } from '#domain/recommendations/als.ts';
import { gramKindsOf, gramsPerSum, taskRequests } from '#domain/recommendations/distributed-tasks.ts';
import { DEFAULT_EASE_OPTIONS, SESSION_EASE_OPTIONS } from '#domain/recommendations/ease.ts';
import { itemShardCountFor } from '#domain/recommendations/sharded-training.ts';

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
  /** DynamoDB on-demand read request unit ($ each; $0.125 per million; a Scan bills 4 KB per unit, half for eventually consistent). Recheck. */
  dynamoReadRequest: 0.125 / 1e6,
  /** DynamoDB on-demand write request unit ($ each; $0.625 per million; 1 KB per unit). Recheck. */
  dynamoWriteRequest: 0.625 / 1e6,
} as const;

export const PRICE_SOURCES = [
  'Lambda arm64 $0.0000133334 per GB-s and $0.20 per million requests: https://aws.amazon.com/lambda/pricing/ (tiers quoted at https://cloudchipr.com/blog/aws-lambda-pricing)',
  'Step Functions Standard $0.025 per 1,000 transitions; Express $1.00 per million requests and $0.00001667 per GB-s in 64 MB / 100 ms steps: https://aws.amazon.com/step-functions/pricing/ (figures as quoted at https://www.wring.co/blog/aws-step-functions-pricing-guide, 2026-03-14)',
  'Distributed Map: one Standard state transition per child workflow execution started: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-transitions.html',
  'DynamoDB on-demand writes $0.625 per million write request units (us-east-1; half the pre-November-2024 $1.25, as reads went from $0.25 to $0.125): from memory: recheck on https://aws.amazon.com/dynamodb/pricing/on-demand/',
  'DynamoDB on-demand reads $0.125 per million read request units (us-east-1): as quoted at https://airbyte.com/data-engineering-resources/dynamodb-pricing (undated; another page still quotes the older $0.25): recheck on https://aws.amazon.com/dynamodb/pricing/on-demand/',
  'S3 PUT $0.005 and GET $0.0004 per 1,000, DynamoDB export $0.10 per GB: from memory (the stored price pages did not show them): recheck on https://aws.amazon.com/s3/pricing/ and https://aws.amazon.com/dynamodb/pricing/on-demand/',
];

/** What the model assumes beyond the measured figures (printed beside the table). */
export interface CostAssumptions {
  /** Child executions running at once: the Lambda account default (1,000), below Distributed Map's 10,000. */
  concurrency: number;
  /** ALS iterations in production (DEFAULT_ALS_OPTIONS.iterations), per pass. */
  alsIterations: number;
  /**
   * ALS passes a run makes: the gate's candidate over the holdout's train part, then the shipped
   * model over every interaction (distributed-tasks.ts); both costed at the whole run's interactions.
   */
  alsPasses: number;
  /** Bytes per event row in the DynamoDB table (what the export and a scan bill). */
  eventBytes: number;
  /** Seconds added per wave of a Map: child start, Lambda cold start, S3 first byte. */
  waveOverheadSeconds: number;
  /** Smallest Lambda memory used (MB): 1,769 MB is one full vCPU, what single-threaded JS uses. */
  minMemoryMb: number;
  /** Headroom over the measured peak RSS when sizing a function's memory. */
  memoryHeadroom: number;
  /**
   * S3 read throughput of one task (MB/s) for the factor files it reads, which the local runs read
   * from a directory: assumed (one Lambda reading 8 objects at once), not measured.
   */
  s3ReadMbPerSecond: number;
}

export const DEFAULT_COST_ASSUMPTIONS: CostAssumptions = {
  concurrency: 1000,
  alsIterations: DEFAULT_ALS_OPTIONS.iterations,
  alsPasses: 2,
  eventBytes: 200,
  waveOverheadSeconds: 1,
  minMemoryMb: 1769,
  memoryHeadroom: 1.25,
  s3ReadMbPerSecond: 80,
};

/** Bytes one row takes in an ALS factor file: float32 factors and its int32 row index. */
export const FACTOR_ROW_BYTES = DEFAULT_ALS_OPTIONS.factors * 4 + 4;

/**
 * The sharded (export) Snapshot as this model sees it (export-snapshot.ts; measured task by task by `npm run bench -- snapshot`): a Map of partition
 * tasks, each reading a bounded slice of the table (one export data file or scan segment) and
 * splitting it by user shard; then one task per user shard joining its pieces; then one task per
 * item shard reading every user shard file. Every input of that row is here.
 */
export const SHARDED_SNAPSHOT = {
  /** Events one partition task reads (a slice size the design chooses, not one AWS fixes). */
  eventsPerPartitionTask: 1_000_000,
  /** User shards the partition stand-in splits its slice into (the 100M run's ~390, rounded). */
  standInUserShards: 400,
};

/** The size of one run, as its tasks see it. */
export interface RunSize {
  events: number;
  interactions: number;
  users: number;
  userShards: number;
  itemShards: number;
  /** User shards whose partial Grams one sum task adds (gramsPerSum at the default modelled items). */
  gramsPerGroup: number;
  /** Sum tasks, and the summed Grams the Reduce reads. */
  gramGroups: number;
  /** Partition tasks of a sharded Snapshot. */
  partitions: number;
}

/** How a run of any size is laid out, from ratios measured at the largest size and the shard bounds. */
export interface RunLayout {
  interactionsPerEvent: number;
  usersPerInteraction: number;
  interactionsPerShard: number;
  interactionsPerItemShard: number;
  /**
   * DynamoDB write units per user of the profile rows one nightly run stores (ProfileScores: the
   * summaries and histories that changed, 1 unit per KB), measured over two nights on a log of the
   * bench's shape (bench/profile-writes.ts).
   */
  profileWriteUnitsPerUser: number;
  /** DynamoDB read units per user of the stored rows ProfileScores reads to decide (half a unit per 4 KB). */
  profileReadUnitsPerUser: number;
  /** Milliseconds per user of ProfileScores' scoring and history step (measured in-process). */
  profileScoringMsPerUser: number;
}

/**
 * Partial Grams a user shard of a production run writes: EASE's and session EASE's, over the train
 * part and over every interaction (gramKindsOf).
 */
export const GRAM_KINDS = gramKindsOf({ sessionEase: SESSION_EASE_OPTIONS, allInteractions: true }).length;

/** User shards per group of the tree of sums at the default modelled items (gramsPerSum). */
export const GRAMS_PER_GROUP = gramsPerSum(DEFAULT_EASE_OPTIONS.maxItems, GRAM_KINDS);

/** Groups of partial Grams (sum tasks) a run of `userShards` user shards sums. */
const gramGroupsOf = (userShards: number) => Math.ceil(userShards / GRAMS_PER_GROUP);

/** The run's interactions, users and shard counts at `events` events. */
export function runSizeOf(events: number, layout: RunLayout): RunSize {
  const interactions = Math.round(events * layout.interactionsPerEvent);
  const userShards = Math.max(1, Math.ceil(interactions / layout.interactionsPerShard));
  return {
    events,
    interactions,
    users: Math.round(interactions * layout.usersPerInteraction),
    userShards,
    gramsPerGroup: GRAMS_PER_GROUP,
    gramGroups: gramGroupsOf(userShards),
    itemShards: itemShardCountFor(interactions, layout.interactionsPerItemShard),
    partitions: Math.max(1, Math.ceil(events / SHARDED_SNAPSHOT.eventsPerPartitionTask)),
  };
}

/** One task kind of the run, its measured time and memory carried to the run's size. */
export interface TaskModel {
  /** Median seconds per task in a run of this size. */
  seconds(size: RunSize): number;
  /** 95th-percentile over median, measured (stragglers set a Map's wall time). */
  p95OverMedian: number;
  /** Peak RSS (MB) per task in a run of this size. */
  peakMb(size: RunSize): number;
}

export type TaskKind =
  | 'snapshot'
  | 'partition'
  | 'joinUsers'
  | 'itemFiles'
  | 'gram'
  | 'sumGrams'
  | 'profiles'
  | 'alsUsers'
  | 'alsItems'
  | 'reduce'
  | 'profilesReduce';

/** How the run reads the events table and snapshots it. */
export interface RunDesign {
  /** One function holding every event (the scan Snapshot), or Maps of bounded tasks (the export snapshot). */
  snapshot: 'one function' | 'sharded';
  /** A parallel Scan billed per read request unit, or a DynamoDB export billed per table GB. */
  read: 'scan' | 'export';
}

export const AS_BUILT: RunDesign = { snapshot: 'one function', read: 'scan' };

/** Tasks that run alone in the parent, not as Map children. */
const SERIAL: readonly TaskKind[] = ['snapshot', 'reduce', 'profilesReduce'];

/** How many of each task, S3 request and Map child a run of this size makes. */
export function runShape(
  size: RunSize,
  als: Pick<CostAssumptions, 'alsIterations' | 'alsPasses'> = DEFAULT_COST_ASSUMPTIONS,
  design: RunDesign = AS_BUILT,
) {
  const { userShards, itemShards, partitions, gramGroups, gramsPerGroup } = size;
  const sharded = design.snapshot === 'sharded';
  const iterations = als.alsIterations;
  const passes = als.alsPasses;
  const counts: Record<TaskKind, number> = {
    snapshot: sharded ? 0 : 1,
    partition: sharded ? partitions : 0,
    joinUsers: sharded ? userShards : 0,
    itemFiles: sharded ? itemShards : 0,
    gram: userShards,
    sumGrams: gramGroups,
    profiles: userShards,
    alsUsers: userShards * iterations * passes,
    alsItems: itemShards * iterations * passes,
    reduce: 1,
    profilesReduce: 1,
  };
  // The tasks of distributed-tasks.ts count their own requests (taskRequests); the first ALS
  // iteration of each pass reads no factors of the other side's previous step.
  const layout = (iteration: number) => ({
    userShards,
    itemShards,
    iteration,
    gramGroups,
    gramsPerGroup,
    gramKinds: GRAM_KINDS,
  });
  const alsRequests = (task: 'alsUsers' | 'alsItems', shards: number) => {
    const first = taskRequests(task, layout(0));
    const later = taskRequests(task, layout(1));
    const rest = shards * Math.max(0, iterations - 1);
    return {
      gets: passes * (shards * first.gets + rest * later.gets),
      puts: passes * (shards * first.puts + rest * later.puts),
    };
  };
  const users = alsRequests('alsUsers', userShards);
  const items = alsRequests('alsItems', itemShards);
  const gram = taskRequests('shard', layout(0));
  const sums = taskRequests('sumGrams', layout(0));
  const reduce = taskRequests('reduce', layout(0));
  const snapshot = taskRequests('snapshot', layout(0));
  // A sharded Snapshot (the export snapshot's tasks, counted from their shape): a partition
  // task reads its slice and writes a piece per user shard; a join task reads its pieces and writes
  // the user shard and events files; an item-file task reads every user shard's slice of it, and
  // writes its file, once per ALS pass's data; plus the plan.
  const shardedGets = sharded
    ? partitions * (design.read === 'export' ? 1 : 0) +
      userShards * partitions +
      itemShards * (1 + passes * userShards)
    : 0;
  const shardedPuts = sharded
    ? partitions * userShards + 2 * userShards + passes * (userShards * itemShards + itemShards) + 1
    : 0;
  // Profiles: a task reads its shard's events and writes features and sample; the reduce reads every sample.
  const profileGets = 2 * userShards;
  const profilePuts = 2 * userShards;
  const gets =
    users.gets +
    items.gets +
    userShards * gram.gets +
    gramGroups * sums.gets +
    reduce.gets +
    (sharded ? shardedGets : snapshot.gets) +
    profileGets;
  // The Reduce's two candidate artifacts.
  const puts =
    users.puts +
    items.puts +
    userShards * gram.puts +
    gramGroups * sums.puts +
    2 +
    (sharded ? shardedPuts : snapshot.puts) +
    profilePuts;
  const mapChildren = (Object.keys(counts) as TaskKind[])
    .filter((kind) => !SERIAL.includes(kind))
    .reduce((n, kind) => n + counts[kind], 0);
  // Parent transitions: one per child started, plus Snapshot, Reduce and the loop's few states.
  const transitions = mapChildren + passes * (6 * iterations + 1) + 8 + (sharded ? 3 : 0);
  return { counts, puts, gets, mapChildren, transitions };
}

export interface RunEstimate {
  size: RunSize;
  wallSeconds: number;
  lambdaGbSeconds: number;
  lambdaRequests: number;
  /** Lambda duration cost ($) per task kind that ran. */
  lambdaByKind: Partial<Record<TaskKind, number>>;
  costs: {
    lambda: number;
    stepFunctions: number;
    s3: number;
    read: number;
    /** ProfileScores' DynamoDB reads of the stored rows and writes of those that changed. */
    profileRows: number;
    total: number;
  };
  /** Limits this size breaks (empty when every task fits its function). */
  breaks: string[];
}

const memoryMb = (peakMb: number, a: CostAssumptions) =>
  Math.max(a.minMemoryMb, Math.ceil((peakMb * a.memoryHeadroom) / 64) * 64);

/** The children one Map of this kind starts per round (a round: the whole run, or one ALS iteration). */
function perRound(kind: TaskKind, size: RunSize): number {
  if (kind === 'alsItems' || kind === 'itemFiles') return size.itemShards;
  if (kind === 'partition') return size.partitions;
  if (kind === 'sumGrams') return size.gramGroups;
  return size.userShards;
}

/** What reading the events table costs ($): the export bills table GB, a Scan 4 KB per half unit. */
export function tableReadCost(events: number, design: RunDesign, a: CostAssumptions): number {
  const bytes = events * a.eventBytes;
  if (design.read === 'export') return (bytes / 1e9) * PRICES.dynamoExportGb;
  return Math.ceil(bytes / 4096) * 0.5 * PRICES.dynamoReadRequest;
}

/** The computed wall time (s) and cost ($) of one retrain of `events` events. */
export function estimateRun(
  events: number,
  layout: RunLayout,
  models: Record<TaskKind, TaskModel>,
  design: RunDesign = AS_BUILT,
  a: CostAssumptions = DEFAULT_COST_ASSUMPTIONS,
): RunEstimate {
  const size = runSizeOf(events, layout);
  const shape = runShape(size, a, design);
  const breaks: string[] = [];
  let wallSeconds = 0;
  let lambdaGbSeconds = 0;
  let expressGbSeconds = 0;
  const lambdaByKind: Partial<Record<TaskKind, number>> = {};
  for (const kind of Object.keys(shape.counts) as TaskKind[]) {
    if (shape.counts[kind] === 0) continue;
    const model = models[kind];
    const inMap = !SERIAL.includes(kind);
    const seconds = model.seconds(size);
    const peak = model.peakMb(size);
    const mb = memoryMb(peak, a);
    if (mb > 10_240) breaks.push(`${kind} needs ~${(peak / 1024).toFixed(1)} GB (Lambda max 10 GB)`);
    if (inMap && seconds > 290)
      breaks.push(`${kind} takes ~${seconds.toFixed(0)} s (Express child max 300 s)`);
    if (!inMap && seconds > 900) breaks.push(`${kind} takes ~${seconds.toFixed(0)} s (Lambda max 900 s)`);
    lambdaGbSeconds += shape.counts[kind] * seconds * (mb / 1024);
    lambdaByKind[kind] = shape.counts[kind] * seconds * (mb / 1024) * PRICES.lambdaArmGbSecond;
    if (inMap) {
      // Express bills each child by its duration (100 ms steps) at the 64 MB minimum.
      expressGbSeconds += shape.counts[kind] * (Math.ceil(seconds * 10) / 10) * (64 / 1024);
      const rounds = kind === 'alsUsers' || kind === 'alsItems' ? a.alsIterations * a.alsPasses : 1;
      const waves = Math.ceil(perRound(kind, size) / a.concurrency);
      wallSeconds += rounds * waves * (seconds * model.p95OverMedian + a.waveOverheadSeconds);
    } else wallSeconds += shape.counts[kind] * seconds;
  }
  // ProfileScores (a Map over the user shards after the reduce): its time per user, at the smallest function.
  const scoringSeconds = (size.users * layout.profileScoringMsPerUser) / 1000;
  lambdaGbSeconds += scoringSeconds * (a.minMemoryMb / 1024);
  wallSeconds += scoringSeconds / Math.min(a.concurrency, size.userShards);
  const lambdaRequests = Object.values(shape.counts).reduce((sum, n) => sum + n, 0) + size.userShards;
  const lambda = lambdaGbSeconds * PRICES.lambdaArmGbSecond + lambdaRequests * PRICES.lambdaRequest;
  const stepFunctions =
    shape.transitions * PRICES.standardTransition +
    shape.mapChildren * PRICES.expressRequest +
    expressGbSeconds * PRICES.expressGbSecond;
  const s3 = shape.puts * PRICES.s3Put + shape.gets * PRICES.s3Get;
  const read = tableReadCost(events, design, a);
  const profileRows =
    size.users *
    (layout.profileWriteUnitsPerUser * PRICES.dynamoWriteRequest +
      layout.profileReadUnitsPerUser * PRICES.dynamoReadRequest);
  return {
    size,
    wallSeconds,
    lambdaGbSeconds,
    lambdaRequests,
    lambdaByKind,
    costs: {
      lambda,
      stepFunctions,
      s3,
      read,
      profileRows,
      total: lambda + stepFunctions + s3 + read + profileRows,
    },
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

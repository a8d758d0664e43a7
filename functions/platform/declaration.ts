/**
 * The one declaration of Marquee: tables, buckets, functions, HTTP routes, S3 triggers,
 * EventBridge rules and schedules. The CDK app (infra/) and the local runtime (local/) both
 * read this file; no table, bucket or route is named anywhere else.
 */

/**
 * Scopes a token can carry. Service scopes (for back ends) nest: admin includes write, which
 * includes read. `self` is an end user's scope: it reaches only routes that declare `endUser`, and
 * on those only the token subject's own data (see EndUserAccess).
 */
export type Scope = 'self' | 'read' | 'write' | 'admin';
export type ServiceScope = Exclude<Scope, 'self'>;
export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** Service scopes from weakest to strongest: each includes the ones before it. */
export const SERVICE_SCOPES: readonly ServiceScope[] = ['read', 'write', 'admin'];

/**
 * What an end-user (`self`) token may do on a route. Absent on a route: end users are refused.
 * `owner` says where the user id sits in the request, and must equal the token's subject;
 * without `owner` the route serves data that belongs to no user (catalog, trending).
 */
export interface EndUserAccess {
  owner?: { path: string } | { bodyList: string; field: string };
}

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableDeclaration {
  /** Logical id; the physical name is `${prefix}-${id}` locally and CDK-generated in AWS. */
  id: string;
  /** Environment variable through which functions receive the physical name. */
  env: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** Attribute holding an epoch-seconds expiry, if the table's data expires. */
  ttlAttribute?: string;
  globalIndexes?: { name: string; partitionKey: KeyAttribute; sortKey?: KeyAttribute }[];
  localIndexes?: { name: string; sortKey: KeyAttribute }[];
  /** Publishes each new row image to a change stream (DynamoDB Streams) that a stream trigger reads. */
  stream?: 'NEW_IMAGE';
}

export interface BucketDeclaration {
  id: string;
  env: string;
  /** Days after which objects under each prefix expire (lifecycle rule); absent: kept. */
  expireAfterDays?: { prefix: string; days: number }[];
  /** Browsers upload to this bucket through presigned URLs. */
  presignedUploads?: boolean;
  /**
   * Keep replaced and deleted objects this many days (S3 versioning), for what cannot be made
   * again from elsewhere: an overwritten or deleted object can be restored within that time.
   */
  keepNoncurrentDays?: number;
}

export type Access = 'read' | 'readWrite';

/**
 * Access to a bucket's objects. Besides read and readWrite: `write` puts objects only (presigned
 * uploads need nothing else), and `name` grants nothing: the function only hands the bucket's name
 * to a service that uses its own role (MediaConvert writing outputs).
 */
export type BucketAccess = Access | 'write' | 'name';

/**
 * A setting a function reads from its environment, checked once at cold start. Each has a
 * documented default, or comes from the stacks: a CDK context key chosen at deploy time, or a value
 * only the infrastructure knows (`fromStack`: an ARN, a layer name).
 */
export interface SettingDeclaration {
  env: string;
  description: string;
  type: 'number' | 'string' | 'boolean';
  /** Bounds of a number (inclusive). */
  min?: number;
  max?: number;
  /** Used when the variable is unset (locally, or in AWS when no context key overrides it). */
  default?: string | number | boolean;
  /** The CDK context key (cdk.json, `-c key=value`) whose value the stacks set. */
  context?: string;
  /** The stacks always set it from what they create. */
  fromStack?: true;
}

export const settings = {
  EVENT_RETENTION_DAYS: {
    env: 'EVENT_RETENTION_DAYS',
    description: 'Days an event is kept after it happened (DynamoDB TTL); 0 keeps events forever.',
    type: 'number',
    min: 0,
    max: 3650,
    default: 365,
    context: 'eventRetentionDays',
  },
  JWT_SCOPE_PREFIX: {
    env: 'JWT_SCOPE_PREFIX',
    description: 'Prefix of the OAuth scopes tokens carry (`marquee/read`).',
    type: 'string',
    default: 'marquee',
    context: 'jwtScopePrefix',
  },
  MODELS_DIR: {
    env: 'MODELS_DIR',
    description:
      "Where the models layer unpacks (Lambda's /opt/models); absent locally, so artifacts come from S3.",
    type: 'string',
    default: '/opt/models',
  },
  MODELS_CACHE_DIR: {
    env: 'MODELS_CACHE_DIR',
    description:
      "Where artifacts fetched from S3 are kept split for memory-mapping (default: the OS temp folder's models-cache).",
    type: 'string',
    default: '',
  },
  MODEL_REFRESH_MS: {
    env: 'MODEL_REFRESH_MS',
    description:
      'How stale the live model pointers may be: a promotion or rollback is served within this time.',
    type: 'number',
    min: 0,
    max: 3_600_000,
    default: 10_000,
  },
  RECS_HISTORY_EVENTS: {
    env: 'RECS_HISTORY_EVENTS',
    description: 'Newest events of a user folded into each recommendation.',
    type: 'number',
    min: 1,
    max: 5_000,
    default: 500,
  },
  RECS_PLAYABLE_TTL_MS: {
    env: 'RECS_PLAYABLE_TTL_MS',
    description:
      'How long a finished video may take to show under playableOnly (one read per container per TTL).',
    type: 'number',
    min: 0,
    max: 3_600_000,
    default: 30_000,
  },
  RECS_FALLBACK_TTL_MS: {
    env: 'RECS_FALLBACK_TTL_MS',
    description:
      'How stale the answer before the first training may be (one bounded read per container per TTL).',
    type: 'number',
    min: 0,
    max: 3_600_000,
    default: 60_000,
  },
  MODELS_LAYER_VERSIONS_KEPT: {
    env: 'MODELS_LAYER_VERSIONS_KEPT',
    description:
      'Models layer versions kept after a publish besides those an alias or $LATEST uses (~90 MB each).',
    type: 'number',
    min: 1,
    max: 100,
    default: 5,
  },
  MODELS_LAYER_BUDGET_MB: {
    env: 'MODELS_LAYER_BUDGET_MB',
    description:
      "Unpacked MB the models layer may hold: Lambda's 250 MB for a function and its layers, less a serving bundle (~1 MB) and the onnxruntime layer (~27 MB), measured. Live models past it (the default model's first, then the smallest) are served from S3.",
    type: 'number',
    min: 10,
    max: 245,
    default: 220,
  },
  SHILLING_DISCOUNT_FACTOR: {
    env: 'SHILLING_DISCOUNT_FACTOR',
    description:
      'Weight the events of accounts the live shilling model flagged keep in recommendation training (0 drops them).',
    type: 'number',
    min: 0,
    max: 1,
    default: 0,
  },
  EASE_MAX_MODELLED_ITEMS: {
    env: 'EASE_MAX_MODELLED_ITEMS',
    description:
      "Items the dense EASE models (ease, ease-session, hybrid) model at most, the most popular first; above what the training function's memory holds (118 MB + 5 x items² x 4 bytes, measured) they are skipped with the reason in GET /models.",
    type: 'number',
    min: 100,
    max: 100_000,
    default: 3000,
  },
  RETRAIN_GATE_SAMPLE_USERS: {
    env: 'RETRAIN_GATE_SAMPLE_USERS',
    description:
      'Distributed retrain: users (a seeded sample) the gate measures candidates on, so the holdout the Reduce reads stays bounded (~1.7 KB of JSON a user) whatever the data size.',
    type: 'number',
    min: 100,
    max: 200_000,
    default: 20_000,
  },
  RETRAIN_INTERACTIONS_PER_SHARD: {
    env: 'RETRAIN_INTERACTIONS_PER_SHARD',
    description:
      'Distributed retrain: (user, item) interactions per user shard file, so each shard task fits its memory and Express 5-minute limit. 400,000 keeps a shard task at a few seconds and ~300 MB (npm run bench -- scale) while halving the tasks, S3 requests and state transitions a run pays per shard against 200,000.',
    type: 'number',
    min: 1000,
    max: 10_000_000,
    default: 400_000,
  },
  RETRAIN_PROFILE_SAMPLE_USERS: {
    env: 'RETRAIN_PROFILE_SAMPLE_USERS',
    description:
      'Distributed retrain: expected number of users the segment, anomaly and churn models train on at the reduce (each shard samples its users by a seeded hash); the single path caps k-means and the forest at the same 50,000 rows.',
    type: 'number',
    min: 100,
    max: 1_000_000,
    default: 50_000,
  },
  RETRAIN_DISTRIBUTED_ABOVE_EVENTS: {
    env: 'RETRAIN_DISTRIBUTED_ABOVE_EVENTS',
    description:
      'A full retrain runs on the distributed state machine when the events table holds more events than this (DescribeTable ItemCount); at most this many train in the one retrain function (about 68 s per million events of its 900 s).',
    type: 'number',
    min: 1000,
    max: 1_000_000_000,
    default: 5_000_000,
  },
  RETRAIN_EXPORT_ABOVE_EVENTS: {
    env: 'RETRAIN_EXPORT_ABOVE_EVENTS',
    description:
      'Distributed retrain: above this many stored events (DescribeTable ItemCount) the run snapshots the events table with a DynamoDB export sharded by stages instead of one function scanning and holding every event (about 650 MB per million events measured: 2 million use half of the 3,008 MB shard function).',
    type: 'number',
    min: 0,
    max: 1_000_000_000,
    default: 2_000_000,
  },
  RETRAIN_EXPORT_MODE: {
    env: 'RETRAIN_EXPORT_MODE',
    description:
      'How the distributed retrain exports the events table: `dynamodb` (ExportTableToPointInTime, set by the stacks) or `scan` (the same files written from a parallel scan, for DynamoDB Local, which has no export).',
    type: 'string',
    default: 'scan',
    fromStack: true,
  },
  RETRAIN_STATE_MACHINE_ARN: {
    env: 'RETRAIN_STATE_MACHINE_ARN',
    description:
      'The distributed retrain state machine the retrain function starts; locally the stand-in the local Step Functions endpoint runs.',
    type: 'string',
    default: 'arn:aws:states:us-east-1:000000000000:stateMachine:marquee-local-retrain',
    fromStack: true,
  },
  TRENDING_REFRESH_DAYS: {
    env: 'TRENDING_REFRESH_DAYS',
    description:
      'How far back the 15-minute trending refresh reads events (trending corrects its sums for the rest).',
    type: 'number',
    min: 1,
    max: 365,
    default: 30,
  },
  PROFILE_MAX_EVENTS: {
    env: 'PROFILE_MAX_EVENTS',
    description:
      'Events of a user a profile read considers at most (the newest 28 days; older behaviour comes from the stored history).',
    type: 'number',
    min: 1,
    max: 100_000,
    default: 2_000,
  },
  PROFILE_MODEL_REFRESH_MS: {
    env: 'PROFILE_MODEL_REFRESH_MS',
    description: 'How stale the live profile models may be.',
    type: 'number',
    min: 0,
    max: 3_600_000,
    default: 30_000,
  },
  PROFILE_CHURN_HORIZON_DAYS: {
    env: 'PROFILE_CHURN_HORIZON_DAYS',
    description: 'Churn means no activity in this many days.',
    type: 'number',
    min: 1,
    max: 90,
    default: 14,
  },
  UPLOAD_URL_TTL_SEC: {
    env: 'UPLOAD_URL_TTL_SEC',
    description: 'Seconds a presigned upload stays valid.',
    type: 'number',
    min: 60,
    max: 604_800,
    default: 3600,
  },
  MEDIA_MAX_UPLOAD_BYTES: {
    env: 'MEDIA_MAX_UPLOAD_BYTES',
    description: 'Largest upload a presigned POST form accepts, bytes (S3 takes at most 5 GiB in one POST).',
    type: 'number',
    min: 1,
    max: 5 * 1024 ** 3,
    default: 5 * 1024 ** 3,
  },
  PLAYBACK_URL_TTL_SEC: {
    env: 'PLAYBACK_URL_TTL_SEC',
    description: 'Seconds a signed playback URL (and its cookies) stays valid.',
    type: 'number',
    min: 60,
    max: 604_800,
    default: 3600,
  },
  PLAYBACK_KEY_CACHE_SEC: {
    env: 'PLAYBACK_KEY_CACHE_SEC',
    description: 'Seconds a container reuses the signing key it read from Secrets Manager.',
    type: 'number',
    min: 0,
    max: 3600,
    default: 300,
  },
  PLAYBACK_BASE_URL: {
    env: 'PLAYBACK_BASE_URL',
    description: "The playback CDN's origin (https://d123.cloudfront.net; locally the playback server).",
    type: 'string',
    fromStack: true,
  },
  PLAYBACK_SIGNING_KEY_SECRET: {
    env: 'PLAYBACK_SIGNING_KEY_SECRET',
    description: 'ARN of the Secrets Manager secret holding the CloudFront signing key pair.',
    type: 'string',
    fromStack: true,
  },
  MEDIA_MAX_SHORT_SIDE: {
    env: 'MEDIA_MAX_SHORT_SIDE',
    description: 'Largest rendition short side, pixels.',
    type: 'number',
    min: 64,
    max: 4320,
    default: 1080,
  },
  MEDIA_MAX_DURATION_SEC: {
    env: 'MEDIA_MAX_DURATION_SEC',
    description: 'Longest master accepted, seconds (longer ones fail before any transcoding is paid for).',
    type: 'number',
    min: 1,
    max: 86_400,
    default: 14_400,
  },
  MEDIA_HEVC_TOP_RUNG: {
    env: 'MEDIA_HEVC_TOP_RUNG',
    description: 'Encode the top rung in HEVC as well.',
    type: 'boolean',
    default: false,
  },
  MEDIA_LOUDNESS_TARGET_LKFS: {
    env: 'MEDIA_LOUDNESS_TARGET_LKFS',
    description: 'Integrated loudness target of the audio, LKFS.',
    type: 'number',
    min: -59,
    max: -6,
    default: -16,
  },
  MEDIA_SEGMENT_SEC: {
    env: 'MEDIA_SEGMENT_SEC',
    description: 'HLS segment length, seconds.',
    type: 'number',
    min: 1,
    max: 30,
    default: 4,
  },
  MEDIA_GOP_SEC: {
    env: 'MEDIA_GOP_SEC',
    description: 'Keyframe interval, seconds.',
    type: 'number',
    min: 0.5,
    max: 10,
    default: 2,
  },
  MEDIA_THUMBNAIL_INTERVAL_SEC: {
    env: 'MEDIA_THUMBNAIL_INTERVAL_SEC',
    description: 'Seconds between thumbnails.',
    type: 'number',
    min: 1,
    max: 3600,
    default: 5,
  },
  FFMPEG_PATH: {
    env: 'FFMPEG_PATH',
    description:
      'The ffmpeg binary that measures videos (smart colour): the ffmpeg layer puts it at /opt/bin/ffmpeg; locally the npm installer package.',
    type: 'string',
    default: '/opt/bin/ffmpeg',
  },
  MEDIA_VMAF_MODEL_PATH: {
    env: 'MEDIA_VMAF_MODEL_PATH',
    description:
      "Netflix's VMAF v0.6.1 model (`vmaf_v0.6.1.pkl`, its `.pkl.model` beside it): the ffmpeg layer puts it at /opt/vmaf; locally set it (e.g. ../shared/data/vmaf/vmaf_v0.6.1.pkl), else assets say no model is configured.",
    type: 'string',
    default: '/opt/vmaf/vmaf_v0.6.1.pkl',
  },
  MEDIA_VMAF_SAMPLE_SEC: {
    env: 'MEDIA_VMAF_SAMPLE_SEC',
    description:
      'Seconds of video VMAF measures per rendition: the whole video up to this length, else 2 s windows spread evenly over it (docs/video.md).',
    type: 'number',
    min: 1,
    max: 600,
    default: 10,
  },
  MEDIACONVERT_QUEUE_ARN: {
    env: 'MEDIACONVERT_QUEUE_ARN',
    description: 'The MediaConvert queue jobs are submitted to.',
    type: 'string',
    fromStack: true,
  },
  MEDIACONVERT_ROLE_ARN: {
    env: 'MEDIACONVERT_ROLE_ARN',
    description: 'The role MediaConvert assumes to read masters and write renditions.',
    type: 'string',
    fromStack: true,
  },
  MODEL_SERVING_FUNCTIONS: {
    env: 'MODEL_SERVING_FUNCTIONS',
    description: 'Comma-separated functions retrain attaches new models layers to; empty locally.',
    type: 'string',
    default: '',
    fromStack: true,
  },
  MODELS_LAYER_NAME: {
    env: 'MODELS_LAYER_NAME',
    description: 'The layer retrain publishes models into; empty locally (no layer).',
    type: 'string',
    default: '',
    fromStack: true,
  },
  MODELS_LAYER_ARCHITECTURE: {
    env: 'MODELS_LAYER_ARCHITECTURE',
    description: 'Architecture the published models layer declares (the functions’ own).',
    type: 'string',
    default: '',
    fromStack: true,
  },
  RECOMMENDATION_ID_KEY_SECRET: {
    env: 'RECOMMENDATION_ID_KEY_SECRET',
    description:
      'ARN of the Secrets Manager secret holding the key that signs recommendation ids (locally generated in the state folder).',
    type: 'string',
    fromStack: true,
  },
  ATTRIBUTION_WINDOW_HOURS: {
    env: 'ATTRIBUTION_WINDOW_HOURS',
    description:
      'A click or play without a recommendationId is credited to the newest list that showed the item this many hours before.',
    type: 'number',
    min: 1,
    max: 720,
    default: 24,
  },
  EXPERIMENTS_REFRESH_MS: {
    env: 'EXPERIMENTS_REFRESH_MS',
    description:
      'How stale the running experiments a container assigns users to may be: a new or stopped experiment applies within this time.',
    type: 'number',
    min: 0,
    max: 3_600_000,
    default: 10_000,
  },
  MODELS_LAYER_RUNTIME: {
    env: 'MODELS_LAYER_RUNTIME',
    description: 'Runtime the published models layer declares (the functions’ own).',
    type: 'string',
    default: '',
    fromStack: true,
  },
} as const satisfies Record<string, SettingDeclaration>;

export type SettingId = keyof typeof settings;

export interface FunctionDeclaration {
  id: string;
  /** Entry file, relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSec: number;
  /** Lambda's /tmp, MB, when more than its default 512 (models the layer cannot hold are cached there). */
  tmpMb?: number;
  /**
   * Concurrent executions reserved for it, and its ceiling: a busy client or a long retrain cannot
   * take the account's whole Lambda concurrency, and this function always has its share.
   */
  reservedConcurrency: number;
  tables: Partial<Record<TableId, Access>>;
  buckets: Partial<Record<BucketId, BucketAccess>>;
  /** Loads ONNX models through onnxruntime-node (gets the runtime and models layers). */
  usesModels?: boolean;
  /** Runs ffmpeg to measure videos (gets the ffmpeg layer, which puts the binary at /opt/bin/ffmpeg). */
  usesFfmpeg?: boolean;
  /** Submits MediaConvert jobs (gets the endpoint, queue and role). */
  usesMediaConvert?: boolean;
  /** The settings it reads (checked against its bundle and its environment by test/infra). */
  settings?: readonly SettingId[];
  /**
   * Signs playback URLs for this bucket's CDN (in AWS a CloudFront distribution with a key group;
   * locally the playback server): gets the CDN's URL and read access to the signing key.
   */
  signsPlaybackFor?: BucketId;
}

export interface RouteDeclaration {
  method: HttpMethod;
  /** API Gateway path syntax: `/items/{itemId}`. */
  path: string;
  function: FunctionId;
  /** The weakest service scope that reaches the route (stronger ones do too). */
  scope: ServiceScope;
  /** Whether, and on whose data, an end-user token reaches the route. */
  endUser?: EndUserAccess;
  /**
   * A tighter limit than the API's own for a route whose requests cost much more than a read
   * (requests per second, burst); beyond it callers get 429.
   */
  throttle?: { rate: number; burst: number };
  /** Operation id: names the contract (functions/contracts) and the handler's adapter. */
  operation: string;
  summary: string;
}

export interface S3TriggerDeclaration {
  bucket: BucketId;
  function: FunctionId;
  /** The S3 event types that fire the trigger (every object created in the bucket). */
  events: ['s3:ObjectCreated:*'];
}

/**
 * A function fed by a table's change stream, as a Lambda event source mapping would: batches of
 * new row images in order per key, retried until the function succeeds (so it must be idempotent).
 */
export interface StreamTriggerDeclaration {
  table: TableId;
  function: FunctionId;
  /** Records per invocation, at most. */
  batchSize: number;
  /** Only rows whose `type` attribute is one of these reach the function (an event filter). */
  types: readonly string[];
}

export interface EventRuleDeclaration {
  id: string;
  function: FunctionId;
  pattern: { source: string[]; 'detail-type': string[]; detail?: Record<string, unknown[]> };
}

export interface ScheduleDeclaration {
  id: string;
  function: FunctionId;
  /** EventBridge expression: `rate(6 hours)` or `cron(0 3 * * ? *)`. */
  expression: string;
  /** Passed to the function as the event's `detail`. */
  detail: Record<string, unknown>;
}

export const tables = {
  items: {
    id: 'items',
    env: 'ITEMS_TABLE',
    partitionKey: { name: 'itemId', type: 'S' },
    // The recommender reads playable items (and the newest ones) here instead of scanning the table.
    globalIndexes: [
      {
        name: 'byAvailability',
        partitionKey: { name: 'availability', type: 'S' },
        sortKey: { name: 'createdAt', type: 'S' },
      },
    ],
  },
  users: {
    id: 'users',
    env: 'USERS_TABLE',
    partitionKey: { name: 'userId', type: 'S' },
  },
  events: {
    id: 'events',
    env: 'EVENTS_TABLE',
    // One item per (user, eventId): a retried batch overwrites instead of duplicating.
    partitionKey: { name: 'userId', type: 'S' },
    sortKey: { name: 'eventId', type: 'S' },
    ttlAttribute: 'expiresAt',
    localIndexes: [{ name: 'byTime', sortKey: { name: 'ts', type: 'N' } }],
    // Experiment counters follow new events through the stream (streamTriggers below).
    stream: 'NEW_IMAGE',
    // The newest window of every user's events (trending refresh, first-start fallback), a day in
    // four shards (functions/adapters/models/catalog-indexes.ts).
    globalIndexes: [
      { name: 'byDay', partitionKey: { name: 'dayShard', type: 'S' }, sortKey: { name: 'ts', type: 'N' } },
    ],
  },
  profiles: {
    id: 'profiles',
    env: 'PROFILES_TABLE',
    partitionKey: { name: 'userId', type: 'S' },
    globalIndexes: [
      {
        name: 'bySegment',
        partitionKey: { name: 'segmentId', type: 'S' },
        sortKey: { name: 'userId', type: 'S' },
      },
      // A sparse index: only flagged-or-scored users carry `anomalyShard`.
      {
        name: 'byAnomaly',
        partitionKey: { name: 'anomalyShard', type: 'S' },
        sortKey: { name: 'anomalyScore', type: 'N' },
      },
    ],
  },
  // One row per user: the tally of their events before the last profile retrain's cut, so a profile
  // read fetches only the events since (see functions/domain/profiles/profile-history.ts). Expires
  // a few days after its cut: the nightly retrain rewrites it, and an inactive user's goes away.
  profileHistory: {
    id: 'profileHistory',
    env: 'PROFILE_HISTORY_TABLE',
    partitionKey: { name: 'userId', type: 'S' },
    ttlAttribute: 'expiresAt',
  },
  models: {
    id: 'models',
    env: 'MODELS_TABLE',
    // name = model name (e.g. `ease`), version = zero-padded sequence; `LIVE` pointer rows share the table.
    partitionKey: { name: 'name', type: 'S' },
    sortKey: { name: 'version', type: 'S' },
  },
  // Experiments by id; the few running ones are read whole by every serving container (cached).
  experiments: {
    id: 'experiments',
    env: 'EXPERIMENTS_TABLE',
    partitionKey: { name: 'experimentId', type: 'S' },
  },
  // Aggregates per (experiment, variant): sums and sums of squares over users, no user id.
  experimentCounters: {
    id: 'experimentCounters',
    env: 'EXPERIMENT_COUNTERS_TABLE',
    partitionKey: { name: 'experimentId', type: 'S' },
    sortKey: { name: 'variant', type: 'S' },
  },
  // What experiments know per user, erased with the user: the lists that showed each item
  // (exposures), how each click or play was attributed, per-experiment assignment tallies and the
  // markers that make stream redeliveries count once (`record` = kind#id).
  exposures: {
    id: 'exposures',
    env: 'EXPOSURES_TABLE',
    partitionKey: { name: 'userId', type: 'S' },
    sortKey: { name: 'record', type: 'S' },
    ttlAttribute: 'expiresAt',
  },
  assets: {
    id: 'assets',
    env: 'ASSETS_TABLE',
    partitionKey: { name: 'assetId', type: 'S' },
    ttlAttribute: 'expiresAt',
    globalIndexes: [
      {
        name: 'byStatus',
        partitionKey: { name: 'status', type: 'S' },
        sortKey: { name: 'createdAt', type: 'S' },
      },
    ],
  },
} as const satisfies Record<string, TableDeclaration>;

export type TableId = keyof typeof tables;

export const buckets = {
  uploads: {
    id: 'uploads',
    env: 'UPLOADS_BUCKET',
    presignedUploads: true,
    expireAfterDays: [{ prefix: '', days: 30 }],
  },
  media: {
    id: 'media',
    env: 'MEDIA_BUCKET',
    // Renditions: a re-run job replaces them, and transcoding again costs money.
    keepNoncurrentDays: 30,
  },
  models: {
    id: 'models',
    env: 'MODELS_BUCKET',
    // Live and past model versions: a rollback needs the artifact it points back to.
    keepNoncurrentDays: 30,
    expireAfterDays: [
      { prefix: 'candidates/', days: 90 },
      // Zips retrain uploads for PublishLayerVersion; Lambda copies them at publication.
      { prefix: 'layers/', days: 30 },
      // A distributed retrain's working files (shards, partial Grams, factors: gigabytes at scale);
      // published models are copied out of them, and a week is enough to look into a failed run.
      { prefix: 'runs/', days: 7 },
    ],
  },
} as const satisfies Record<string, BucketDeclaration>;

export type BucketId = keyof typeof buckets;

/**
 * What a function that measures a video with ffmpeg, plans a ladder and submits MediaConvert jobs
 * reads: the ladder's settings, the queue and role, and the ffmpeg binary (ingest and smartCrop).
 */
const MEDIA_JOB_SETTINGS = [
  'MEDIA_MAX_SHORT_SIDE',
  'MEDIA_MAX_DURATION_SEC',
  'MEDIA_HEVC_TOP_RUNG',
  'MEDIA_LOUDNESS_TARGET_LKFS',
  'MEDIA_SEGMENT_SEC',
  'MEDIA_GOP_SEC',
  'MEDIA_THUMBNAIL_INTERVAL_SEC',
  'MEDIACONVERT_QUEUE_ARN',
  'MEDIACONVERT_ROLE_ARN',
  'FFMPEG_PATH',
] as const satisfies readonly SettingId[];

export const functions = {
  health: {
    id: 'health',
    entry: 'functions/handlers/health.ts',
    description: 'Health of storage, object store and models',
    memoryMb: 256,
    timeoutSec: 5,
    reservedConcurrency: 5,
    tables: { items: 'read', models: 'read' },
    buckets: { models: 'read' },
    settings: ['JWT_SCOPE_PREFIX'],
  },
  catalog: {
    id: 'catalog',
    entry: 'functions/handlers/catalog.ts',
    description: 'Items, users, events and erasure',
    memoryMb: 512,
    timeoutSec: 10,
    reservedConcurrency: 100,
    tables: {
      items: 'readWrite',
      users: 'readWrite',
      events: 'readWrite',
      profiles: 'readWrite',
      profileHistory: 'readWrite',
      exposures: 'readWrite',
    },
    buckets: {},
    settings: ['JWT_SCOPE_PREFIX', 'EVENT_RETENTION_DAYS', 'RECOMMENDATION_ID_KEY_SECRET'],
  },
  recommendations: {
    id: 'recommendations',
    entry: 'functions/handlers/recommendations.ts',
    description: 'Recommendations, similar items, ranking, trending and the model registry',
    memoryMb: 1769,
    timeoutSec: 10,
    // Live models past the models layer's budget are split into /tmp and memory-mapped: room for the
    // three dense EASE blocks at the largest EASE the retrain trains (3 x 10,194² x 4 bytes ≈ 1.2 GiB;
    // 2.1 GiB at the 13,677 items an older, one-solve memory rule allowed).
    tmpMb: 3072,
    reservedConcurrency: 200,
    tables: { items: 'read', events: 'read', models: 'readWrite', experiments: 'read' },
    buckets: { models: 'read' },
    settings: [
      'JWT_SCOPE_PREFIX',
      'RECOMMENDATION_ID_KEY_SECRET',
      'EXPERIMENTS_REFRESH_MS',
      'MODELS_DIR',
      'MODELS_CACHE_DIR',
      'MODEL_REFRESH_MS',
      'RECS_HISTORY_EVENTS',
      'RECS_PLAYABLE_TTL_MS',
      'RECS_FALLBACK_TTL_MS',
    ],
    usesModels: true,
  },
  profiles: {
    id: 'profiles',
    entry: 'functions/handlers/profiles.ts',
    description: 'Audience profiles, segments and anomalies',
    memoryMb: 1024,
    timeoutSec: 10,
    reservedConcurrency: 50,
    tables: {
      items: 'read',
      users: 'read',
      events: 'read',
      profiles: 'readWrite',
      profileHistory: 'read',
      models: 'read',
    },
    buckets: { models: 'read' },
    settings: ['JWT_SCOPE_PREFIX', 'PROFILE_MAX_EVENTS', 'PROFILE_MODEL_REFRESH_MS'],
    usesModels: true,
  },
  videos: {
    id: 'videos',
    entry: 'functions/handlers/videos.ts',
    description: 'Video upload URLs, asset status and signed playback URLs',
    memoryMb: 512,
    timeoutSec: 10,
    reservedConcurrency: 20,
    tables: { assets: 'readWrite' },
    // Signs PutObject URLs for browsers; it never reads an upload.
    buckets: { uploads: 'write' },
    settings: [
      'JWT_SCOPE_PREFIX',
      'UPLOAD_URL_TTL_SEC',
      'MEDIA_MAX_UPLOAD_BYTES',
      'PLAYBACK_URL_TTL_SEC',
      'PLAYBACK_KEY_CACHE_SEC',
      'PLAYBACK_BASE_URL',
      'PLAYBACK_SIGNING_KEY_SECRET',
    ],
    // Signs CDN URLs of the outputs; the CDN, not the function, reads the media bucket.
    signsPlaybackFor: 'media',
  },
  ingest: {
    id: 'ingest',
    entry: 'functions/handlers/ingest.ts',
    description:
      'Probes an uploaded master, measures its exposure and colour, plans its ladder and submits the MediaConvert job',
    memoryMb: 1024,
    timeoutSec: 60,
    reservedConcurrency: 10,
    tables: { assets: 'readWrite' },
    // The job's outputs go to the media bucket through MediaConvert's own role.
    buckets: { uploads: 'read', media: 'name' },
    settings: MEDIA_JOB_SETTINGS,
    usesMediaConvert: true,
    usesFfmpeg: true,
  },
  mediaEvents: {
    id: 'mediaEvents',
    entry: 'functions/handlers/media-events.ts',
    description: 'Applies MediaConvert job state changes to assets and the catalog',
    memoryMb: 512,
    timeoutSec: 30,
    reservedConcurrency: 20,
    tables: { assets: 'readWrite', items: 'readWrite' },
    buckets: {},
  },
  smartCrop: {
    id: 'smartCrop',
    entry: 'functions/handlers/smart-crop.ts',
    description:
      'Analyses a READY video’s MP4 rendition for smart crop and submits its 9:16 and 1:1 jobs; records their outcome',
    // 1 vCPU for the one-pass ffmpeg analysis (about 2 s per minute of 720p video on one core).
    memoryMb: 1769,
    timeoutSec: 300,
    reservedConcurrency: 5,
    tables: { assets: 'readWrite' },
    // Reads the rendition it analyses; the crop jobs read the master through MediaConvert's own role.
    buckets: { media: 'read', uploads: 'name' },
    settings: MEDIA_JOB_SETTINGS,
    usesMediaConvert: true,
    usesFfmpeg: true,
  },
  renditionQuality: {
    id: 'renditionQuality',
    entry: 'functions/handlers/rendition-quality.ts',
    description:
      'Measures VMAF, PSNR and SSIM of a READY video’s renditions against its source on a bounded sample; flags renditions far below their rung',
    // 1 vCPU: libvmaf at the source's display size is the cost (docs/video.md: seconds per minute of video).
    memoryMb: 1769,
    timeoutSec: 900,
    reservedConcurrency: 5,
    tables: { assets: 'readWrite' },
    // Reads the source and the renditions it compares (over presigned URLs that ffmpeg opens).
    buckets: { uploads: 'read', media: 'read' },
    settings: ['FFMPEG_PATH', 'MEDIA_VMAF_MODEL_PATH', 'MEDIA_VMAF_SAMPLE_SEC'],
    usesFfmpeg: true,
  },
  retrain: {
    id: 'retrain',
    entry: 'functions/handlers/retrain.ts',
    description: 'Trains, evaluates and gates every model; publishes the winners',
    memoryMb: 4096,
    timeoutSec: 900,
    // One run at a time (the lease in the models table says so; this makes a second one wait).
    reservedConcurrency: 1,
    tables: {
      items: 'read',
      users: 'read',
      events: 'read',
      models: 'readWrite',
      profiles: 'readWrite',
      profileHistory: 'readWrite',
    },
    buckets: { models: 'readWrite' },
    settings: [
      'PROFILE_CHURN_HORIZON_DAYS',
      'SHILLING_DISCOUNT_FACTOR',
      'TRENDING_REFRESH_DAYS',
      'MODELS_LAYER_VERSIONS_KEPT',
      'MODELS_LAYER_BUDGET_MB',
      'MODEL_SERVING_FUNCTIONS',
      'MODELS_LAYER_NAME',
      'MODELS_LAYER_ARCHITECTURE',
      'MODELS_LAYER_RUNTIME',
      'RETRAIN_DISTRIBUTED_ABOVE_EVENTS',
      'RETRAIN_STATE_MACHINE_ARN',
      'EASE_MAX_MODELLED_ITEMS',
    ],
    usesModels: true,
  },
  retrainShard: {
    id: 'retrainShard',
    entry: 'functions/handlers/retrain-shard.ts',
    description:
      'The tasks of the distributed retrain state machine: snapshot, per-shard Gram, ALS and profile steps, reduces',
    memoryMb: 3008,
    // A Distributed Map's Express child executions end at 5 minutes.
    timeoutSec: 290,
    // Shard tasks of one Map run side by side; the machine caps them below this.
    reservedConcurrency: 100,
    // The reduces gate and publish into the registry (and read the live shilling model's flags); the
    // profile scoring Map writes each shard's users' summaries and histories, as the single retrain does.
    tables: {
      items: 'read',
      events: 'read',
      models: 'readWrite',
      profiles: 'readWrite',
      profileHistory: 'readWrite',
    },
    buckets: { models: 'readWrite' },
    settings: [
      'RETRAIN_INTERACTIONS_PER_SHARD',
      'SHILLING_DISCOUNT_FACTOR',
      'EASE_MAX_MODELLED_ITEMS',
      'RETRAIN_PROFILE_SAMPLE_USERS',
      'PROFILE_CHURN_HORIZON_DAYS',
      'RETRAIN_EXPORT_ABOVE_EVENTS',
      'RETRAIN_EXPORT_MODE',
      'RETRAIN_GATE_SAMPLE_USERS',
    ],
    usesModels: true,
  },
  experiments: {
    id: 'experiments',
    entry: 'functions/handlers/experiments.ts',
    description: 'A/B experiments between models and their results',
    memoryMb: 512,
    timeoutSec: 10,
    reservedConcurrency: 10,
    tables: { experiments: 'readWrite', experimentCounters: 'read' },
    buckets: {},
    settings: ['JWT_SCOPE_PREFIX'],
  },
  experimentCounters: {
    id: 'experimentCounters',
    entry: 'functions/handlers/experiment-counters.ts',
    description: 'Attributes new impressions, clicks and plays and adds them to experiment counters',
    memoryMb: 512,
    timeoutSec: 60,
    reservedConcurrency: 5,
    tables: { exposures: 'readWrite', experimentCounters: 'readWrite' },
    buckets: {},
    settings: ['RECOMMENDATION_ID_KEY_SECRET', 'ATTRIBUTION_WINDOW_HOURS'],
  },
  openapi: {
    id: 'openapi',
    entry: 'functions/handlers/openapi.ts',
    description: 'Serves the OpenAPI document',
    memoryMb: 256,
    timeoutSec: 5,
    reservedConcurrency: 5,
    tables: {},
    buckets: {},
    settings: ['JWT_SCOPE_PREFIX'],
  },
} as const satisfies Record<string, FunctionDeclaration>;

export type FunctionId = keyof typeof functions;

export const routes: RouteDeclaration[] = [
  {
    method: 'GET',
    path: '/health',
    operation: 'getHealth',
    endUser: {},
    function: 'health',
    scope: 'read',
    summary: 'Health of each component; 503 while the API cannot serve',
  },
  {
    method: 'GET',
    path: '/openapi.json',
    operation: 'getOpenApi',
    endUser: {},
    function: 'openapi',
    scope: 'read',
    summary: 'This API as OpenAPI 3.1',
  },
  {
    method: 'PUT',
    path: '/items/{itemId}',
    operation: 'putItem',
    function: 'catalog',
    scope: 'write',
    summary: 'Create or replace an item',
  },
  {
    method: 'GET',
    path: '/items/{itemId}',
    operation: 'getItem',
    endUser: {},
    function: 'catalog',
    scope: 'read',
    summary: 'Read an item',
  },
  {
    method: 'POST',
    path: '/items/batch',
    operation: 'putItems',
    function: 'catalog',
    scope: 'write',
    summary: 'Upsert up to 100 items',
  },
  {
    method: 'PUT',
    path: '/users/{userId}',
    operation: 'putUser',
    endUser: { owner: { path: 'userId' } },
    function: 'catalog',
    scope: 'write',
    summary: "Set a user's attributes",
  },
  {
    method: 'GET',
    path: '/users/{userId}',
    operation: 'getUser',
    endUser: { owner: { path: 'userId' } },
    function: 'catalog',
    scope: 'read',
    summary: "Read a user's attributes",
  },
  {
    method: 'DELETE',
    path: '/users/{userId}',
    operation: 'eraseUser',
    // Deletes a whole history: a loop of erasures must not crowd out the API.
    throttle: { rate: 5, burst: 10 },
    function: 'catalog',
    scope: 'admin',
    summary: 'Erase a user',
  },
  {
    method: 'POST',
    path: '/events',
    operation: 'postEvents',
    endUser: { owner: { bodyList: 'events', field: 'userId' } },
    function: 'catalog',
    scope: 'write',
    summary: 'Record up to 100 events',
  },
  {
    method: 'GET',
    path: '/users/{userId}/events',
    operation: 'listUserEvents',
    endUser: { owner: { path: 'userId' } },
    function: 'catalog',
    scope: 'read',
    summary: "A user's events, newest first",
  },
  {
    method: 'GET',
    path: '/users/{userId}/recommendations',
    operation: 'getRecommendations',
    endUser: { owner: { path: 'userId' } },
    function: 'recommendations',
    scope: 'read',
    summary: 'Top-k items for a user',
  },
  {
    method: 'POST',
    path: '/users/{userId}/rank',
    operation: 'rankItems',
    endUser: { owner: { path: 'userId' } },
    function: 'recommendations',
    scope: 'read',
    summary: 'Personalised ranking of given items',
  },
  {
    method: 'GET',
    path: '/items/{itemId}/similar',
    operation: 'getSimilarItems',
    endUser: {},
    function: 'recommendations',
    scope: 'read',
    summary: 'Items like this one',
  },
  {
    method: 'GET',
    path: '/trending',
    operation: 'getTrending',
    endUser: {},
    function: 'recommendations',
    scope: 'read',
    summary: 'Rising items',
  },
  {
    method: 'GET',
    path: '/models',
    operation: 'listModels',
    function: 'recommendations',
    scope: 'admin',
    summary: 'Model registry',
  },
  {
    method: 'POST',
    path: '/models/{name}/rollback',
    operation: 'rollbackModel',
    throttle: { rate: 1, burst: 2 },
    function: 'recommendations',
    scope: 'admin',
    summary: 'Make the previous version live',
  },
  {
    method: 'GET',
    path: '/users/{userId}/profile',
    operation: 'getProfile',
    endUser: { owner: { path: 'userId' } },
    function: 'profiles',
    scope: 'read',
    summary: "A user's audience profile",
  },
  {
    method: 'GET',
    path: '/segments',
    operation: 'listSegments',
    function: 'profiles',
    scope: 'read',
    summary: 'Audience segments',
  },
  {
    method: 'GET',
    path: '/segments/{segmentId}/users',
    operation: 'listSegmentUsers',
    function: 'profiles',
    scope: 'read',
    summary: "A segment's users, paged",
  },
  {
    method: 'GET',
    path: '/anomalies',
    operation: 'listAnomalies',
    function: 'profiles',
    scope: 'admin',
    summary: 'Most anomalous users',
  },
  {
    method: 'POST',
    path: '/videos',
    operation: 'createUpload',
    // Each upload starts a paid transcoding job.
    throttle: { rate: 10, burst: 20 },
    function: 'videos',
    scope: 'write',
    summary: 'Start an upload',
  },
  {
    method: 'GET',
    path: '/videos/{assetId}',
    operation: 'getVideo',
    function: 'videos',
    scope: 'read',
    summary: "A video's status",
  },
  {
    method: 'GET',
    path: '/videos',
    operation: 'listVideos',
    function: 'videos',
    scope: 'read',
    summary: 'Videos, by status',
  },
  {
    method: 'GET',
    path: '/videos/{assetId}/playback',
    operation: 'getPlayback',
    function: 'videos',
    scope: 'read',
    summary: 'Signed playback URLs of a READY video',
  },
  {
    method: 'POST',
    path: '/experiments',
    operation: 'createExperiment',
    function: 'experiments',
    scope: 'admin',
    summary: 'Start an A/B experiment between models on a surface',
  },
  {
    method: 'GET',
    path: '/experiments',
    operation: 'listExperiments',
    function: 'experiments',
    scope: 'read',
    summary: 'Experiments, newest first',
  },
  {
    method: 'GET',
    path: '/experiments/{experimentId}',
    operation: 'getExperiment',
    function: 'experiments',
    scope: 'read',
    summary: 'An experiment',
  },
  {
    method: 'POST',
    path: '/experiments/{experimentId}/stop',
    operation: 'stopExperiment',
    function: 'experiments',
    scope: 'admin',
    summary: 'Stop an experiment now',
  },
  {
    method: 'GET',
    path: '/experiments/{experimentId}/results',
    operation: 'getExperimentResults',
    function: 'experiments',
    scope: 'read',
    summary: "An experiment's figures per variant, lift and verdict",
  },
];

export const streamTriggers: StreamTriggerDeclaration[] = [
  { table: 'events', function: 'experimentCounters', batchSize: 100, types: ['impression', 'click', 'play'] },
];

export const s3Triggers: S3TriggerDeclaration[] = [
  { bucket: 'uploads', function: 'ingest', events: ['s3:ObjectCreated:*'] },
];

/** The event Step Functions sends to EventBridge when an execution changes status. */
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

export const eventRules: EventRuleDeclaration[] = [
  {
    id: 'mediaconvert-job-state',
    function: 'mediaEvents',
    pattern: { source: ['aws.mediaconvert'], 'detail-type': ['MediaConvert Job State Change'] },
  },
  {
    // A finished main job starts the asset's smart crops; finished crop jobs are recorded.
    id: 'mediaconvert-job-settled-smart-crop',
    function: 'smartCrop',
    pattern: {
      source: ['aws.mediaconvert'],
      'detail-type': ['MediaConvert Job State Change'],
      detail: { status: ['COMPLETE', 'ERROR'] },
    },
  },
  {
    // A finished main job gets its renditions' VMAF, PSNR and SSIM (MediaConvert measures none).
    id: 'mediaconvert-job-complete-rendition-quality',
    function: 'renditionQuality',
    pattern: {
      source: ['aws.mediaconvert'],
      'detail-type': ['MediaConvert Job State Change'],
      detail: { status: ['COMPLETE'] },
    },
  },
  {
    // A stopped or timed-out distributed retrain runs no Catch: its end frees its lease at once
    // instead of 3 h later (a failed one already released it; the release is idempotent). The ML
    // stack narrows the pattern to its own state machine.
    id: 'retrain-execution-ended',
    function: 'retrainShard',
    pattern: {
      source: ['aws.states'],
      'detail-type': [EXECUTION_STATUS_CHANGE],
      detail: { status: ['ABORTED', 'TIMED_OUT', 'FAILED'] },
    },
  },
  {
    // A distributed retrain that succeeded puts the new live versions into the models layer, as a
    // single run does at its end: only the retrain function may publish layers.
    id: 'retrain-execution-succeeded',
    function: 'retrain',
    pattern: {
      source: ['aws.states'],
      'detail-type': [EXECUTION_STATUS_CHANGE],
      detail: { status: ['SUCCEEDED'] },
    },
  },
];

export const schedules: ScheduleDeclaration[] = [
  {
    id: 'retrain-nightly',
    function: 'retrain',
    expression: 'cron(0 3 * * ? *)',
    detail: { reason: 'schedule' },
  },
  {
    // The nightly run alone leaves trending up to a day old; this refresh trains only trending, from
    // the newest TRENDING_REFRESH_DAYS of events read through the events time index (profiles and
    // the all-time popularity, which needs every event, are left to the nightly run).
    id: 'trending-refresh',
    function: 'retrain',
    expression: 'rate(15 minutes)',
    detail: { reason: 'schedule', models: ['trending'] },
  },
];

/**
 * The alias of every function that the API and the triggers invoke: CDK puts it on the version a
 * deploy publishes; retrain moves a serving function's alias to each version it publishes with a
 * new models layer.
 */
export const SERVING_ALIAS = 'live';

/** `GET /items/{itemId}` — the API Gateway route key. */
export const routeKey = (route: Pick<RouteDeclaration, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

export const routesOf = (fn: FunctionId): RouteDeclaration[] => routes.filter((r) => r.function === fn);

/**
 * The bucket served to players through a signing CDN: the one some function `signsPlaybackFor`.
 * One at most, as the signing functions get one CDN URL (PLAYBACK_BASE_URL).
 */
export function playbackBucket(): BucketId | undefined {
  const declared: FunctionDeclaration[] = Object.values(functions);
  const signed = [...new Set(declared.flatMap((fn) => (fn.signsPlaybackFor ? [fn.signsPlaybackFor] : [])))];
  if (signed.length > 1)
    throw new Error(`only one bucket can be served for playback, got ${signed.join(', ')}`);
  return signed[0];
}

/**
 * The function that answers requests matching no declared route (API Gateway's `$default` route;
 * the local gateway does the same), so unknown paths and methods get problem+json 404/405.
 */
export const fallbackFunction: FunctionId = 'catalog';

/** The scope prefix of the local gateway and the default of the stacks' `jwtScopePrefix`. */
export const DEFAULT_SCOPE_PREFIX = 'marquee';

/** The OAuth scope string of a scope, e.g. `marquee/read`. */
export const oauthScope = (scope: Scope, prefix: string = DEFAULT_SCOPE_PREFIX): string =>
  `${prefix}/${scope}`;

/** Whether a token's scopes include `needed` (directly, or through a stronger service scope). */
export const grants = (held: readonly Scope[], needed: ServiceScope): boolean =>
  held.some((scope) => scope !== 'self' && SERVICE_SCOPES.indexOf(scope) >= SERVICE_SCOPES.indexOf(needed));

/**
 * Every scope that lets a token through to `route`: its service scope, the stronger ones, and
 * `self` when end users may call it. API Gateway's JWT authorizer admits a token holding any one
 * of a route's scopes, and so does the local gateway; the edge then limits `self` to its owner.
 */
export const acceptedScopes = (route: Pick<RouteDeclaration, 'scope' | 'endUser'>): Scope[] => [
  ...SERVICE_SCOPES.slice(SERVICE_SCOPES.indexOf(route.scope)),
  ...(route.endUser ? (['self'] as const) : []),
];

/** The declared scopes a token holds, from its OAuth scope strings (`marquee/read` -> `read`). */
export const scopesFromOAuth = (oauth: readonly string[], prefix: string = DEFAULT_SCOPE_PREFIX): Scope[] =>
  oauth.flatMap((entry) => {
    const scope = entry.startsWith(`${prefix}/`) ? entry.slice(prefix.length + 1) : undefined;
    return scope === 'self' || SERVICE_SCOPES.includes(scope as ServiceScope) ? [scope as Scope] : [];
  });

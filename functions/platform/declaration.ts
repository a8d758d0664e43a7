/**
 * The one declaration of Marquee: tables, buckets, functions, HTTP routes, S3 triggers,
 * EventBridge rules and schedules. The CDK app (infra/) and the local runtime (local/) both
 * read this file; no table, bucket or route is named anywhere else.
 */

export type Scope = 'read' | 'write' | 'admin';
export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

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
}

export interface BucketDeclaration {
  id: string;
  env: string;
  /** Days after which objects under each prefix expire (lifecycle rule); absent: kept. */
  expireAfterDays?: { prefix: string; days: number }[];
  /** Browsers upload to this bucket through presigned URLs. */
  presignedUploads?: boolean;
}

export type Access = 'read' | 'readWrite';

/**
 * Access to a bucket's objects. Besides read and readWrite: `write` puts objects only (presigned
 * uploads need nothing else), and `name` grants nothing: the function only hands the bucket's name
 * to a service that uses its own role (MediaConvert writing outputs).
 */
export type BucketAccess = Access | 'write' | 'name';

export interface FunctionDeclaration {
  id: string;
  /** Entry file, relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSec: number;
  tables: Partial<Record<TableId, Access>>;
  buckets: Partial<Record<BucketId, BucketAccess>>;
  /** Loads ONNX models through onnxruntime-node (gets the runtime and models layers). */
  usesModels?: boolean;
  /** Submits MediaConvert jobs (gets the endpoint, queue and role). */
  usesMediaConvert?: boolean;
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
  scope: Scope;
  /** Operation id: names the contract (functions/contracts) and the handler's adapter. */
  operation: string;
  summary: string;
}

export interface S3TriggerDeclaration {
  bucket: BucketId;
  function: FunctionId;
  /** Object key suffixes that fire the trigger, matched case-insensitively by the handler. */
  events: ['s3:ObjectCreated:*'];
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
  models: {
    id: 'models',
    env: 'MODELS_TABLE',
    // name = model name (e.g. `ease`), version = zero-padded sequence; `LIVE` pointer rows share the table.
    partitionKey: { name: 'name', type: 'S' },
    sortKey: { name: 'version', type: 'S' },
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
  },
  models: {
    id: 'models',
    env: 'MODELS_BUCKET',
    expireAfterDays: [
      { prefix: 'candidates/', days: 90 },
      // Zips retrain uploads for PublishLayerVersion; Lambda copies them at publication.
      { prefix: 'layers/', days: 30 },
    ],
  },
} as const satisfies Record<string, BucketDeclaration>;

export type BucketId = keyof typeof buckets;

export const functions = {
  catalog: {
    id: 'catalog',
    entry: 'functions/handlers/catalog.ts',
    description: 'Health, items, users, events and erasure',
    memoryMb: 512,
    timeoutSec: 10,
    tables: { items: 'readWrite', users: 'readWrite', events: 'readWrite', profiles: 'readWrite' },
    buckets: {},
  },
  recommendations: {
    id: 'recommendations',
    entry: 'functions/handlers/recommendations.ts',
    description: 'Recommendations, similar items, ranking, trending and the model registry',
    memoryMb: 1769,
    timeoutSec: 10,
    tables: { items: 'read', events: 'read', models: 'readWrite' },
    buckets: { models: 'read' },
    usesModels: true,
  },
  profiles: {
    id: 'profiles',
    entry: 'functions/handlers/profiles.ts',
    description: 'Audience profiles, segments and anomalies',
    memoryMb: 1024,
    timeoutSec: 10,
    tables: { items: 'read', users: 'read', events: 'read', profiles: 'readWrite', models: 'read' },
    buckets: { models: 'read' },
    usesModels: true,
  },
  videos: {
    id: 'videos',
    entry: 'functions/handlers/videos.ts',
    description: 'Video upload URLs, asset status and signed playback URLs',
    memoryMb: 512,
    timeoutSec: 10,
    tables: { assets: 'readWrite' },
    // Signs PutObject URLs for browsers; it never reads an upload.
    buckets: { uploads: 'write' },
    // Signs CDN URLs of the outputs; the CDN, not the function, reads the media bucket.
    signsPlaybackFor: 'media',
  },
  ingest: {
    id: 'ingest',
    entry: 'functions/handlers/ingest.ts',
    description: 'Probes an uploaded master, plans its ladder and submits the MediaConvert job',
    memoryMb: 512,
    timeoutSec: 60,
    tables: { assets: 'readWrite' },
    // The job's outputs go to the media bucket through MediaConvert's own role.
    buckets: { uploads: 'read', media: 'name' },
    usesMediaConvert: true,
  },
  mediaEvents: {
    id: 'mediaEvents',
    entry: 'functions/handlers/media-events.ts',
    description: 'Applies MediaConvert job state changes to assets and the catalog',
    memoryMb: 512,
    timeoutSec: 30,
    tables: { assets: 'readWrite', items: 'readWrite' },
    buckets: {},
  },
  retrain: {
    id: 'retrain',
    entry: 'functions/handlers/retrain.ts',
    description: 'Trains, evaluates and gates every model; publishes the winners',
    memoryMb: 4096,
    timeoutSec: 900,
    tables: { items: 'read', users: 'read', events: 'read', models: 'readWrite', profiles: 'readWrite' },
    buckets: { models: 'readWrite' },
    usesModels: true,
  },
  openapi: {
    id: 'openapi',
    entry: 'functions/handlers/openapi.ts',
    description: 'Serves the OpenAPI document',
    memoryMb: 256,
    timeoutSec: 5,
    tables: {},
    buckets: {},
  },
} as const satisfies Record<string, FunctionDeclaration>;

export type FunctionId = keyof typeof functions;

export const routes: RouteDeclaration[] = [
  {
    method: 'GET',
    path: '/health',
    operation: 'getHealth',
    function: 'catalog',
    scope: 'read',
    summary: 'Liveness and dependencies',
  },
  {
    method: 'GET',
    path: '/openapi.json',
    operation: 'getOpenApi',
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
    function: 'catalog',
    scope: 'write',
    summary: "Set a user's attributes",
  },
  {
    method: 'GET',
    path: '/users/{userId}',
    operation: 'getUser',
    function: 'catalog',
    scope: 'read',
    summary: "Read a user's attributes",
  },
  {
    method: 'DELETE',
    path: '/users/{userId}',
    operation: 'eraseUser',
    function: 'catalog',
    scope: 'admin',
    summary: 'Erase a user',
  },
  {
    method: 'POST',
    path: '/events',
    operation: 'postEvents',
    function: 'catalog',
    scope: 'write',
    summary: 'Record up to 100 events',
  },
  {
    method: 'GET',
    path: '/users/{userId}/events',
    operation: 'listUserEvents',
    function: 'catalog',
    scope: 'read',
    summary: "A user's events, newest first",
  },
  {
    method: 'GET',
    path: '/users/{userId}/recommendations',
    operation: 'getRecommendations',
    function: 'recommendations',
    scope: 'read',
    summary: 'Top-k items for a user',
  },
  {
    method: 'POST',
    path: '/users/{userId}/rank',
    operation: 'rankItems',
    function: 'recommendations',
    scope: 'read',
    summary: 'Personalised ranking of given items',
  },
  {
    method: 'GET',
    path: '/items/{itemId}/similar',
    operation: 'getSimilarItems',
    function: 'recommendations',
    scope: 'read',
    summary: 'Items like this one',
  },
  {
    method: 'GET',
    path: '/trending',
    operation: 'getTrending',
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
    function: 'recommendations',
    scope: 'admin',
    summary: 'Make the previous version live',
  },
  {
    method: 'GET',
    path: '/users/{userId}/profile',
    operation: 'getProfile',
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
];

export const s3Triggers: S3TriggerDeclaration[] = [
  { bucket: 'uploads', function: 'ingest', events: ['s3:ObjectCreated:*'] },
];

export const eventRules: EventRuleDeclaration[] = [
  {
    id: 'mediaconvert-job-state',
    function: 'mediaEvents',
    pattern: { source: ['aws.mediaconvert'], 'detail-type': ['MediaConvert Job State Change'] },
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
    // The nightly run alone leaves trending up to a day old; this refresh trains only the cheap
    // count-based models (profiles are skipped by the retrain handler for a restricted run).
    id: 'trending-refresh',
    function: 'retrain',
    expression: 'rate(15 minutes)',
    detail: { reason: 'schedule', models: ['trending', 'popularity'] },
  },
];

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

/** The OAuth scope a route of the given declared scope requires, e.g. `marquee/read`. */
export const oauthScope = (scope: Scope, prefix: string = DEFAULT_SCOPE_PREFIX): string =>
  `${prefix}/${scope}`;

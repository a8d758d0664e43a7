/**
 * The model registry: versions with their figures, a live pointer per model, the quality gate and
 * rollback. Storage sits behind two ports (records and artifact bytes); the DynamoDB and S3
 * adapters live in functions/adapters/models/.
 */
import { ConflictError, NotFoundError } from '#domain/errors.ts';

export type ModelStatus = 'live' | 'candidate' | 'rejected' | 'retired';

export interface GateDecision {
  decision: 'promoted' | 'rejected';
  metric: string;
  /** The candidate's figure (absent when it has none: then it is rejected). */
  candidateValue?: number;
  /** The live version's figure on the same holdout (absent for a first version or one without it). */
  liveValue?: number;
  liveVersion?: string;
  reason: string;
}

export interface ModelVersion {
  name: string;
  /** Zero-padded sequence, so versions sort as strings. */
  version: string;
  status: ModelStatus;
  /** Object key of the .onnx artifact in the models bucket. */
  artifactKey: string;
  sizeBytes: number;
  /** ISO timestamp. */
  trainedAt: string;
  trainMs: number;
  /** Epoch ms of the newest event the shipped artifact was trained on (decides whether re-measuring it is fair). */
  dataCutoff?: number;
  /** Figures on the holdout (ndcg, precision, recall, map, coverage at k). */
  metrics: Record<string, number>;
  gate?: GateDecision;
}

export interface LivePointer {
  name: string;
  version: string;
  /** Versions that were live before, oldest first; rollback pops the last. */
  history: string[];
  /** ISO timestamp. */
  updatedAt: string;
  /**
   * The live version's artifact, so serving loads it without reading the version record (one round
   * trip less per cold start or promotion).
   */
  artifactKey: string;
}

/** Port: model records (DynamoDB `models` table in AWS). */
export interface ModelRecordStore {
  putVersion(version: ModelVersion): Promise<void>;
  getVersion(name: string, version: string): Promise<ModelVersion | undefined>;
  /** Every version of `name`, or of every model when omitted, ascending. */
  listVersions(name?: string): Promise<ModelVersion[]>;
  getLive(name: string): Promise<LivePointer | undefined>;
  /** Replaces the pointer only if the current live version is `expected` (undefined: none); else ConflictError. */
  setLive(pointer: LivePointer, expected: string | undefined): Promise<void>;
  /** The personal model serving answers with when the caller names none. */
  getDefaultModel(): Promise<string | undefined>;
  setDefaultModel(name: string): Promise<void>;
  /**
   * What serving re-reads every TTL: the live pointers of `names` (those that have one) and the
   * default model, in one round trip where the store allows.
   */
  getServingPointers(names: readonly string[]): Promise<ServingPointers>;
}

export interface ServingPointers {
  defaultModel: string | undefined;
  live: LivePointer[];
}

/** `getServingPointers` from the single reads, for stores where they cost nothing (memory). */
export async function servingPointersOneByOne(
  store: Pick<ModelRecordStore, 'getLive' | 'getDefaultModel'>,
  names: readonly string[],
): Promise<ServingPointers> {
  const [defaultModel, pointers] = await Promise.all([
    store.getDefaultModel(),
    Promise.all(names.map((name) => store.getLive(name))),
  ]);
  return { defaultModel, live: pointers.filter((p): p is LivePointer => p !== undefined) };
}

/** The live pointers of `names` by name, in one `getServingPointers` round trip. */
export async function livePointersOf(
  records: Pick<ModelRecordStore, 'getServingPointers'>,
  names: readonly string[],
): Promise<{ defaultModel: string | undefined; live: Map<string, LivePointer> }> {
  const { defaultModel, live } = await records.getServingPointers(names);
  return { defaultModel, live: new Map(live.map((pointer) => [pointer.name, pointer])) };
}

/** Port: artifact bytes (S3 models bucket in AWS). */
export interface ArtifactStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Throws NotFoundError when the object does not exist. */
  get(key: string): Promise<Uint8Array>;
}

export interface GatePolicy {
  /** The metric compared, e.g. `ndcg`. */
  metric: string;
  /** A candidate may be this much worse (absolute) and still count as "no worse" (noise). */
  tolerance: number;
}

export const DEFAULT_GATE_POLICY: GatePolicy = { metric: 'ndcg', tolerance: 0 };

/** The quality gate: promote when there is no live version or the candidate is no worse. */
export function gateCandidate(
  candidate: Record<string, number>,
  live: { version: string; metrics: Record<string, number> } | undefined,
  policy: GatePolicy = DEFAULT_GATE_POLICY,
): GateDecision {
  // A missing or non-finite figure is left out of the decision: it is recorded, and DynamoDB
  // refuses NaN and infinities.
  const candidateValue = candidate[policy.metric];
  if (candidateValue === undefined || !Number.isFinite(candidateValue)) {
    return { decision: 'rejected', metric: policy.metric, reason: `candidate has no ${policy.metric}` };
  }
  if (!live) {
    return { decision: 'promoted', metric: policy.metric, candidateValue, reason: 'no live version' };
  }
  const liveValue = live.metrics[policy.metric];
  if (liveValue === undefined || !Number.isFinite(liveValue)) {
    const reason = `live ${live.version} has no ${policy.metric}`;
    return { decision: 'promoted', metric: policy.metric, candidateValue, liveVersion: live.version, reason };
  }
  const promoted = candidateValue >= liveValue - policy.tolerance;
  const cmp = `${policy.metric} ${candidateValue.toFixed(4)} vs live ${live.version} ${liveValue.toFixed(4)}`;
  return {
    decision: promoted ? 'promoted' : 'rejected',
    metric: policy.metric,
    candidateValue,
    liveValue,
    liveVersion: live.version,
    reason: promoted ? `no worse: ${cmp}` : `worse: ${cmp}`,
  };
}

/** Next version number for `name`: one past the highest recorded. */
export function nextVersion(existing: readonly ModelVersion[]): string {
  const highest = existing.reduce((max, v) => Math.max(max, Number(v.version) || 0), 0);
  return String(highest + 1).padStart(6, '0');
}

/** Artifact keys: promoted under `models/`, rejected under `candidates/` (the bucket expires those). */
export function artifactKeyFor(name: string, version: string, status: 'live' | 'rejected'): string {
  return status === 'live' ? `models/${name}/${version}.onnx` : `candidates/${name}/${version}.onnx`;
}

export interface CandidateInput {
  name: string;
  bytes: Uint8Array;
  trainMs: number;
  trainedAt: Date;
  /** Epoch ms of the newest training event in the artifact. */
  dataCutoff?: number;
  /** Candidate figures on this run's holdout. */
  metrics: Record<string, number>;
  /** The live version's figures re-measured on the same holdout, when it could be loaded. */
  liveMetricsNow?: Record<string, number>;
}

/**
 * Records a candidate: gates it against the live version, stores the artifact and the version
 * record (with the figures either way), and moves the live pointer when it passes.
 */
export async function publishCandidate(
  records: ModelRecordStore,
  artifacts: ArtifactStore,
  input: CandidateInput,
  policy: GatePolicy = DEFAULT_GATE_POLICY,
): Promise<ModelVersion> {
  const versions = await records.listVersions(input.name);
  const version = nextVersion(versions);
  const pointer = await records.getLive(input.name);
  const liveRecord = pointer ? versions.find((v) => v.version === pointer.version) : undefined;
  const live = liveRecord
    ? { version: liveRecord.version, metrics: input.liveMetricsNow ?? liveRecord.metrics }
    : undefined;
  const gate = gateCandidate(input.metrics, live, policy);
  const promoted = gate.decision === 'promoted';
  const record: ModelVersion = {
    name: input.name,
    version,
    status: promoted ? 'live' : 'rejected',
    artifactKey: artifactKeyFor(input.name, version, promoted ? 'live' : 'rejected'),
    sizeBytes: input.bytes.byteLength,
    trainedAt: input.trainedAt.toISOString(),
    trainMs: Math.round(input.trainMs),
    ...(input.dataCutoff === undefined ? {} : { dataCutoff: input.dataCutoff }),
    metrics: input.metrics,
    gate,
  };
  await artifacts.put(record.artifactKey, input.bytes);
  await records.putVersion(record);
  if (promoted) {
    await records.setLive(
      {
        name: input.name,
        version,
        history: pointer ? [...pointer.history, pointer.version] : [],
        updatedAt: new Date().toISOString(),
        artifactKey: record.artifactKey,
      },
      pointer?.version,
    );
    if (liveRecord) await records.putVersion({ ...liveRecord, status: 'retired' });
  }
  return record;
}

/** Makes the previously live version live again; the rolled-back version is kept as retired. */
export async function rollback(
  records: ModelRecordStore,
  name: string,
  now = new Date(),
): Promise<ModelVersion> {
  const pointer = await records.getLive(name);
  if (!pointer) throw new NotFoundError('model', name);
  const previous = pointer.history.at(-1);
  if (!previous) throw new ConflictError(`model '${name}' has no earlier version to roll back to`);
  const target = await records.getVersion(name, previous);
  if (!target) throw new NotFoundError('model version', `${name}/${previous}`);
  await records.setLive(
    {
      name,
      version: previous,
      history: pointer.history.slice(0, -1),
      updatedAt: now.toISOString(),
      artifactKey: target.artifactKey,
    },
    pointer.version,
  );
  const current = await records.getVersion(name, pointer.version);
  if (current) await records.putVersion({ ...current, status: 'retired' });
  const restored = { ...target, status: 'live' as const };
  await records.putVersion(restored);
  return restored;
}

export interface RegistryListing {
  defaultModel?: string;
  models: { name: string; liveVersion?: string; versions: ModelVersion[] }[];
}

/** GET /models: every model, its live version and all versions with their figures. */
export async function listModels(records: ModelRecordStore): Promise<RegistryListing> {
  const versions = await records.listVersions();
  const names = [...new Set(versions.map((v) => v.name))].sort();
  const { defaultModel, live } = await livePointersOf(records, names);
  const models = names.map((name) => ({
    name,
    liveVersion: live.get(name)?.version,
    versions: versions.filter((v) => v.name === name),
  }));
  return { defaultModel, models };
}

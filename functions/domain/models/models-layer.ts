/**
 * Putting the live models into the models Lambda layer: which files the layer holds, how a
 * function's layer list changes, and when retrain does it. The Lambda and S3 calls sit behind
 * `ModelsLayerPublisher` (adapter: functions/adapters/models/lambda-layer-publisher.ts).
 */
import { externalDataFileOf, metadataFileOf, splitExternalData } from '#domain/onnx/external-data.ts';
import { livePointersOf, type ModelRecordStore, type ModelVersion } from './registry.ts';

/** Folder a layer's `models/` unpacks to in Lambda (layers unpack under /opt). */
export const MODELS_LAYER_ROOT = 'models';

export interface ModelsLayerFile {
  /** Object key in the models bucket, as the registry records it (`models/<name>/<version>.onnx`). */
  artifactKey: string;
  /**
   * Path inside the layer zip: `models/<artifactKey>`, so it unpacks to `/opt/models/<artifactKey>`,
   * the file `LayeredArtifacts('/opt/models', …).get(artifactKey)` reads.
   */
  zipPath: string;
}

/** Port: publishes a models layer version and puts a function's `live` alias on it. */
export interface ModelsLayerPublisher {
  /** Zips `files` (bytes from the models bucket) into a new layer version; returns its ARN. */
  publish(files: readonly ModelsLayerFile[]): Promise<{ layerVersionArn: string }>;
  /**
   * Replaces the function's models layer with `layerVersionArn` ($LATEST), waits for the update,
   * publishes a function version and moves the `live` alias to it; returns that version.
   */
  attach(functionName: string, layerVersionArn: string): Promise<{ functionVersion: string }>;
  /** The version ARN of the models layer the `live` alias serves with; undefined when it has none. */
  attachedVersion(functionName: string): Promise<string | undefined>;
  /** The models layer version ARNs the function still uses: $LATEST's and the `live` alias's. */
  layersInUse(functionName: string): Promise<string[]>;
  /** Every published version number of the models layer. */
  listVersions(): Promise<number[]>;
  /** Deletes one version; functions already configured with it keep their copy (Lambda's rule). */
  deleteVersion(version: number): Promise<void>;
}

/**
 * Layer versions kept after a publish by default: the new one and the four before it, so a
 * function can be put back by hand on an earlier layer. Each version stores ~90 MB; versions an
 * alias or $LATEST uses are kept besides.
 */
export const MODELS_LAYER_VERSIONS_KEPT = 5;

/** The versions to delete: every one but the newest `keep`, never `inUse`, oldest first. */
export function layerVersionsToPrune(
  versions: readonly number[],
  inUse: readonly number[],
  keep: number = MODELS_LAYER_VERSIONS_KEPT,
): number[] {
  const newestFirst = [...new Set(versions)].sort((a, b) => b - a);
  return newestFirst
    .slice(Math.max(1, keep))
    .filter((v) => !inUse.includes(v))
    .sort((a, b) => a - b);
}

/** The version number at the end of a layer version ARN. */
export function layerVersionOf(arn: string): number | undefined {
  const version = Number(arn.split(':').at(-1));
  return layerNameOf(arn) !== undefined && Number.isInteger(version) ? version : undefined;
}

/** The layer's files for these live versions, one per distinct artifact key, sorted by key. */
export function modelsLayerFiles(live: readonly Pick<ModelVersion, 'artifactKey'>[]): ModelsLayerFile[] {
  const keys = [...new Set(live.map((v) => v.artifactKey))].sort();
  return keys.map((artifactKey) => ({ artifactKey, zipPath: `${MODELS_LAYER_ROOT}/${artifactKey}` }));
}

/**
 * The zip entries of one layer file: the graph at `zipPath`, its large weights in the side file
 * `<zipPath>.data`, so serving memory-maps them from /opt instead of reading them, and its metadata
 * in `<zipPath>.meta` (see domain/onnx/external-data.ts). Throws when `artifact` is not an ONNX model.
 */
export function modelsLayerEntries(
  file: ModelsLayerFile,
  artifact: Uint8Array,
): { path: string; bytes: Uint8Array }[] {
  const { graph, data, metadata } = splitExternalData(artifact, externalDataFileOf(file.zipPath));
  return [
    { path: file.zipPath, bytes: graph },
    { path: `${file.zipPath}.data`, bytes: data },
    { path: metadataFileOf(file.zipPath), bytes: metadata },
  ];
}

/** A live artifact the layer may hold: its model, key and size (bytes, as the registry recorded it). */
export interface LiveArtifact {
  name: string;
  artifactKey: string;
  sizeBytes: number;
}

/** Every model's live artifact, as its pointer names it (models with no pointer are left out). */
export async function liveArtifacts(
  records: ModelRecordStore,
  names: readonly string[],
): Promise<LiveArtifact[]> {
  const { live } = await livePointersOf(records, names);
  const out: LiveArtifact[] = [];
  for (const name of names) {
    const pointer = live.get(name);
    if (!pointer) continue;
    const version = await records.getVersion(name, pointer.version);
    out.push({ name, artifactKey: pointer.artifactKey, sizeBytes: version?.sizeBytes ?? 0 });
  }
  return out;
}

/**
 * The live artifacts one layer holds within `budgetBytes` (unpacked; an artifact unpacks to about
 * its own size: graph, weights and metadata split apart): the default model's first, since most
 * requests name no model, then the smallest first, so as many models as possible start from /opt.
 * The rest are served from S3 through `LayeredArtifacts` (cached in /tmp), which is slower to
 * start, never wrong. No budget: every one.
 */
export function fitModelsLayer(
  live: readonly LiveArtifact[],
  budgetBytes: number | undefined,
  defaultModel?: string,
): { included: LiveArtifact[]; leftOut: LiveArtifact[] } {
  const unique = [...new Map(live.map((a) => [a.artifactKey, a])).values()];
  if (budgetBytes === undefined) return { included: unique, leftOut: [] };
  const order = [...unique].sort(
    (a, b) =>
      Number(b.name === defaultModel) - Number(a.name === defaultModel) ||
      a.sizeBytes - b.sizeBytes ||
      a.artifactKey.localeCompare(b.artifactKey),
  );
  const included: LiveArtifact[] = [];
  const leftOut: LiveArtifact[] = [];
  let used = 0;
  for (const artifact of order) {
    if (used + artifact.sizeBytes <= budgetBytes) {
      included.push(artifact);
      used += artifact.sizeBytes;
    } else leftOut.push(artifact);
  }
  return { included, leftOut };
}

/**
 * A function's layer list with `newVersionArn` in place of its current version of `layerName`
 * (matched by the name in `arn:aws:lambda:<region>:<account>:layer:<name>:<version>`), or appended
 * when it has none; every other layer keeps its position.
 */
export function withModelsLayer(
  currentLayerArns: readonly string[],
  newVersionArn: string,
  layerName: string,
): string[] {
  let replaced = false;
  const out: string[] = [];
  for (const arn of currentLayerArns) {
    if (layerNameOf(arn) !== layerName) out.push(arn);
    else if (!replaced) {
      out.push(newVersionArn);
      replaced = true;
    }
    // A second version of the same layer would be a conflict Lambda refuses; drop it.
  }
  if (!replaced) out.push(newVersionArn);
  return out;
}

/** The layer name in a layer version ARN, or undefined when `arn` is not one. */
export function layerNameOf(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length === 8 && parts[0] === 'arn' && parts[2] === 'lambda' && parts[5] === 'layer'
    ? parts[6]
    : undefined;
}

/** The layer version retrain published last, and the artifacts it holds. */
export interface PublishedModelsLayer {
  layerVersionArn: string;
  /** Sorted. */
  artifactKeys: string[];
  /** ISO timestamp. */
  publishedAt: string;
}

/** Port: where retrain records the layer it published (a row of the models table in AWS). */
export interface ModelsLayerRecords {
  getModelsLayer(): Promise<PublishedModelsLayer | undefined>;
  setModelsLayer(layer: PublishedModelsLayer): Promise<void>;
}

export type ModelsLayerOutcome =
  | {
      published: false;
      reason: string;
      /** Functions put back on the recorded version (a deploy had reset their layer list). */
      reattached?: string[];
      /** Live artifacts over the layer budget, served from S3 instead (keys). */
      leftOut?: string[];
    }
  | {
      published: true;
      layerVersionArn: string;
      files: ModelsLayerFile[];
      functions: string[];
      /** Live artifacts over the layer budget, served from S3 instead (keys). */
      leftOut?: string[];
      /** Old layer versions deleted after the attach. */
      pruned: number[];
      /** Why pruning stopped, when it did; the publish itself still counts. */
      pruneError?: string;
    };

export interface ModelsLayerRun {
  records: ModelRecordStore & ModelsLayerRecords;
  /** The models whose live artifacts the layer holds (those served through `LayeredArtifacts`). */
  modelNames: readonly string[];
  /**
   * False for a run restricted to some models (the frequent trending refresh): each publish retires
   * every warm serving container and stores ~90 MB more layer, so only full runs publish; a model
   * promoted in between is served from S3 through the registry TTL.
   */
  fullRun: boolean;
  /** Serving functions to attach the new version to; empty means "not in AWS" (skip). */
  servingFunctions: readonly string[];
  /** Absent when `servingFunctions` is empty. */
  publisher: ModelsLayerPublisher | undefined;
  /** Layer versions kept besides those in use (MODELS_LAYER_VERSIONS_KEPT). */
  keep?: number;
  /** Unpacked bytes the models may take in the layer (MODELS_LAYER_BUDGET_MB); absent = no limit. */
  budgetBytes?: number;
}

/**
 * After a full retrain, keeps the serving functions on a layer holding exactly the live artifacts:
 * - when the layer recorded last holds them (nothing was promoted, or only trending in between),
 *   nothing is published; any function not on that version (a `cdk deploy` puts back the layer it
 *   built) is attached to it again;
 * - otherwise (a promotion, a rollback, the first run) a new version with every live artifact that
 *   fits `budgetBytes` (see `fitModelsLayer`; the others are named in `leftOut`) is published, attached to each function one after another (a function version published and the
 *   `live` alias moved to it), recorded, and versions beyond the newest `keep` are deleted, never
 *   one that $LATEST or an alias still uses.
 */
export async function publishModelsLayerAfterRetrain(run: ModelsLayerRun): Promise<ModelsLayerOutcome> {
  if (run.servingFunctions.length === 0 || !run.publisher) {
    return { published: false, reason: 'no serving functions configured (local run)' };
  }
  if (!run.fullRun) return { published: false, reason: 'run restricted to some models' };
  const publisher = run.publisher;
  const live = await liveArtifacts(run.records, run.modelNames);
  if (live.length === 0) return { published: false, reason: 'no model has a live version' };
  const { included, leftOut } = fitModelsLayer(live, run.budgetBytes, await run.records.getDefaultModel());
  const files = modelsLayerFiles(included);
  if (files.length === 0)
    return { published: false, reason: `no live model fits the layer budget of ${run.budgetBytes} bytes` };
  const overBudget = leftOut.length > 0 ? { leftOut: leftOut.map((a) => a.artifactKey) } : {};
  const keys = files.map((f) => f.artifactKey);
  const recorded = await run.records.getModelsLayer();
  if (recorded && sameKeys(recorded.artifactKeys, keys)) {
    const reattached: string[] = [];
    try {
      for (const fn of run.servingFunctions) {
        if ((await publisher.attachedVersion(fn)) === recorded.layerVersionArn) continue;
        await publisher.attach(fn, recorded.layerVersionArn);
        reattached.push(fn);
      }
      return {
        published: false,
        reason: 'the layer already holds the live versions',
        reattached,
        ...overBudget,
      };
    } catch {
      // The recorded version is gone or refused (deleted by hand, say): publish a fresh one below.
    }
  }
  const { layerVersionArn } = await publisher.publish(files);
  // Sequential, so a failure leaves the later functions untouched and the error names one function.
  for (const fn of run.servingFunctions) await publisher.attach(fn, layerVersionArn);
  await run.records.setModelsLayer({
    layerVersionArn,
    artifactKeys: keys,
    publishedAt: new Date().toISOString(),
  });
  const pruned: number[] = [];
  let pruneError: string | undefined;
  try {
    const used = (await Promise.all(run.servingFunctions.map((fn) => publisher.layersInUse(fn)))).flat();
    const inUse = [layerVersionArn, ...used].flatMap((arn) => layerVersionOf(arn) ?? []);
    const versions = await publisher.listVersions();
    for (const version of layerVersionsToPrune(versions, inUse, run.keep)) {
      await publisher.deleteVersion(version);
      pruned.push(version);
    }
  } catch (error) {
    pruneError = (error as Error).message;
  }
  return {
    published: true,
    layerVersionArn,
    files,
    functions: [...run.servingFunctions],
    ...overBudget,
    pruned,
    ...(pruneError === undefined ? {} : { pruneError }),
  };
}

/** Whether two lists hold the same artifact keys, in any order. */
function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  const sortedB = [...b].sort();
  return a.length === b.length && [...a].sort().every((key, i) => key === sortedB[i]);
}

/** MODEL_SERVING_FUNCTIONS (comma-separated) as a list; empty for '' or only separators. */
export function parseFunctionList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Serving's view of the registry: re-reads each model's live pointer at most every `ttlMs` and
 * loads a new version's artifact when the pointer moved, so a promotion or rollback takes effect
 * without a restart. A corrupt or missing artifact never takes serving down: the previously loaded
 * version keeps answering (or popularity does), and the failure is reported through `onFailure`.
 */
import type { ArtifactStore, LivePointer, ModelRecordStore } from '#domain/models/registry.ts';
import { isModelName, MODEL_NAMES, type ModelName, PERSONAL_MODELS } from './artifact.ts';
import {
  loadServingModel,
  type ModelSet,
  type OpenedArtifact,
  type ServingModel,
} from './serving/loading.ts';

/** Port: opens registry artifacts for serving (adapter: functions/adapters/models/layered-artifacts.ts). */
export interface ServingArtifacts {
  /** The artifact under `key`, in memory or as a file; throws NotFoundError when it does not exist. */
  open(key: string): Promise<OpenedArtifact>;
  /** Called once a loaded version is replaced: whatever was kept on disk for it may go. */
  forget?(key: string): Promise<void>;
}

/** Serving straight from an artifact store, each artifact read whole into memory. */
export function servingFrom(store: ArtifactStore): ServingArtifacts {
  return { open: (key) => store.get(key) };
}

export interface LoadFailure {
  name: ModelName;
  version: string;
  error: unknown;
}

export interface LiveModelsOptions {
  /** How long a pointer read stays fresh, ms. */
  ttlMs: number;
  names?: readonly ModelName[];
  onFailure?: (failure: LoadFailure) => void;
  /** Clock, epoch ms (tests). */
  now?: () => number;
}

export class LiveModels {
  private readonly loaded = new Map<ModelName, ServingModel & { artifactKey: string }>();
  /** Versions that failed to load; not retried until their pointer changes or the TTL passes. */
  private readonly failed = new Map<ModelName, string>();
  private defaultModel: ModelName | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;
  /** Load failures since start (for metrics). */
  failures = 0;

  constructor(
    private readonly records: ModelRecordStore,
    private readonly artifacts: ServingArtifacts,
    private readonly options: LiveModelsOptions,
  ) {}

  /** Live pointer per model, as last read from the registry. */
  private readonly pointers = new Map<ModelName, LivePointer>();
  private readonly inFlight = new Map<ModelName, Promise<void>>();

  /**
   * The models to answer with now; re-reads the live pointers when the TTL has passed. Only the
   * models in `needed` are loaded (all when omitted; `default` stands for the default personal
   * model), so a cold container downloads what its first request uses, not every artifact.
   */
  async current(needed?: readonly (ModelName | 'default')[]): Promise<ModelSet> {
    const now = (this.options.now ?? Date.now)();
    const stale = now - this.checkedAt >= this.options.ttlMs;
    if (stale) {
      this.refreshing ??= this.refreshPointers().finally(() => {
        this.refreshing = undefined;
      });
      await this.refreshing;
      this.checkedAt = now;
    }
    const names = needed
      ? [...new Set(needed.map((n) => (n === 'default' ? this.chooseDefault() : n)))]
      : [...this.pointers.keys()];
    await Promise.all(names.map((name) => this.ensureLoaded(name, stale)));
    return {
      models: Object.fromEntries(this.loaded),
      defaultModel: this.chooseDefault(),
      trained: this.pointers.size > 0,
    };
  }

  /** Forces a registry read on the next call (after a rollback in this process). */
  invalidate(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  /** The stored default when it is live, else the first live personal model, else popularity. */
  private chooseDefault(): ModelName {
    if (this.defaultModel && this.pointers.has(this.defaultModel)) return this.defaultModel;
    return PERSONAL_MODELS.find((n) => this.pointers.has(n)) ?? 'popularity';
  }

  private async refreshPointers(): Promise<void> {
    const { defaultModel, live } = await this.records.getServingPointers(this.options.names ?? MODEL_NAMES);
    this.defaultModel = defaultModel && isModelName(defaultModel) ? defaultModel : undefined;
    for (const pointer of live) if (isModelName(pointer.name)) this.pointers.set(pointer.name, pointer);
  }

  /** Loads the live version of `name` unless loaded; a failed version is retried once per TTL. */
  private async ensureLoaded(name: ModelName, retryFailed: boolean): Promise<void> {
    const pointer = this.pointers.get(name);
    if (!pointer || this.loaded.get(name)?.version === pointer.version) return;
    if (!retryFailed && this.failed.get(name) === pointer.version) return;
    let pending = this.inFlight.get(name);
    if (!pending) {
      pending = this.load(pointer).finally(() => this.inFlight.delete(name));
      this.inFlight.set(name, pending);
    }
    await pending;
  }

  private async load(pointer: LivePointer): Promise<void> {
    const name = pointer.name as ModelName;
    const { version } = pointer;
    const current = this.loaded.get(name);
    try {
      const { artifactKey } = pointer;
      const model = await loadServingModel(await this.artifacts.open(artifactKey), version);
      if (model.name !== name) {
        await model.session.release();
        throw new Error(`artifact ${artifactKey} holds '${model.name}', not '${name}'`);
      }
      this.loaded.set(name, { ...model, artifactKey });
      this.failed.delete(name);
      if (current) {
        await current.session.release();
        if (current.artifactKey !== artifactKey) await this.artifacts.forget?.(current.artifactKey);
      }
    } catch (error) {
      this.failures++;
      this.failed.set(name, version);
      this.options.onFailure?.({ name, version, error });
    }
  }
}

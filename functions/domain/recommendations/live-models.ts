/**
 * Serving's view of the registry: re-reads each model's live pointer at most every `ttlMs` and
 * loads a new version's artifact when the pointer moved, so a promotion or rollback takes effect
 * without a restart. A corrupt or missing artifact never takes serving down: the previously loaded
 * version keeps answering (or popularity does), and the failure is reported through `onFailure`.
 */
import type { ArtifactStore, ModelRecordStore } from '#domain/models/registry.ts';
import { isModelName, MODEL_NAMES, type ModelName, PERSONAL_MODELS } from './artifact.ts';
import { loadServingModel, type ModelSet, type ServingModel } from './serving.ts';

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
  private readonly loaded = new Map<ModelName, ServingModel>();
  /** Versions that failed to load; not retried until their pointer changes or the TTL passes. */
  private readonly failed = new Map<ModelName, string>();
  private defaultModel: ModelName | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;
  /** Load failures since start (for metrics). */
  failures = 0;

  constructor(
    private readonly records: ModelRecordStore,
    private readonly artifacts: ArtifactStore,
    private readonly options: LiveModelsOptions,
  ) {}

  /** The models to answer with now; refreshes from the registry when the TTL has passed. */
  async current(): Promise<ModelSet> {
    const now = (this.options.now ?? Date.now)();
    if (now - this.checkedAt >= this.options.ttlMs) {
      this.refreshing ??= this.refresh().finally(() => {
        this.refreshing = undefined;
      });
      await this.refreshing;
      this.checkedAt = now;
    }
    return { models: Object.fromEntries(this.loaded), defaultModel: this.chooseDefault() };
  }

  /** Forces a registry read on the next call (after a rollback in this process). */
  invalidate(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  private chooseDefault(): ModelName {
    if (this.defaultModel && this.loaded.has(this.defaultModel)) return this.defaultModel;
    return PERSONAL_MODELS.find((n) => this.loaded.has(n)) ?? 'popularity';
  }

  private async refresh(): Promise<void> {
    const names = this.options.names ?? MODEL_NAMES;
    const stored = await this.records.getDefaultModel();
    this.defaultModel = stored && isModelName(stored) ? stored : undefined;
    await Promise.all(names.map((name) => this.refreshOne(name)));
  }

  private async refreshOne(name: ModelName): Promise<void> {
    const pointer = await this.records.getLive(name);
    if (!pointer) return;
    const current = this.loaded.get(name);
    if (current?.version === pointer.version) return;
    try {
      const record = await this.records.getVersion(name, pointer.version);
      if (!record) throw new Error(`live pointer names ${name}/${pointer.version}, which has no record`);
      const model = await loadServingModel(await this.artifacts.get(record.artifactKey), pointer.version);
      if (model.name !== name)
        throw new Error(`artifact ${record.artifactKey} holds '${model.name}', not '${name}'`);
      this.loaded.set(name, model);
      this.failed.delete(name);
      if (current) await current.session.release();
    } catch (error) {
      this.failures++;
      this.failed.set(name, pointer.version);
      this.options.onFailure?.({ name, version: pointer.version, error });
    }
  }
}

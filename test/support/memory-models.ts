/**
 * In-process implementations of the registry ports, for unit tests of the registry and serving
 * logic. Same contract as the DynamoDB/S3 adapters (conditional pointer).
 */
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { ConflictError, NotFoundError } from '#domain/errors.ts';
import type { FallbackCatalog } from '#domain/recommendations/serving/fallback.ts';
import type { ModelsLayerRecords, PublishedModelsLayer } from '#domain/models/models-layer.ts';
import type { RetrainRefusal, RetrainRun, RetrainRunRecords } from '#domain/models/retrain-run.ts';
import {
  type ArtifactStore,
  type LivePointer,
  type ModelRecordStore,
  type ModelVersion,
  type ServingPointers,
  servingPointersOneByOne,
} from '#domain/models/registry.ts';

export class InMemoryModelRecords implements ModelRecordStore, ModelsLayerRecords, RetrainRunRecords {
  private lastRun: RetrainRun | undefined;
  private lastRefused: RetrainRefusal | undefined;
  private readonly versions = new Map<string, ModelVersion>();
  private modelsLayer: PublishedModelsLayer | undefined;
  private readonly live = new Map<string, LivePointer>();
  private defaultModel: string | undefined;

  async putVersion(version: ModelVersion): Promise<void> {
    this.versions.set(`${version.name}/${version.version}`, structuredClone(version));
  }
  async getVersion(name: string, version: string): Promise<ModelVersion | undefined> {
    const v = this.versions.get(`${name}/${version}`);
    return v && structuredClone(v);
  }
  async listVersions(name?: string): Promise<ModelVersion[]> {
    return [...this.versions.values()]
      .filter((v) => name === undefined || v.name === name)
      .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version))
      .map((v) => structuredClone(v));
  }
  async getLive(name: string): Promise<LivePointer | undefined> {
    const p = this.live.get(name);
    return p && structuredClone(p);
  }
  async setLive(pointer: LivePointer, expected: string | undefined): Promise<void> {
    const current = this.live.get(pointer.name)?.version;
    if (current !== expected)
      throw new ConflictError(`live version of '${pointer.name}' is ${current}, not ${expected}`);
    this.live.set(pointer.name, structuredClone(pointer));
  }
  async getDefaultModel(): Promise<string | undefined> {
    return this.defaultModel;
  }
  async setDefaultModel(name: string): Promise<void> {
    this.defaultModel = name;
  }
  getServingPointers(names: readonly string[]): Promise<ServingPointers> {
    return servingPointersOneByOne(this, names);
  }
  async getModelsLayer(): Promise<PublishedModelsLayer | undefined> {
    return this.modelsLayer && structuredClone(this.modelsLayer);
  }
  async setModelsLayer(layer: PublishedModelsLayer): Promise<void> {
    this.modelsLayer = structuredClone(layer);
  }
  async acquireRun(run: RetrainRun, now: Date) {
    const holder = this.lastRun;
    const held = holder?.state === 'running' && holder.expiresAt >= now.toISOString();
    const endedAlready = holder?.runId === run.runId && holder.endedBeforeLease === true;
    if (held || endedAlready) return { acquired: false as const, holder: structuredClone(holder) };
    this.lastRun = structuredClone(run);
    return { acquired: true as const };
  }
  async finishRun(runId: string, state: 'succeeded' | 'failed', finishedAt: Date): Promise<void> {
    if (this.lastRun?.runId === runId)
      this.lastRun = { ...this.lastRun, state, finishedAt: finishedAt.toISOString() };
  }
  async recordSkipped(runId: string, skipped: Record<string, string>): Promise<void> {
    if (this.lastRun?.runId === runId && Object.keys(skipped).length > 0)
      this.lastRun = { ...this.lastRun, skipped: { ...skipped } };
  }
  async recordRefusal(refusal: RetrainRefusal): Promise<void> {
    this.lastRefused = structuredClone(refusal);
  }
  async latestRuns() {
    return {
      ...(this.lastRun ? { lastRun: structuredClone(this.lastRun) } : {}),
      ...(this.lastRefused ? { lastRefused: structuredClone(this.lastRefused) } : {}),
    };
  }
}

export class InMemoryArtifacts implements ArtifactStore {
  readonly objects = new Map<string, Uint8Array>();
  async put(key: string, bytes: Uint8Array): Promise<void> {
    this.objects.set(key, Uint8Array.from(bytes));
  }
  async get(key: string): Promise<Uint8Array> {
    const bytes = this.objects.get(key);
    if (!bytes) throw new NotFoundError('artifact', key);
    return bytes;
  }
}

/** The fallback's catalog reads over fixed events and items (newest events and items first). */
export function memoryFallbackCatalog(events: InteractionEvent[] = [], items: Item[] = []): FallbackCatalog {
  return {
    newestEvents: async (since, max) =>
      events
        .filter((e) => e.timestamp >= since)
        .sort((a, b) => b.timestamp - a.timestamp)
        .slice(0, max),
    items: async (ids) => items.filter((item) => ids.includes(item.itemId)),
    newestItems: async (max) =>
      [...items].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '')).slice(0, max),
  };
}

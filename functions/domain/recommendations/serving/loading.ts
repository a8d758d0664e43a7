/** Loading: an artifact opened by the registry becomes a model serving can run. */
import { loadSession, type ModelSession } from '#domain/onnx/session.ts';
import { type ArtifactMetadata, decodeArtifactMetadata, type ModelName } from '../artifact.ts';

/** A live model ready to answer. */
export interface ServingModel {
  name: ModelName;
  version: string;
  metadata: ArtifactMetadata;
  /** Item id -> graph index. */
  index: Map<string, number>;
  session: ModelSession;
}

/**
 * An artifact as serving opens it: the whole .onnx in memory, or a graph file on disk whose large
 * weights sit in a side file that onnxruntime memory-maps, with `metadata` the bytes of its `.meta`
 * file.
 */
export type OpenedArtifact = Uint8Array | { file: string; metadata: Uint8Array };

/** Loads an artifact into a session; throws when it is corrupt. */
export async function loadServingModel(artifact: OpenedArtifact, version: string): Promise<ServingModel> {
  const onDisk = !(artifact instanceof Uint8Array);
  const metadata = decodeArtifactMetadata(onDisk ? artifact.metadata : artifact);
  const session = await loadSession(onDisk ? artifact.file : artifact);
  return {
    name: metadata.name,
    version,
    metadata,
    index: new Map(metadata.catalog.itemIds.map((id, i) => [id, i])),
    session,
  };
}

/** The live models serving uses, by name, and which personal model is the default. */
export interface ModelSet {
  models: Partial<Record<ModelName, ServingModel>>;
  defaultModel: ModelName;
  /** Whether any model has a live version (absent: whether any is loaded); names the fallback's cause. */
  trained?: boolean;
}

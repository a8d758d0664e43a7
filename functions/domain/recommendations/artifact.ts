/**
 * A model artifact is one .onnx file: the graph plus metadata (model name, kind, catalog snapshot)
 * so serving needs nothing else to answer.
 */
import { readModelMetadata } from '#domain/onnx/graph.ts';
import type { GraphBuilder } from '#domain/onnx/graph.ts';

export const MODEL_NAMES = [
  'ease',
  'ease-session',
  'als',
  'content',
  'hybrid',
  'popularity',
  'trending',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Models that personalise from a history (candidates for the default). */
export const PERSONAL_MODELS: readonly ModelName[] = ['ease', 'ease-session', 'als', 'hybrid', 'content'];

export function isModelName(value: string): value is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(value);
}

/** The catalog as the model saw it at training time (indices = graph indices). */
export interface CatalogSnapshot {
  itemIds: string[];
  titles: string[];
  genres: string[][];
  playable: boolean[];
}

export interface ArtifactMetadata {
  name: ModelName;
  /** Trending window names, in graph order. */
  windows?: string[];
  /** Epoch ms of training. */
  trainedAt: number;
  catalog: CatalogSnapshot;
}

/** Serialises a built graph with its metadata into .onnx bytes. */
export function encodeArtifact(graph: GraphBuilder, metadata: ArtifactMetadata): Uint8Array {
  return graph.encode({
    'marquee.name': metadata.name,
    'marquee.trainedAt': String(metadata.trainedAt),
    'marquee.windows': JSON.stringify(metadata.windows ?? []),
    'marquee.catalog': JSON.stringify(metadata.catalog),
  });
}

/** Reads the metadata back; throws when the bytes are not a Marquee model. */
export function decodeArtifactMetadata(bytes: Uint8Array): ArtifactMetadata {
  const raw = readModelMetadata(bytes);
  const name = raw['marquee.name'];
  if (!name || !isModelName(name) || !raw['marquee.catalog']) {
    throw new Error('not a Marquee recommendation model (metadata missing)');
  }
  return {
    name,
    trainedAt: Number(raw['marquee.trainedAt']),
    windows: JSON.parse(raw['marquee.windows'] ?? '[]'),
    catalog: JSON.parse(raw['marquee.catalog']),
  };
}

/**
 * ONNX external data: large initializers moved out of the graph into a side file, so onnxruntime
 * memory-maps them instead of parsing and copying them: the EASE session (36 MB of weights) took 79 ms
 * as a process's first, onnxruntime's set-up included, and hybrid's (42 MB) 14 ms after it
 * (BENCHMARKS.md, cold-start rows), against ~450 ms to read, parse and copy EASE before the split;
 * only the rows a request gathers are paged in.
 *
 * The metadata (a 10k-item catalog is ~330 KB of JSON) moves out too, to a second side file that
 * serving reads and onnxruntime never sees: the EASE session took 20 ms with it in the graph and
 * 6 ms without (one-off measurement, 2026-11-29, this 2-core VM, after onnxruntime's set-up).
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Initializers at least this large (bytes) go to the side file; small ones stay inline. */
export const EXTERNAL_DATA_MIN_BYTES = 256 * 1024;

/**
 * Offsets are multiples of this (bytes), so onnxruntime can map each tensor directly: 64 KiB is
 * the allocation granularity on every platform it supports (4 KiB pages on Linux divide it).
 */
export const EXTERNAL_DATA_ALIGNMENT = 64 * 1024;

/** The side file of a graph file: `<graph file name>.data`, next to it. */
export function externalDataFileOf(graphFileName: string): string {
  const base = graphFileName.slice(graphFileName.lastIndexOf('/') + 1);
  return `${base}.data`;
}

/** The metadata file of a graph file: `<graph path>.meta`, next to it. */
export function metadataFileOf(graphPath: string): string {
  return `${graphPath}.meta`;
}

export interface SplitModel {
  /**
   * The graph, with large initializers referring to `dataFileName` (relative to the graph's folder)
   * and without metadata.
   */
  graph: Uint8Array;
  /** A ModelProto holding only the model's metadata (readModelMetadata reads it). */
  metadata: Uint8Array;
  /** The side file's bytes; empty when no initializer was large enough. */
  data: Uint8Array;
  /** Initializers moved out, by name. */
  externalised: string[];
}

/**
 * Moves every initializer of at least `minBytes` out of `modelBytes` into one side file named
 * `dataFileName`, each at an aligned offset, and the metadata into its own message. Throws on bytes
 * that are not an ONNX model.
 */
export function splitExternalData(
  modelBytes: Uint8Array,
  dataFileName: string,
  minBytes = EXTERNAL_DATA_MIN_BYTES,
): SplitModel {
  if (dataFileName.includes('/') || dataFileName.includes('\\') || dataFileName.startsWith('.'))
    throw new Error(`external data file name '${dataFileName}' must be a plain file name`);
  const model = onnx.ModelProto.decode(modelBytes);
  if (!model.graph) throw new Error('not an ONNX model (no graph)');
  const pieces: { offset: number; bytes: Uint8Array }[] = [];
  let end = 0;
  const externalised: string[] = [];
  for (const tensor of model.graph.initializer ?? []) {
    const raw = tensor.rawData;
    if (!raw || raw.byteLength < minBytes || tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
      continue;
    const offset = Math.ceil(end / EXTERNAL_DATA_ALIGNMENT) * EXTERNAL_DATA_ALIGNMENT;
    pieces.push({ offset, bytes: raw });
    end = offset + raw.byteLength;
    tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    tensor.externalData = [
      { key: 'location', value: dataFileName },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.byteLength) },
    ];
    tensor.rawData = new Uint8Array(0);
    externalised.push(tensor.name ?? '');
  }
  const data = new Uint8Array(end);
  for (const piece of pieces) data.set(piece.bytes, piece.offset);
  const metadata = onnx.ModelProto.encode({ metadataProps: model.metadataProps ?? [] }).finish();
  model.metadataProps = [];
  return { graph: onnx.ModelProto.encode(model).finish(), data, metadata, externalised };
}

/**
 * A thin wrapper over onnxruntime-node: load a session from bytes and run it with plain typed
 * arrays. Domain code stays free of the runtime's tensor classes.
 */
import * as ort from 'onnxruntime-node';

export type FeedValue =
  | { type: 'float32'; data: Float32Array; dims: number[] }
  | { type: 'int32'; data: Int32Array; dims: number[] }
  | { type: 'int64'; data: BigInt64Array; dims: number[] }
  | { type: 'float64'; data: Float64Array; dims: number[] };

export type Fetched = {
  data: Float32Array | Int32Array | BigInt64Array | Float64Array;
  dims: readonly number[];
};

export interface ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the graph once; returns every output by name. */
  run(feeds: Record<string, FeedValue>): Promise<Record<string, Fetched>>;
  release(): Promise<void>;
}

export interface SessionOptions {
  /** Threads inside one operator; 1 keeps request latency predictable on a shared vCPU. */
  intraOpThreads?: number;
}

/**
 * Creates a session from serialised .onnx bytes, or from a file path: then initializers kept as
 * external data next to the file are memory-mapped rather than copied.
 */
export async function loadSession(
  source: Uint8Array | string,
  options: SessionOptions = {},
): Promise<ModelSession> {
  const settings: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.intraOpThreads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  };
  const session =
    typeof source === 'string'
      ? await ort.InferenceSession.create(source, settings)
      : await ort.InferenceSession.create(source, settings);
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, v] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(v.type, v.data, v.dims);
      const result = await session.run(ortFeeds);
      const out: Record<string, Fetched> = {};
      for (const [name, t] of Object.entries(result)) {
        out[name] = { data: t.data as Fetched['data'], dims: t.dims };
      }
      return out;
    },
    release: () => session.release(),
  };
}

/** Feeds helpers. */
export const feed = {
  float32: (data: Float32Array, dims: number[]): FeedValue => ({ type: 'float32', data, dims }),
  float64: (data: Float64Array, dims: number[]): FeedValue => ({ type: 'float64', data, dims }),
  int32: (data: Int32Array, dims: number[]): FeedValue => ({ type: 'int32', data, dims }),
  int64: (values: ArrayLike<number>, dims: number[]): FeedValue => ({
    type: 'int64',
    data: BigInt64Array.from(Array.from(values, (v) => BigInt(v))),
    dims,
  }),
};

/**
 * Dense linear algebra run by onnxruntime (MLAS matrix products are ~100x a plain JS loop here).
 * Training code uses it for the heavy steps: inverting a Gram matrix for EASE.
 */
import { encodeModel, int64Tensor, node, type OnnxNode, type OnnxTensor, valueInfo } from './graph.ts';
import { feed, loadSession } from './session.ts';

/**
 * Builds a graph inverting a symmetric positive-definite n x n float matrix by recursive 2x2
 * blocks (Schur complement), so almost all work is MatMul; blocks of `leafSize` or less use the
 * com.microsoft Inverse kernel.
 */
export function buildSpdInverseModel(n: number, leafSize = 768): Uint8Array {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  let counter = 0;
  const fresh = (stem: string) => `${stem}_${counter++}`;
  const slice = (input: string, r0: number, r1: number, c0: number, c1: number): string => {
    const id = fresh('slice');
    initializers.push(int64Tensor(`${id}_starts`, [2], [r0, c0]), int64Tensor(`${id}_ends`, [2], [r1, c1]));
    nodes.push(node('Slice', [input, `${id}_starts`, `${id}_ends`], [id]));
    return id;
  };
  const op = (type: string, inputs: string[], attrs: Record<string, number | number[]> = {}): string => {
    const out = fresh(type.toLowerCase());
    nodes.push(node(type, inputs, [out], attrs));
    return out;
  };
  const invert = (a: string, size: number): string => {
    if (size <= leafSize) {
      const out = fresh('inv');
      nodes.push(node('Inverse', [a], [out], {}, { domain: 'com.microsoft' }));
      return out;
    }
    const m = Math.floor(size / 2);
    const p = slice(a, 0, m, 0, m);
    const q = slice(a, 0, m, m, size);
    const r = slice(a, m, size, m, size);
    const pInv = invert(p, m);
    const t = op('MatMul', [pInv, q]);
    const qT = op('Transpose', [q], { perm: [1, 0] });
    const schur = op('Sub', [r, op('MatMul', [qT, t])]);
    const sInv = invert(schur, size - m);
    const u = op('MatMul', [t, sInv]);
    const tT = op('Transpose', [t], { perm: [1, 0] });
    const topLeft = op('Add', [pInv, op('MatMul', [u, tT])]);
    const topRight = op('Neg', [u]);
    const bottomLeft = op('Transpose', [topRight], { perm: [1, 0] });
    const top = op('Concat', [topLeft, topRight], { axis: 1 });
    const bottom = op('Concat', [bottomLeft, sInv], { axis: 1 });
    return op('Concat', [top, bottom], { axis: 0 });
  };
  const result = invert('A', n);
  nodes.push(node('Identity', [result], ['inverse']));
  return encodeModel({
    name: 'spd_inverse',
    nodes,
    inputs: [valueInfo('A', 'float', [n, n])],
    outputs: [valueInfo('inverse', 'float', [n, n])],
    initializers,
  });
}

/** Inverts a symmetric positive-definite n x n matrix (row-major) with onnxruntime; `threads` cores. */
export async function invertSpd(matrix: Float32Array, n: number, threads = 2): Promise<Float32Array> {
  const session = await loadSession(buildSpdInverseModel(n), { intraOpThreads: threads });
  try {
    const out = await session.run({ A: feed.float32(matrix, [n, n]) });
    return out.inverse.data as Float32Array;
  } finally {
    await session.release();
  }
}

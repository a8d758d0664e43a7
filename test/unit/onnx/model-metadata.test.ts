import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { floatTensor, GraphBuilder, readModelMetadata } from '#domain/onnx/graph.ts';

const { onnx } = onnxProto;

/** A small real model with weights, several metadata entries (one non-ASCII, one large) and a doc string. */
function modelWith(metadata: Record<string, string>): Uint8Array {
  const b = new GraphBuilder('metadata');
  b.input('x', 'float', [1, 3]);
  const w = b.constant(
    floatTensor(
      'w',
      [3, 3],
      Float32Array.from({ length: 9 }, (_, i) => i),
    ),
  );
  b.output(b.op('MatMul', ['x', w]), 'float', [1, 3]);
  return b.encode(metadata);
}

describe('readModelMetadata', () => {
  const metadata = {
    'marquee.name': 'ease',
    'marquee.catalog': JSON.stringify({ itemIds: Array.from({ length: 5000 }, (_, i) => `item-${i}`) }),
    'marquee.note': 'Amélie — 東京',
    empty: '',
  };

  it('reads exactly the entries a full ModelProto decode finds, skipping the graph', () => {
    const bytes = modelWith(metadata);
    const decoded = Object.fromEntries(
      onnx.ModelProto.decode(bytes).metadataProps.map((p) => [p.key ?? '', p.value ?? '']),
    );
    expect(readModelMetadata(bytes)).toEqual(decoded);
    expect(readModelMetadata(bytes)).toEqual(metadata);
  });

  it('returns no entries for a model without metadata', () => {
    expect(readModelMetadata(modelWith({}))).toEqual({});
  });

  it('throws on truncated bytes instead of returning partial metadata', () => {
    const bytes = modelWith(metadata);
    expect(() => readModelMetadata(bytes.subarray(0, bytes.byteLength - 10))).toThrow(/malformed ONNX model/);
    expect(() => readModelMetadata(new TextEncoder().encode('not an onnx model'))).toThrow(
      /malformed ONNX model/,
    );
  });
});

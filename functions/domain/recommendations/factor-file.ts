/**
 * The file one ALS half-step task writes for the other side to read: a block of factor rows that
 * says which rows it holds, stored as float32, with the Gram F'F of those rows.
 *
 * Why each part: the row indices let a reader place an item shard's factors without reading the item
 * shard file; float32 halves the bytes every task of the other side reads (the solves still run in
 * float64, only the stored factors are rounded); the Gram lets a reader form the whole side's Y'Y
 * (what every solve needs) as a sum of d x d blocks instead of a pass over every row, which at
 * millions of users costs more than the item step's own solve.
 *
 * Layout (little-endian, every part aligned to its element size):
 *   Int32 count, Int32 d | Float64 gram[d x d] | Int32 rows[count] | Float32 factors[count x d]
 */
import { gramOf } from './als.ts';

/** A decoded factor file: `rows[k]`'s factors are `factors[k*d .. (k+1)*d)`. */
export interface FactorBlock {
  /** Catalog indices (an item shard) or the shard's own user rows 0..count-1 (a user shard). */
  rows: Int32Array;
  d: number;
  factors: Float32Array;
  /** F'F of the stored (float32) factors, d x d. */
  gram: Float64Array;
}

const HEADER_BYTES = 8;

/** Encodes `factors` (rows.length x d, any float precision) as a factor file: float32 factors and their Gram. */
export function encodeFactorBlock(
  rows: Int32Array,
  factors: Float32Array | Float64Array,
  d: number,
): Uint8Array {
  if (factors.length !== rows.length * d)
    throw new Error(`factor block of ${factors.length} values for ${rows.length} rows of ${d}`);
  const stored = Float32Array.from(factors);
  const gramBytes = d * d * 8;
  const bytes = new Uint8Array(HEADER_BYTES + gramBytes + rows.length * 4 + stored.length * 4);
  new Int32Array(bytes.buffer, 0, 2).set([rows.length, d]);
  new Float64Array(bytes.buffer, HEADER_BYTES, d * d).set(gramOf(stored, rows.length, d));
  new Int32Array(bytes.buffer, HEADER_BYTES + gramBytes, rows.length).set(rows);
  new Float32Array(bytes.buffer, HEADER_BYTES + gramBytes + rows.length * 4, stored.length).set(stored);
  return bytes;
}

/** Decodes a factor file (views over one aligned copy of the bytes, no per-part copy). */
export function decodeFactorBlock(file: Uint8Array): FactorBlock {
  // The typed views need 8-byte alignment; a store may hand back a slice of a shared buffer.
  const bytes = file.byteOffset % 8 === 0 ? file : file.slice();
  const [count, d] = new Int32Array(bytes.buffer, bytes.byteOffset, 2);
  const gramAt = bytes.byteOffset + HEADER_BYTES;
  const rowsAt = gramAt + d * d * 8;
  const factorsAt = rowsAt + count * 4;
  if (factorsAt + count * d * 4 !== bytes.byteOffset + bytes.byteLength)
    throw new Error(`factor file of ${bytes.byteLength} bytes does not hold ${count} rows of ${d}`);
  return {
    rows: new Int32Array(bytes.buffer, rowsAt, count),
    d,
    factors: new Float32Array(bytes.buffer, factorsAt, count * d),
    gram: new Float64Array(bytes.buffer, gramAt, d * d),
  };
}

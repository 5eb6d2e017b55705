/**
 * Chunks of plain numbers cross as one Float64Array, moved rather than
 * cloned element by element. Lossless: every JS number is a float64 (-0 and
 * NaN included), and the receiver reads it with the same indexing.
 */

// Below this, the array clone is as cheap as the packing.
const MIN_PACKED = 64

/** `xs[start..end)` as a Float64Array if every item is a number (and there are enough of them). */
export const packNumbers = (xs: ArrayLike<unknown>, start: number, end: number): Float64Array | undefined => {
  if (end - start < MIN_PACKED) return undefined
  for (let i = start; i < end; i++) if (typeof xs[i] !== "number") return undefined
  const packed = new Float64Array(end - start)
  for (let i = start; i < end; i++) packed[i - start] = xs[i] as number
  return packed
}

/** What the orchestrator passes to a child, and what a child prints back (one JSON line). */
export interface Params {
  /** Measured calls / items / trips. */
  readonly n: number
  /** Warm-up calls / trips before measuring. */
  readonly warm: number
  /** countPrimes input that takes ~50 ms (scenario 3). */
  readonly limit: number
  /** Number of CPU tasks (scenario 3). */
  readonly tasks: number
  /** Float64Array length (scenario 5). */
  readonly size: number
  /** Measured repetitions inside one child (scenario 1b: each map is short). */
  readonly inner: number
  /** Start method of the Queue, Pipe and Process scenarios (6, 7, 12). */
  readonly method?: "thread" | "process" | "fiber"
  /** Scenario 12: the task returns an Effect, from a module that imports effect. */
  readonly effect?: boolean
  /** Queue items as `{ id, name }` objects instead of numbers (scenario 6). */
  readonly dict?: boolean
  /** Workers sharing one Value or Lock (scenarios 8, 9). */
  readonly workers?: number
  /**
   * Scenario 1a: `"floor"` runs the same Effect program with each call answered on the main thread (no worker),
   * `"traced"` runs ours under an installed tracer (Effect's NativeSpan, exported nowhere).
   */
  readonly variant?: "floor" | "traced" | "map1"
}

export interface Result {
  /** The number this measurement reports (unit set by the scenario). */
  readonly value: number
  /** A sum over the results, compared by the orchestrator with the expected one. */
  readonly check: number
  readonly extra?: Record<string, number>
}

export const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)

export const sum = (xs: ReadonlyArray<number>): number => {
  let s = 0
  for (const x of xs) s += x
  return s
}

export const median = (xs: ArrayLike<number>): number => {
  const s = Array.from(xs).sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** A 1 MiB-ish payload whose last element the echo checks. */
export const payload = (size: number): Float64Array<ArrayBuffer> => new Float64Array(size).fill(1.5)

/** Throws unless `r` is the echo of trip `i` of a payload of `size` doubles. */
export const checkEcho = (r: Float64Array, i: number, size: number): void => {
  if (r.length !== size || r[0] !== i || r[size - 1] !== 1.5) throw new Error(`bad echo at trip ${i}`)
}

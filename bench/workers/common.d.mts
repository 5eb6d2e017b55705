// Types of common.mjs, for the TypeScript side of the bench.
export declare const inc: (x: number) => number
export declare const echo: (a: Float64Array) => Float64Array
/** Counts the primes below `limit` by trial division: pure CPU work. */
export declare const countPrimes: (limit: number) => number

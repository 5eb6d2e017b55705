/**
 * The work every library runs, as plain functions. bench/workers/common.mjs
 * holds the same three functions for the peers' workers (plain JS, so that
 * their workers load no TypeScript); the result checks catch any drift.
 */

export const inc = (x: number): number => x + 1

export const echo = (a: Float64Array): Float64Array => a

/** Counts the primes below `limit` by trial division: pure CPU work. */
export const countPrimes = (limit: number): number => {
  let count = 0
  for (let n = 2; n < limit; n++) {
    let prime = true
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false
        break
      }
    }
    if (prime) count++
  }
  return count
}

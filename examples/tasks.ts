/**
 * Tasks for the examples: CPU-bound work that a worker can run. A task is an
 * ordinary function, registered under a name with this module's URL, so that
 * each worker imports this module and finds it.
 */
import * as Task from "../src/Task.ts"

/** Counts the primes below `limit` by trial division: pure CPU work. */
export const countPrimes = Task.make(import.meta.url, "countPrimes", (limit: number) => {
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
})

export const square = Task.make(import.meta.url, "square", (x: number) => x * x)

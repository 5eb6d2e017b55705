/**
 * The properties of `parallel_property.ts`, and the task that checks a share
 * of one property's runs in a worker. A property is found by name, as a task
 * is, because a property (a function) cannot be sent to a worker.
 */
import * as fc from "fast-check"
import { Task } from "../src/index.ts"

/** Whether n is prime, by counting its divisors up to n / 2: slow on purpose (the expensive check). */
const slowIsPrime = (n: number): boolean => {
  let divisors = 0
  for (let d = 2; d <= n / 2; d++) if (n % d === 0) divisors++
  return n >= 2 && divisors === 0
}

/** The function under test: 6k ± 1 trial division. */
export const isPrime = (n: number): boolean => {
  if (n < 4) return n >= 2
  if (n % 2 === 0 || n % 3 === 0) return false
  for (let d = 5; d * d <= n; d += 6) if (n % d === 0 || n % (d + 2) === 0) return false
  return true
}

/** The same with a bug: it stops one step early, so the square of a prime >= 5 looks prime. */
export const buggyIsPrime = (n: number): boolean => {
  if (n < 4) return n >= 2
  if (n % 2 === 0 || n % 3 === 0) return false
  for (let d = 5; d * d < n; d += 6) if (n % d === 0 || n % (d + 2) === 0) return false
  return true
}

// numbers up to 400,000 (~0.1 ms a check), and squares, where the bug is
const numbers = fc.oneof(fc.integer({ min: 0, max: 400_000 }), fc.integer({ min: 2, max: 600 }).map((p) => p * p))

export const properties = {
  "isPrime agrees with trial division": fc.property(numbers, (n) => isPrime(n) === slowIsPrime(n)),
  "buggyIsPrime agrees with trial division": fc.property(numbers, (n) => buggyIsPrime(n) === slowIsPrime(n))
}

export type PropertyName = keyof typeof properties

/** What one share of the runs found: the fields of fast-check's report that identify a counterexample. */
export interface ShareReport {
  readonly failed: boolean
  readonly seed: number
  readonly numRuns: number
  readonly counterexample: unknown
  readonly path: string | undefined
  readonly numShrinks: number
}

/** Checks `numRuns` runs of the property with `seed`, as `fc.check` would here. */
export const check = (name: PropertyName, seed: number, numRuns: number, path?: string): ShareReport => {
  const details = fc.check(properties[name], { seed, numRuns, path })
  return {
    failed: details.failed,
    seed: details.seed,
    numRuns: details.numRuns,
    counterexample: details.counterexample,
    path: details.counterexamplePath ?? undefined,
    numShrinks: details.numShrinks
  }
}

export const checkShare = Task.make(import.meta.url, "checkShare", check)

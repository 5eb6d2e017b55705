/**
 * Parallel property-based testing: the example run as a program (its stable
 * output checked, not its timings), and the same check as a user's unit
 * test with @effect/vitest on the `fiber` start method.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { checkParallel } from "../examples/parallel_property.ts"
import { check, type PropertyName } from "../examples/property_tasks.ts"
import { Pool } from "../src/index.ts"
import { runExample } from "./helpers.ts"

const isPrime = (n: number) => {
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false
  return n >= 2
}

/** The bug's counterexamples: squares of primes from 5 on. */
const squareOfPrime = (n: number) => {
  const p = Math.round(Math.sqrt(n))
  return p * p === n && p >= 5 && isPrime(p)
}

const buggy: PropertyName = "buggyIsPrime agrees with trial division"

describe("parallel property-based testing", () => {
  it("the example: a passing property on 2 workers with its speed-up, then a counterexample replayed on one thread", () => {
    const lines = runExample("parallel_property.ts").trim().split("\n")
    expect(lines).toHaveLength(5)
    expect(lines[0]).toBe(`property "isPrime agrees with trial division": 4000 runs, passed`)
    expect(lines[1]).toMatch(/^ {2}one thread: \d+\.\d\d s$/)
    expect(lines[2]).toMatch(/^ {2}2 workers: {2}\d+\.\d\d s \(speed-up \d+\.\d\dx\)$/)
    const found = lines[3].match(/^property "buggyIsPrime agrees with trial division": counterexample \[(\d+)\] \(seed (\d+), path "([\d:]+)", \d+ shrinks\)$/)
    expect(found).not.toBeNull()
    const [, n, seed, path] = found!
    expect(squareOfPrime(Number(n))).toBe(true)
    expect(lines[4]).toBe(`replayed on one thread with seed ${seed} and path "${path}": counterexample [${n}]`)
  }, 60_000)

  it.effect("a user's unit test: the same check on the fiber start method, in it.effect", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 2, startMethod: "fiber" })
      const passing = yield* checkParallel(pool, "isPrime agrees with trial division", 100, 7)
      expect(passing.failure).toBeUndefined()
      expect(passing.runs).toBe(100)
      const { failure } = yield* checkParallel(pool, buggy, 2000, 7)
      expect(failure).toBeDefined()
      const [n] = failure!.counterexample as [number]
      expect(squareOfPrime(n)).toBe(true)
      // its seed and path reproduce it on this thread
      expect(check(buggy, failure!.seed, 2000, failure!.path).counterexample).toEqual([n])
    })))
})

/**
 * Property-based testing on every core: an expensive fast-check property
 * split across a pool's workers, each checking its share of the runs with a
 * seed of its own. The first counterexample comes back with its seed, its
 * path and its shrunk value, and replaying that seed and path on one thread
 * gives it again. Python has no counterpart in multiprocessing (Hypothesis
 * runs on one process).
 *
 * Run: `node examples/parallel_property.ts`.
 */
import * as Effect from "effect/Effect"
import { Pool } from "../src/index.ts"
import { check, checkShare, type PropertyName, type ShareReport } from "./property_tasks.ts"

/** Checks `numRuns` runs of a property on the pool: share i gets seed + i. The failing share with the lowest index. */
export const checkParallel = (pool: Pool.Pool, name: PropertyName, numRuns: number, seed: number) =>
  Effect.gen(function*() {
    const shares = pool.processes
    const reports = yield* pool.starmap(
      checkShare,
      Array.from({ length: shares }, (_, i) => [name, seed + i, Math.ceil(numRuns / shares)] as const),
      { chunksize: 1 }
    )
    return { failure: reports.find((r: ShareReport) => r.failed), runs: reports.reduce((n, r) => n + r.numRuns, 0) }
  })

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const pool = yield* Pool.make({ processes: 2 })
    const name: PropertyName = "isPrime agrees with trial division"
    const numRuns = 4_000
    yield* checkParallel(pool, name, 200, 1) // warm up both workers

    let t0 = performance.now()
    const alone = check(name, 1, numRuns)
    const oneThread = performance.now() - t0
    t0 = performance.now()
    const parallel = yield* checkParallel(pool, name, numRuns, 1)
    const twoWorkers = performance.now() - t0
    console.log(`property "${name}": ${numRuns} runs, ${alone.failed || parallel.failure ? "failed" : "passed"}`)
    console.log(`  one thread: ${seconds(oneThread)}`)
    console.log(`  2 workers:  ${seconds(twoWorkers)} (speed-up ${(oneThread / twoWorkers).toFixed(2)}x)`)

    const buggy: PropertyName = "buggyIsPrime agrees with trial division"
    const { failure } = yield* checkParallel(pool, buggy, numRuns, 1)
    if (failure === undefined) return console.log(`property "${buggy}": passed`)
    console.log(
      `property "${buggy}": counterexample ${JSON.stringify(failure.counterexample)} ` +
        `(seed ${failure.seed}, path "${failure.path}", ${failure.numShrinks} shrinks)`
    )
    const replay = check(buggy, failure.seed, numRuns, failure.path)
    console.log(`replayed on one thread with seed ${failure.seed} and path "${failure.path}": counterexample ${JSON.stringify(replay.counterexample)}`)
  })
  Effect.runPromise(Effect.scoped(program))
}

/**
 * `npm start`: the main job of the library, measured. The same CPU-bound
 * work (16 prime counts of ~50 ms each) runs once on this thread and once
 * through `pool.map` on every core; both times and the speed-up are printed.
 */
import * as Effect from "effect/Effect"
import * as os from "node:os"
import { Pool } from "../src/index.ts"
import { countPrimes } from "./tasks.ts"

// Calibrate one input to take ~50 ms here, so the demo is short on any machine.
const calibrate = (): number => {
  let limit = 20_000
  for (;;) {
    const start = performance.now()
    countPrimes.handler(limit)
    const ms = performance.now() - start
    if (ms >= 10) return Math.round(limit * Math.pow(50 / ms, 2 / 3))
    limit *= 2
  }
}

const program = Effect.gen(function*() {
  const processes = os.availableParallelism()
  const limit = calibrate()
  const inputs = Array.from({ length: 16 }, (_, i) => limit + i)

  const t0 = performance.now()
  const serial = inputs.map((n) => countPrimes.handler(n))
  const serialMs = performance.now() - t0

  const pool = yield* Pool.make({ processes })
  // Warm the workers as calibrate() warmed this thread: one full input each.
  yield* pool.map(countPrimes, Array.from({ length: processes }, () => limit), { chunksize: 1 })
  const t1 = performance.now()
  const parallel = yield* pool.map(countPrimes, inputs, { chunksize: 1 })
  const poolMs = performance.now() - t1

  if (JSON.stringify(parallel) !== JSON.stringify(serial)) throw new Error("results differ")
  console.log(`16 x countPrimes(~${limit}), ${processes} workers (thread start method)`)
  console.log(`  one thread: ${serialMs.toFixed(0)} ms`)
  console.log(`  pool.map  : ${poolMs.toFixed(0)} ms`)
  console.log(`  speed-up  : ${(serialMs / poolMs).toFixed(2)}x`)
})

Effect.runPromise(Effect.scoped(program))

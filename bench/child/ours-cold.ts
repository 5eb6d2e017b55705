/**
 * Scenario 4 on our library, in a process that loads only what its program
 * uses (effect/Effect, the package, the task module), as peers.ts loads only
 * the library it measures: the other scenarios' imports (Stream, the shared
 * objects, the tracer) would make this process heavier than a user's
 * cold-start program, and the pool's start slower for it. Its task module is
 * the lean ours-cold.mjs, as the peers' cold workers are lean.
 */
import * as Effect from "effect/Effect"
import type * as Lib from "../../src/index.ts"
import { inc } from "../workers/ours-cold.mjs"
import type { Result } from "./common.ts"

// the built package, typed by the sources (as ours.ts)
const dist = "effect-multiprocessing"
const { Pool } = (await import(dist)) as typeof Lib

// 4: from before the pool exists to after it has closed (the library is already imported).
export const run = async (): Promise<Result> => {
  const t0 = performance.now()
  const y = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const pool = yield* Pool.make({ processes: 2 })
    return yield* pool.apply(inc, [41])
  })))
  return { value: performance.now() - t0, check: y }
}

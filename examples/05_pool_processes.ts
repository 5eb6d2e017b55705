/**
 * Tutorial 05: a pool of 3 workers (`Pool(processes=3)`) and `map`.
 *
 * ```python
 * import multiprocessing as mp
 *
 * def job(x):
 *     return x * x
 *
 * def multicore():
 *     pool = mp.Pool(processes=3)
 *     res = pool.map(job, range(10))
 *     print(res)
 *
 * if __name__ == '__main__':
 *     multicore()
 * ```
 *
 * Run: `node examples/05_pool_processes.ts`.
 */
import * as Effect from "effect/Effect"
import { Pool, Task } from "../src/index.ts"

export const job = Task.make(import.meta.url, "job", (x: number) => x * x)

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const pool = yield* Pool.make({ processes: 3 })
    const res = yield* pool.map(job, Array.from({ length: 10 }, (_, i) => i))
    console.log(`[${res.join(", ")}]`)
  })
  Effect.runPromise(Effect.scoped(program))
}

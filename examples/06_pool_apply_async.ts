/**
 * Tutorial 06: one pool serves `map`, then `apply_async` and `get`.
 *
 * ```python
 * import multiprocessing as mp
 *
 * def job(x):
 *     return x * x
 *
 * def multicore():
 *     pool = mp.Pool()
 *     res = pool.map(job, range(10))
 *     print(res)
 *     res = pool.apply_async(job, (2,))
 *     # get the result with get()
 *     print(res.get())
 *
 * if __name__ == '__main__':
 *     multicore()
 * ```
 *
 * `applyAsync` returns a Fiber: `Fiber.join` is `get()`.
 *
 * Run: `node examples/06_pool_apply_async.ts`.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { Pool, Task } from "../src/index.ts"

export const job = Task.make(import.meta.url, "job", (x: number) => x * x)

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const pool = yield* Pool.make()
    const res = yield* pool.map(job, Array.from({ length: 10 }, (_, i) => i))
    console.log(`[${res.join(", ")}]`)
    const async = yield* pool.applyAsync(job, [2])
    console.log(yield* Fiber.join(async)) // get()
  })
  Effect.runPromise(Effect.scoped(program))
}

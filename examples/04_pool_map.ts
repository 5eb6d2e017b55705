/**
 * Tutorial 04: `Pool()` (one worker per CPU) and `map`.
 *
 * ```python
 * import multiprocessing as mp
 *
 * def job(x):
 *     return x * x  # the function has a return value
 *
 * def multicore():
 *     pool = mp.Pool()
 *     res = pool.map(job, range(10))
 *     print(res)
 *
 * if __name__ == '__main__':
 *     multicore()
 * ```
 *
 * The pool is never closed in Python (the interpreter cleans up at exit).
 * Ours lives in a scope: when the program's scope closes, the workers end.
 *
 * Run: `node examples/04_pool_map.ts`.
 */
import * as Effect from "effect/Effect"
import { Pool, Task } from "../src/index.ts"

export const job = Task.make(import.meta.url, "job", (x: number) => x * x)

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const pool = yield* Pool.make() // Pool(): os.availableParallelism() workers
    const res = yield* pool.map(job, Array.from({ length: 10 }, (_, i) => i))
    console.log(`[${res.join(", ")}]`)
  })
  Effect.runPromise(Effect.scoped(program))
}

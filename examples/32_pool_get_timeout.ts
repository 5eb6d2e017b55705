/**
 * Tutorial 32: results with timeouts: `get(timeout)`, `map`, `imap` with
 * `next()` / `next(timeout)`, and a `TimeoutError`.
 *
 * ```python
 * from multiprocessing import Pool
 * import time
 *
 * def myfunction(m):
 *     return m * m
 *
 * if __name__ == '__main__':
 *     my_pool = Pool(processes=4)
 *     result = my_pool.apply_async(myfunction, (10,))
 *     print(result.get(timeout=1))              # prints "100"
 *     print(my_pool.map(myfunction, range(10)))  # prints "[0, 1, 4,..., 81]"
 *     my_it = my_pool.imap(myfunction, range(10))
 *     print(my_it.next())                        # prints "0"
 *     print(my_it.next())                        # prints "1"
 *     print(my_it.next(timeout=1))               # prints "4"
 *     result = my_pool.apply_async(time.sleep, (10,))
 *     print(result.get(timeout=1))               # raises multiprocessing.TimeoutError
 * ```
 *
 * Python's timeout leaves the 10 s sleep running in its worker. Ours is
 * `Effect.timeout` on the call: the call is interrupted, and so is the task
 * in its worker. The program then fails with the timeout and exits with 1,
 * as Python's does.
 *
 * Run: `node examples/32_pool_get_timeout.ts`.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { Pool, Task } from "../src/index.ts"

export const myfunction = Task.make(import.meta.url, "myfunction", (m: number) => m * m)
export const sleep = Task.make(import.meta.url, "sleep", (seconds: number) => Effect.sleep(seconds * 1000))

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const myPool = yield* Pool.make({ processes: 4 })
    const result = yield* myPool.applyAsync(myfunction, [10])
    console.log(yield* Fiber.join(result).pipe(Effect.timeout("1 second"))) // get(timeout=1)
    const res = yield* myPool.map(myfunction, Array.from({ length: 10 }, (_, i) => i))
    console.log(`[${res.join(", ")}]`)
    // next(), next(), next(timeout=1): the first three results of imap
    const first = yield* Stream.runCollect(Stream.take(myPool.imap(myfunction, Array.from({ length: 10 }, (_, i) => i)), 3))
      .pipe(Effect.timeout("1 second"))
    for (const x of first) console.log(x)
    // get(timeout) on a 10 s task: the call times out and the task is interrupted in its worker
    yield* myPool.apply(sleep, [10]).pipe(Effect.timeout("200 millis"))
  })
  Effect.runPromise(Effect.scoped(program)).catch((error) => {
    console.error(`${error.name}: ${error.message}`)
    process.exitCode = 1
  })
}

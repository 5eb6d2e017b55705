/**
 * Tutorial 18: the Pool API in one program: `cpu_count`, `apply`, `map`,
 * `imap` iterated, `close` and `join`.
 *
 * ```python
 * from multiprocessing import Pool, cpu_count
 *
 * def function(x, y=0):
 *     return x * x + y
 *
 * if __name__ == '__main__':
 *     arg1, arg2 = 1, 2
 *     iterable = range(5)
 *     pool = Pool(processes=cpu_count())
 *     result = pool.apply(function, args=(arg1, arg2))
 *     print(result)
 *     results = pool.map(function, iterable)
 *     print(results)
 *     results = pool.imap(function, iterable)
 *     for result in results:
 *         print(result)
 *     pool.close()
 *     pool.join()
 * ```
 *
 * A task has a fixed argument list: the optional `y` is given as `[x]` or `[x, y]`.
 *
 * Run: `node examples/18_pool_api_fragments.ts`.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Pool, Process, Task } from "../src/index.ts"

export const fn = Task.make(import.meta.url, "fn", (x: number, y: number = 0) => x * x + y)
export const square = Task.make(import.meta.url, "square", (x: number) => x * x)

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const [arg1, arg2] = [1, 2]
    const iterable = [0, 1, 2, 3, 4]
    const pool = yield* Pool.make({ processes: yield* Process.cpuCount })
    console.log(yield* pool.apply(fn, [arg1, arg2]))
    const results = yield* pool.map(square, iterable)
    console.log(`[${results.join(", ")}]`)
    yield* Stream.runForEach(pool.imap(square, iterable), (result) => Effect.sync(() => console.log(result)))
    yield* pool.close
    yield* pool.join
  })
  Effect.runPromise(Effect.scoped(program))
}

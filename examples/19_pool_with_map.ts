/**
 * Tutorial 19: `with Pool(4) as pool:` and `map`.
 *
 * ```python
 * from multiprocessing import Pool
 *
 * def f(x):
 *     return x * x
 *
 * if __name__ == '__main__':
 *     with Pool(4) as p:
 *         print(p.map(f, range(10)))
 * ```
 *
 * `with` is a scope: `Effect.scoped` ends the pool when the block ends (and
 * interrupts what it still runs, as Python's `terminate()` does).
 *
 * Run: `node examples/19_pool_with_map.ts`.
 */
import * as Effect from "effect/Effect"
import { Pool, Task } from "../src/index.ts"

export const f = Task.make(import.meta.url, "f", (x: number) => x * x)

if (import.meta.main) {
  const program = Effect.scoped(Effect.gen(function*() {
    const p = yield* Pool.make({ processes: 4 })
    const res = yield* p.map(f, Array.from({ length: 10 }, (_, i) => i))
    console.log(`[${res.join(", ")}]`)
  }))
  Effect.runPromise(program)
}

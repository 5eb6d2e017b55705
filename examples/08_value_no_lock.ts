/**
 * Two processes adding to one shared value without holding its lock: each
 * addition is a read, then a write. Python's version (tutorial program 08):
 *
 * ```python
 * import multiprocessing as mp
 * import time
 *
 * def job(v, num):
 *     for _ in range(5):
 *         time.sleep(0.5)
 *         v.value += num   # a read, then a write: updates can be lost
 *         print(v.value)
 *
 * if __name__ == '__main__':
 *     v = mp.Value('i', 0)
 *     p1 = mp.Process(target=job, args=(v, 1))
 *     p2 = mp.Process(target=job, args=(v, 4))
 *     p1.start(); p2.start(); p1.join(); p2.join()
 * ```
 *
 * The printed values interleave (1 5 6 10 ... 25 here); the last is 25 only
 * if no update was lost. `Shared.update(v, (n) => n + num)` would never lose
 * one (see 09).
 *
 * Run: `node examples/08_value_no_lock.ts`.
 */
import * as Effect from "effect/Effect"
import { Process, Shared, Task } from "../src/index.ts"

export const job = Task.make(import.meta.url, "job", (v: Shared.SharedValue<number>, num: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 5; i++) {
      yield* Effect.sleep("500 millis")
      yield* Shared.set(v, (yield* Shared.get(v)) + num)
      console.log(yield* Shared.get(v))
    }
  }))

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const v = yield* Shared.value("i", 0)
    const p1 = yield* Process.start(job, [v, 1], { startMethod: "process" })
    const p2 = yield* Process.start(job, [v, 4], { startMethod: "process" })
    yield* p1.join
    yield* p2.join
  })
  Effect.runPromise(Effect.scoped(program))
}

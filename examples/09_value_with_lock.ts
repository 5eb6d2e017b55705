/**
 * The same two processes, each holding a lock across its five additions: they
 * run one after the other. Python's version (tutorial program 09):
 *
 * ```python
 * import multiprocessing as mp
 * import time
 *
 * def job(v, num, l):
 *     l.acquire()
 *     for _ in range(5):
 *         time.sleep(0.5)
 *         v.value += num
 *         print(v.value)
 *     l.release()
 *
 * if __name__ == '__main__':
 *     l = mp.Lock()
 *     v = mp.Value('i', 0)
 *     p1 = mp.Process(target=job, args=(v, 1, l))
 *     p2 = mp.Process(target=job, args=(v, 4, l))
 *     p1.start(); p2.start(); p1.join(); p2.join()
 * ```
 *
 * Prints 1 2 3 4 5 9 13 17 21 25, or 4 8 12 16 20 21 22 23 24 25 if the
 * second process takes the lock first. `Lock.withLock` releases the lock even
 * if the job fails or is interrupted (Python's bare acquire / release would
 * leave it held).
 *
 * Run: `node examples/09_value_with_lock.ts`.
 */
import * as Effect from "effect/Effect"
import { Lock, Process, Shared, Task } from "../src/index.ts"

export const job = Task.make(import.meta.url, "job", (v: Shared.SharedValue<number>, num: number, l: Lock.Lock) =>
  Lock.withLock(l)(Effect.gen(function*() {
    for (let i = 0; i < 5; i++) {
      yield* Effect.sleep("500 millis")
      yield* Shared.update(v, (n) => n + num)
      console.log(yield* Shared.get(v))
    }
  })))

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const l = yield* Lock.make()
    const v = yield* Shared.value("i", 0)
    const p1 = yield* Process.start(job, [v, 1, l], { startMethod: "process" })
    const p2 = yield* Process.start(job, [v, 4, l], { startMethod: "process" })
    yield* p1.join
    yield* p2.join
  })
  Effect.runPromise(Effect.scoped(program))
}

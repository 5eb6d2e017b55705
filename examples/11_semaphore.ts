/**
 * Tutorial 11: Semaphore(2) among 5 processes: never more than 2 hold it.
 *
 * ```python
 * from multiprocessing import Semaphore, Process
 * import time
 *
 * def worker(semaphore, name):
 *     semaphore.acquire()
 *     print("Worker", name, "acquired semaphore")
 *     time.sleep(2)
 *     print("Worker", name, "released semaphore")
 *     semaphore.release()
 *
 * semaphore = Semaphore(2)
 * processes = []
 * for i in range(5):
 *     p = Process(target=worker, args=(semaphore, i))
 *     processes.append(p)
 *     p.start()
 * for p in processes:
 *     p.join()
 * ```
 *
 * The Python has no `__main__` guard (it works only with `fork`); ours keeps
 * its main part under `import.meta.main`. `withPermit` gives the permit back
 * even if the work fails or is interrupted. The sleep is 100 ms here.
 *
 * Run: `node examples/11_semaphore.ts`.
 */
import * as Effect from "effect/Effect"
import { Process, Semaphore, Task } from "../src/index.ts"

export const worker = Task.make(import.meta.url, "worker", (semaphore: Semaphore.Semaphore, name: number) =>
  Semaphore.withPermit(semaphore)(Effect.gen(function*() {
    console.log("Worker", name, "acquired semaphore")
    yield* Effect.sleep("100 millis")
    console.log("Worker", name, "released semaphore")
  })))

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const semaphore = yield* Semaphore.make(2)
    const processes = []
    for (let i = 0; i < 5; i++) processes.push(yield* Process.start(worker, [semaphore, i], { startMethod: "process" }))
    for (const p of processes) yield* p.join
  })
  Effect.runPromise(Effect.scoped(program))
}

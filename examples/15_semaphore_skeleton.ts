/**
 * The same pattern with a semaphore of 2 permits. Python's version (tutorial
 * program 15):
 *
 * ```python
 * from multiprocessing import Semaphore, Process
 *
 * semaphore = Semaphore(2)
 *
 * def worker(semaphore, data):
 *     semaphore.acquire()
 *     try:
 *         pass  # work on the shared resource
 *     finally:
 *         semaphore.release()
 *
 * processes = []
 * for i in range(5):
 *     p = Process(target=worker, args=(semaphore, i))
 *     processes.append(p)
 *     p.start()
 * for p in processes:
 *     p.join()
 * ```
 *
 * It prints nothing; the program checks that both permits are back at the end
 * (exit code 1 if not).
 *
 * Run: `node examples/15_semaphore_skeleton.ts`.
 */
import * as Effect from "effect/Effect"
import { Process, Semaphore, Task } from "../src/index.ts"

export const worker = Task.make(import.meta.url, "worker", (semaphore: Semaphore.Semaphore, _data: number) =>
  Semaphore.withPermit(semaphore)(Effect.void) // work on the shared resource
)

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const semaphore = yield* Semaphore.make(2)
    const processes = []
    for (let i = 0; i < 5; i++) processes.push(yield* Process.start(worker, [semaphore, i], { startMethod: "process" }))
    for (const p of processes) yield* p.join
    if ((yield* Semaphore.value(semaphore)) !== 2) process.exitCode = 1
  })
  Effect.runPromise(Effect.scoped(program))
}

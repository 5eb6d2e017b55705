/**
 * Tutorial 01: a thread and a process are used the same way.
 *
 * ```python
 * import multiprocessing as mp
 * import threading as td
 *
 * def job(a, d):
 *     print('aaaaa')
 *
 * if __name__ == '__main__':
 *     t1 = td.Thread(target=job, args=(1, 2))
 *     p1 = mp.Process(target=job, args=(1, 2))
 *     t1.start()
 *     p1.start()
 *     t1.join()
 *     p1.join()
 * ```
 *
 * Ours: the same `Process.start`, with the `fiber` start method (a fiber of
 * this program, as Python's thread runs in its process) and the `process`
 * start method (a child process). `thread` would run it on a worker thread.
 *
 * Run: `node examples/01_thread_vs_process.ts`.
 */
import * as Effect from "effect/Effect"
import { Process, Task } from "../src/index.ts"

export const job = Task.make(import.meta.url, "job", (_a: number, _d: number) => {
  console.log("aaaaa")
})

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const t1 = yield* Process.start(job, [1, 2], { startMethod: "fiber" })
    const p1 = yield* Process.start(job, [1, 2], { startMethod: "process" })
    yield* t1.join
    yield* p1.join
  })
  Effect.runPromise(Effect.scoped(program))
}

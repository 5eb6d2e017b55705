/**
 * Tutorial 10: a process's life: start, is_alive, join, terminate.
 *
 * ```python
 * import multiprocessing
 *
 * def worker():
 *     # the process's logic
 *     pass
 *
 * if __name__ == '__main__':
 *     process = multiprocessing.Process(target=worker)
 *     process.start()
 *     if process.is_alive():
 *         print("进程正在运行")
 *     process.join()
 *     process.terminate()
 * ```
 *
 * As in Python, `isAlive` right after the start races with a task that does
 * nothing (it is almost always still alive here), and `terminate` after `join`
 * does nothing. Ours also reports how the process ended.
 *
 * Run: `node examples/10_process_lifecycle.ts`.
 */
import * as Effect from "effect/Effect"
import { Process, Task } from "../src/index.ts"

export const worker = Task.make(import.meta.url, "worker", () => {
  // the process's logic
})

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const p = yield* Process.start(worker, [], { startMethod: "process" })
    if (yield* p.isAlive) console.log("进程正在运行") // "the process is running"
    yield* p.join
    yield* p.terminate // the worker has exited already: nothing to do
    const code = yield* p.exitCode
    console.log(`exit code: ${code._tag === "Some" ? code.value : "none"}`)
  })
  Effect.runPromise(Effect.scoped(program))
}

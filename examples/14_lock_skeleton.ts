/**
 * The pattern of taking a lock around work on a shared resource, in 5
 * processes. Python's version (tutorial program 14):
 *
 * ```python
 * from multiprocessing import Lock, Process
 *
 * lock = Lock()
 *
 * def worker(lock, data):
 *     lock.acquire()
 *     try:
 *         pass  # work on the shared resource
 *     finally:
 *         lock.release()
 *
 * processes = []
 * for i in range(5):
 *     p = Process(target=worker, args=(lock, i))
 *     processes.append(p)
 *     p.start()
 * for p in processes:
 *     p.join()
 * ```
 *
 * It prints nothing. `Lock.withLock` is the try / finally: the lock is
 * released however the work ends. The program checks that it is free at the
 * end (exit code 1 if not).
 *
 * Run: `node examples/14_lock_skeleton.ts`.
 */
import * as Effect from "effect/Effect"
import { Lock, Process, Task } from "../src/index.ts"

export const worker = Task.make(import.meta.url, "worker", (lock: Lock.Lock, _data: number) =>
  Lock.withLock(lock)(Effect.void) // work on the shared resource
)

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const lock = yield* Lock.make()
    const processes = []
    for (let i = 0; i < 5; i++) processes.push(yield* Process.start(worker, [lock, i], { startMethod: "process" }))
    for (const p of processes) yield* p.join
    if (yield* Lock.locked(lock)) process.exitCode = 1
  })
  Effect.runPromise(Effect.scoped(program))
}

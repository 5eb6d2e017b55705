/**
 * Tutorial 22: `apply_async` of 5 tasks on a pool of 4 processes, then
 * `close` and `join`.
 *
 * ```python
 * from multiprocessing import Pool
 * import os, time, random
 *
 * def long_time_task(name):
 *     print('Run task %s (%s)...' % (name, os.getpid()))
 *     start = time.time()
 *     time.sleep(random.random() * 3)
 *     end = time.time()
 *     print('Task %s runs %0.2f seconds.' % (name, (end - start)))
 *
 * if __name__ == '__main__':
 *     print('Parent process %s.' % os.getpid())
 *     p = Pool(4)
 *     for i in range(5):
 *         p.apply_async(long_time_task, args=(i,))
 *     print('Waiting for all subprocesses done...')
 *     p.close()
 *     p.join()
 *     print('All subprocesses done.')
 * ```
 *
 * Python never reads these results, so an exception in a task would vanish.
 * Ours keeps each result in its fiber: `Fiber.join` would give it, failure
 * included. The sleeps are up to 0.3 s here instead of 3 s.
 *
 * Run: `node examples/22_pool_long_time_task.ts`.
 */
import * as Effect from "effect/Effect"
import { Pool, Task } from "../src/index.ts"

export const longTimeTask = Task.make(import.meta.url, "longTimeTask", (name: number) =>
  Effect.gen(function*() {
    console.log(`Run task ${name} (${process.pid})...`)
    const start = Date.now()
    yield* Effect.sleep(Math.random() * 300)
    console.log(`Task ${name} runs ${((Date.now() - start) / 1000).toFixed(2)} seconds.`)
  }))

if (import.meta.main) {
  const program = Effect.gen(function*() {
    console.log(`Parent process ${process.pid}.`)
    const p = yield* Pool.make({ processes: 4, startMethod: "process" })
    for (let i = 0; i < 5; i++) yield* p.applyAsync(longTimeTask, [i])
    console.log("Waiting for all subprocesses done...")
    yield* p.close
    yield* p.join
    console.log("All subprocesses done.")
  })
  Effect.runPromise(Effect.scoped(program))
}

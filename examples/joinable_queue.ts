/**
 * A JoinableQueue drained by workers: the parent puts jobs, two daemon
 * workers take them and mark each one done, and the parent waits until all
 * are done. Python's version:
 *
 * ```python
 * from multiprocessing import Process, JoinableQueue
 *
 * def worker(jobs, results):
 *     while True:
 *         n = jobs.get()
 *         results.put(n * n)
 *         jobs.task_done()
 *
 * if __name__ == '__main__':
 *     jobs, results = JoinableQueue(), JoinableQueue()
 *     for _ in range(2):
 *         Process(target=worker, args=(jobs, results), daemon=True).start()
 *     for n in range(10):
 *         jobs.put(n)
 *     jobs.join()
 *     print('all 10 jobs done; sum of squares:', sum(results.get() for _ in range(10)))
 * ```
 *
 * Run: `node examples/joinable_queue.ts`.
 */
import * as Effect from "effect/Effect"
import { Process, Queue, Task } from "../src/index.ts"

export const worker = Task.make(
  import.meta.url,
  "worker",
  (jobs: Queue.Queue<number>, results: Queue.Queue<number>) =>
    Effect.gen(function*() {
      while (true) {
        const n = yield* Queue.take(jobs)
        yield* Queue.offer(results, n * n)
        yield* Queue.taskDone(jobs)
      }
    })
)

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const jobs = yield* Queue.make<number>({ joinable: true })
    const results = yield* Queue.make<number>()
    for (let i = 0; i < 2; i++) yield* Process.start(worker, [jobs, results], { startMethod: "process", daemon: true })
    yield* Queue.offerAll(jobs, Array.from({ length: 10 }, (_, n) => n))
    yield* Queue.join(jobs)
    let sum = 0
    for (let i = 0; i < 10; i++) sum += yield* Queue.take(results)
    console.log("all 10 jobs done; sum of squares:", sum)
  })
  Effect.runPromise(Effect.scoped(program))
}

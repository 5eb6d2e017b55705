/**
 * Tutorial 03: two processes put their results into one queue; the parent
 * joins them, then reads the queue.
 *
 * ```python
 * import multiprocessing as mp
 *
 * def job(q):
 *     res = 0
 *     for i in range(1000):
 *         res += i + i ** 2 + i ** 3
 *     q.put(res)  # queue
 *
 * if __name__ == '__main__':
 *     q = mp.Queue()
 *     p1 = mp.Process(target=job, args=(q,))
 *     p2 = mp.Process(target=job, args=(q,))
 *     p1.start()
 *     p2.start()
 *     p1.join()
 *     p2.join()
 *     res1 = q.get()
 *     res2 = q.get()
 *     print(res1, res2)
 * ```
 *
 * Python deadlocks here once a result is large enough to fill the pipe
 * buffer (the child cannot exit before its item is read, and the parent
 * joins it before reading). Ours has no such trap: an item is in the queue
 * once `offer` returns, whatever its size.
 *
 * Run: `node examples/03_process_queue.ts`.
 */
import * as Effect from "effect/Effect"
import { Process, Queue, Task } from "../src/index.ts"

export const job = Task.make(import.meta.url, "job", (q: Queue.Queue<number>) => {
  let res = 0
  for (let i = 0; i < 1000; i++) res += i + i ** 2 + i ** 3
  return Queue.offer(q, res) // put
})

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const q = yield* Queue.make<number>()
    const p1 = yield* Process.start(job, [q], { startMethod: "process" })
    const p2 = yield* Process.start(job, [q], { startMethod: "process" })
    yield* p1.join
    yield* p2.join
    const res1 = yield* Queue.take(q) // get
    const res2 = yield* Queue.take(q)
    console.log(res1, res2)
  })
  Effect.runPromise(Effect.scoped(program))
}

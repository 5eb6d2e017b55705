/**
 * Tutorial 28: two producers and two consumers on one queue.
 *
 * ```python
 * from multiprocessing import Process, Queue
 *
 * def f(q, n):
 *     q.put('hello')
 *
 * def f1(q):
 *     print(q.get())
 *
 * if __name__ == '__main__':
 *     q = Queue()
 *     for i in range(2):
 *         p = Process(target=f, args=(q, i))
 *         p.start()
 *     tp1 = Process(target=f1, args=(q,))
 *     tp2 = Process(target=f1, args=(q,))
 *     tp3 = Process(target=f1, args=(q,))  # created, never started
 *     tp1.start()
 *     tp2.start()
 * ```
 *
 * Nothing is joined by hand: as in Python at exit, the scope waits for its
 * processes (they are not daemons) when it closes.
 *
 * Run: `node examples/28_queue_two_producers.ts`.
 */
import * as Effect from "effect/Effect"
import { Process, Queue, Task } from "../src/index.ts"

export const f = Task.make(import.meta.url, "f", (q: Queue.Queue<string>, _n: number) => Queue.offer(q, "hello"))

export const f1 = Task.make(
  import.meta.url,
  "f1",
  (q: Queue.Queue<string>) => Effect.map(Queue.take(q), (item) => console.log(item))
)

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const q = yield* Queue.make<string>()
    for (let i = 0; i < 2; i++) yield* Process.start(f, [q, i], { startMethod: "process" })
    yield* Process.start(f1, [q], { startMethod: "process" })
    yield* Process.start(f1, [q], { startMethod: "process" })
  })
  Effect.runPromise(Effect.scoped(program))
}

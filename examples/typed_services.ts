/**
 * A Queue as a typed service: the producer task declares `Jobs`, so every call
 * of it requires `Jobs` in its type, and the pool sends the queue the caller
 * provides. The nearest Python passes the queue as an argument:
 *
 * ```python
 * from multiprocessing import Pool, Manager
 *
 * def producer(q, n):
 *     for i in range(n):
 *         q.put(i)
 *
 * if __name__ == '__main__':
 *     q = Manager().Queue()
 *     with Pool(2) as pool:
 *         pool.apply(producer, (q, 10))
 *     print('took', [q.get() for _ in range(10)])
 * ```
 *
 * Run: `node examples/typed_services.ts`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { Pool, Queue, Task } from "../src/index.ts"

class Jobs extends Context.Service<Jobs, Queue.Queue<number>>()("app/Jobs") {}

export const producer = Task.make(import.meta.url, "producer", (n: number) =>
  Effect.gen(function*() {
    const q = yield* Jobs
    for (let i = 0; i < n; i++) yield* Queue.offer(q, i)
  }), { services: [Jobs] })

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const q = yield* Queue.make<number>()
    const pool = yield* Pool.make({ processes: 2 })
    // pool.apply(producer, [10]): Effect<void, ... | PoolError, Jobs>
    yield* pool.apply(producer, [10]).pipe(Effect.provideService(Jobs, q))
    const took: Array<number> = []
    for (let i = 0; i < 10; i++) took.push(yield* Queue.take(q))
    console.log(`took [${took.join(", ")}]`)
  })
  Effect.runPromise(Effect.scoped(program))
}

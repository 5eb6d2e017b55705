/**
 * Five consumers wait on a Condition until a shared value says the data is
 * ready; a producer sets it and wakes them all. Python's version (tutorial
 * program 17, completed where the tutorial's sketch could not run):
 *
 * ```python
 * from multiprocessing import Condition, Process, Value
 *
 * condition = Condition()
 * data = Value('i', 0)
 *
 * def condition_is_met():
 *     return data.value > 0
 *
 * def consumer(condition, data):
 *     with condition:
 *         while not condition_is_met():
 *             condition.wait()
 *         print("consumer", data, "consumed the data")
 *
 * def producer(condition, data):
 *     with condition:
 *         data.value = 1
 *         print("producer updated the shared resource")
 *         condition.notify_all()
 *
 * for i in range(5):
 *     Process(target=consumer, args=(condition, i)).start()
 * Process(target=producer, args=(condition, data)).start()
 * ```
 *
 * The predicate loop is what makes it safe: a consumer that takes the lock
 * after the producer finds the value set and does not wait at all.
 * `Condition.waitFor` is that loop.
 *
 * Run: `node examples/17_condition_notify_all.ts`.
 */
import * as Effect from "effect/Effect"
import { Condition, Process, Shared, Task } from "../src/index.ts"

export const consumer = Task.make(
  import.meta.url,
  "consumer",
  (condition: Condition.Condition, data: Shared.SharedValue<number>, i: number) =>
    Condition.withLock(condition)(Effect.gen(function*() {
      yield* Condition.waitFor(condition, Effect.map(Shared.get(data), (value) => value > 0))
      console.log("consumer", i, "consumed the data")
    }))
)

export const producer = Task.make(
  import.meta.url,
  "producer",
  (condition: Condition.Condition, data: Shared.SharedValue<number>) =>
    Condition.withLock(condition)(Effect.gen(function*() {
      yield* Shared.set(data, 1)
      console.log("producer updated the shared resource")
      yield* Condition.notifyAll(condition)
    }))
)

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const condition = yield* Condition.make()
    const data = yield* Shared.value("i", 0)
    for (let i = 0; i < 5; i++) yield* Process.start(consumer, [condition, data, i], { startMethod: "process" })
    yield* Process.start(producer, [condition, data], { startMethod: "process" })
  })
  Effect.runPromise(Effect.scoped(program))
}

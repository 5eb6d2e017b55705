/**
 * Tutorial 13: a Condition between a consumer and a producer process.
 *
 * ```python
 * from multiprocessing import Condition, Process
 * import time
 *
 * def consumer(condition):
 *     with condition:
 *         print("Consumer is waiting")
 *         condition.wait()
 *         print("Consumer is consuming the product")
 *
 * def producer(condition):
 *     with condition:
 *         time.sleep(2)
 *         print("Producer is producing the product")
 *         condition.notify()
 *
 * condition = Condition()
 * consumer_process = Process(target=consumer, args=(condition,))
 * producer_process = Process(target=producer, args=(condition,))
 * consumer_process.start()
 * producer_process.start()
 * consumer_process.join()
 * producer_process.join()
 * ```
 *
 * Python's version can lose the wakeup: if the producer takes the condition
 * first, its notify reaches nobody and the consumer waits forever. Ours
 * waits for a fact, not for a notify: the product is an Event, and the
 * consumer's `waitFor` checks it with the lock held, so the order of the two
 * processes does not matter. (The producer's sleep is 100 ms here.)
 *
 * Run: `node examples/13_condition.ts`.
 */
import * as Effect from "effect/Effect"
import { Condition, Event, Process, Task } from "../src/index.ts"

export const consumer = Task.make(import.meta.url, "consumer", (condition: Condition.Condition, product: Event.Event) =>
  Condition.withLock(condition)(Effect.gen(function*() {
    console.log("Consumer is waiting")
    yield* Condition.waitFor(condition, Event.isSet(product))
    console.log("Consumer is consuming the product")
  })))

export const producer = Task.make(import.meta.url, "producer", (condition: Condition.Condition, product: Event.Event) =>
  Condition.withLock(condition)(Effect.gen(function*() {
    yield* Effect.sleep("100 millis")
    console.log("Producer is producing the product")
    yield* Event.set(product)
    yield* Condition.notify(condition)
  })))

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const condition = yield* Condition.make()
    const product = yield* Event.make()
    const consumerProcess = yield* Process.start(consumer, [condition, product], { startMethod: "process" })
    const producerProcess = yield* Process.start(producer, [condition, product], { startMethod: "process" })
    yield* consumerProcess.join
    yield* producerProcess.join
  })
  Effect.runPromise(Effect.scoped(program))
}

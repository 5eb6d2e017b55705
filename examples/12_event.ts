/**
 * Tutorial 12: an Event releases 3 waiting processes.
 *
 * ```python
 * from multiprocessing import Event, Process
 * import time
 *
 * def worker(event, name):
 *     print("Worker", name, "waiting for event")
 *     event.wait()
 *     print("Worker", name, "received event")
 *     time.sleep(2)
 *     print("Worker", name, "completed task")
 *
 * event = Event()
 * processes = []
 * for i in range(3):
 *     p = Process(target=worker, args=(event, i))
 *     processes.append(p)
 *     p.start()
 * time.sleep(3)
 * event.set()
 * for p in processes:
 *     p.join()
 * ```
 *
 * The workers' sleep is 100 ms here; the parent's is 1 s (a child needs a few
 * hundred ms to start and import its task module on 2 cores, so that all
 * three are waiting when the event is set, as in the Python's output).
 *
 * Run: `node examples/12_event.ts`.
 */
import * as Effect from "effect/Effect"
import { Event, Process, Task } from "../src/index.ts"

export const worker = Task.make(import.meta.url, "worker", (event: Event.Event, name: number) =>
  Effect.gen(function*() {
    console.log("Worker", name, "waiting for event")
    yield* Event.wait(event)
    console.log("Worker", name, "received event")
    yield* Effect.sleep("100 millis")
    console.log("Worker", name, "completed task")
  }))

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const event = yield* Event.make()
    const processes = []
    for (let i = 0; i < 3; i++) processes.push(yield* Process.start(worker, [event, i], { startMethod: "process" }))
    yield* Effect.sleep("1 second")
    yield* Event.set(event)
    for (const p of processes) yield* p.join
  })
  Effect.runPromise(Effect.scoped(program))
}

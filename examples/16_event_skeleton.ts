/**
 * Five processes wait for an event that the parent sets. Python's version
 * (tutorial program 16):
 *
 * ```python
 * from multiprocessing import Event, Process
 *
 * event = Event()
 *
 * def worker(event, data):
 *     event.wait()
 *     # do the task
 *
 * processes = []
 * for i in range(5):
 *     p = Process(target=worker, args=(event, i))
 *     processes.append(p)
 *     p.start()
 * event.set()
 * for p in processes:
 *     p.join()
 * ```
 *
 * It prints nothing. The event may be set before some processes reach their
 * wait, which then returns at once.
 *
 * Run: `node examples/16_event_skeleton.ts`.
 */
import * as Effect from "effect/Effect"
import { Event, Process, Task } from "../src/index.ts"

export const worker = Task.make(import.meta.url, "worker", (event: Event.Event, _data: number) =>
  Event.wait(event) // then do the task
)

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const event = yield* Event.make()
    const processes = []
    for (let i = 0; i < 5; i++) processes.push(yield* Process.start(worker, [event, i], { startMethod: "process" }))
    yield* Event.set(event)
    for (const p of processes) yield* p.join
  })
  Effect.runPromise(Effect.scoped(program))
}

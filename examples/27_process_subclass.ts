/**
 * Tutorial 27: a Process subclass with a name and a `run` method.
 *
 * ```python
 * from multiprocessing import Process
 * import os
 *
 * class Myprocess(Process):
 *     def __init__(self, name):
 *         Process.__init__(self)
 *         self.name = name
 *
 *     def run(self):
 *         print(os.getpid())
 *         print(self.name + ' is running')
 *
 * if __name__ == '__main__':
 *     p1 = Myprocess('1')
 *     p2 = Myprocess('2')
 *     p3 = Myprocess('3')
 *     p1.start()
 *     p2.start()
 *     p3.start()
 * ```
 *
 * No subclass is needed: `run` is a task, the name an option, and the task
 * reads its own name with `Process.current`. Each process prints its two
 * lines at once, so they stay together, as in Python.
 *
 * Run: `node examples/27_process_subclass.ts`.
 */
import * as Effect from "effect/Effect"
import { Process, Task } from "../src/index.ts"

export const run = Task.make(import.meta.url, "run", () =>
  Effect.map(Process.current, (me) => {
    console.log(`${me.pid}\n${me.name} is running`)
  }))

if (import.meta.main) {
  const program = Effect.gen(function*() {
    for (const name of ["1", "2", "3"]) yield* Process.start(run, [], { name, startMethod: "process" })
  })
  Effect.runPromise(Effect.scoped(program))
}

/**
 * Tutorial 26: a process that is never joined by hand.
 *
 * ```python
 * from multiprocessing import Process
 * import time
 *
 * def fun(name):
 *     print(name + ' is running')
 *     time.sleep(2)
 *     print(name + ' end')
 *
 * if __name__ == '__main__':
 *     pro = Process(target=fun, args=('no1',))
 *     pro.start()
 * ```
 *
 * Python waits for non-daemon children at exit; ours waits when the scope
 * closes. (The sleep is 200 ms here.)
 *
 * Run: `node examples/26_process_no_join.ts`.
 */
import * as Effect from "effect/Effect"
import { Process, Task } from "../src/index.ts"

export const fun = Task.make(import.meta.url, "fun", (name: string) =>
  Effect.gen(function*() {
    console.log(name + " is running")
    yield* Effect.sleep("200 millis")
    console.log(name + " end")
  }))

if (import.meta.main) {
  Effect.runPromise(Effect.scoped(Process.start(fun, ["no1"], { startMethod: "process" })))
}

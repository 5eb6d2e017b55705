/**
 * Tutorial 21: a child process with a target and arguments, printing the
 * parent's and the child's pids.
 *
 * ```python
 * from multiprocessing import Process
 * import os
 *
 * def run_proc(name):
 *     print('Run child process %s (%s)...' % (name, os.getpid()))
 *
 * if __name__ == '__main__':
 *     print('Parent process %s.' % os.getpid())
 *     p = Process(target=run_proc, args=('test',))
 *     print('Child process will start.')
 *     p.start()
 *     p.join()
 *     print('Child process end.')
 * ```
 *
 * Run: `node examples/21_child_process_pid.ts`. The task lives in this file,
 * so the program runs under `import.meta.main` (Python's `__main__` guard):
 * the child imports this module to find `runProc` and must not run it again.
 */
import * as Effect from "effect/Effect"
import { Process, Task } from "../src/index.ts"

export const runProc = Task.make(import.meta.url, "runProc", (name: string) => {
  console.log(`Run child process ${name} (${process.pid})...`)
})

if (import.meta.main) {
  const program = Effect.gen(function*() {
    console.log(`Parent process ${process.pid}.`)
    console.log("Child process will start.")
    const p = yield* Process.start(runProc, ["test"], { startMethod: "process" }) // Process(...).start()
    yield* p.join // join(): also the task's failure, if it failed
    console.log("Child process end.")
  })
  Effect.runPromise(Effect.scoped(program))
}

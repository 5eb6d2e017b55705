/**
 * Tutorial 02: a Process with a target and its arguments.
 *
 * ```python
 * import multiprocessing as mp
 *
 * def job(a, d):
 *     print(a, d)
 *
 * if __name__ == '__main__':
 *     p1 = mp.Process(target=job, args=(1, 2))
 *     p1.start()
 *     p1.join()
 * ```
 *
 * Run: `node examples/02_process_args.ts`.
 */
import * as Effect from "effect/Effect"
import { Process, Task } from "../src/index.ts"

export const job = Task.make(import.meta.url, "job", (a: number, d: number) => {
  console.log(a, d)
})

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const p1 = yield* Process.start(job, [1, 2], { startMethod: "process" })
    yield* p1.join
  })
  Effect.runPromise(Effect.scoped(program))
}

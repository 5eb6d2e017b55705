/**
 * Tutorial 31: a Lock around printing, 10 processes.
 *
 * ```python
 * from multiprocessing import Process, Lock
 *
 * def my_function(x, y):
 *     x.acquire()
 *     print('hello world', y)
 *     x.release()
 *
 * if __name__ == '__main__':
 *     lock = Lock()
 *     for num in range(10):
 *         Process(target=my_function, args=(lock, num)).start()
 * ```
 *
 * Nothing is joined by hand: the scope waits for its processes when it
 * closes, as Python does at exit. The order is usually 0..9, as in Python,
 * but not guaranteed.
 *
 * Run: `node examples/31_lock_print.ts`.
 */
import * as Effect from "effect/Effect"
import { Lock, Process, Task } from "../src/index.ts"

export const myFunction = Task.make(import.meta.url, "myFunction", (x: Lock.Lock, y: number) =>
  Lock.withLock(x)(Effect.sync(() => console.log("hello world", y))))

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const lock = yield* Lock.make()
    for (let num = 0; num < 10; num++) yield* Process.start(myFunction, [lock, num], { startMethod: "process" })
  })
  Effect.runPromise(Effect.scoped(program))
}

/**
 * Test helpers that look at the real machine: OS threads of this process,
 * and waiting on shared-memory flags set by tasks (events, not sleeps).
 */
import * as Effect from "effect/Effect"
import * as fs from "node:fs"

/** OS threads of this process (each worker thread is one). */
export const threadCount = (): number => fs.readdirSync("/proc/self/task").length

/** A flag a task can raise from any worker thread. */
export const makeFlag = (): Int32Array => new Int32Array(new SharedArrayBuffer(4))

/** Waits until a task has raised `flag` (Atomics.waitAsync: no polling, no sleep). */
export const awaitFlag = (flag: Int32Array): Effect.Effect<void> =>
  Effect.promise(async () => {
    while (Atomics.load(flag, 0) === 0) {
      const wait = Atomics.waitAsync(flag, 0, 0)
      if (wait.async) await wait.value
    }
  })

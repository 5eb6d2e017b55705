/**
 * A worker thread waiting for its next task first polls its channel
 * (worker.ts), then sleeps in its event loop. What a task left behind must
 * still run there: piscina's `Atomics.wait` between tasks froze it until the
 * next task (piscina #331, #346).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Pool } from "../src/index.ts"
import * as T from "./fixtures/idle.ts"

/** Waits until `words[1]` is 1: "ok", or "timed-out" after `ms` (a bound on failure, not a clock). */
const settled = (words: Int32Array, ms: number) =>
  Effect.promise(() => {
    const { async, value } = Atomics.waitAsync(words, 1, 0, ms)
    // not waiting at all: it is set already
    return async ? value : Promise.resolve(value === "not-equal" ? "ok" : value)
  })

describe("an idle worker thread", () => {
  it.live("still settles a promise a task left pending (Atomics.waitAsync), with no task to wake it", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 1, startMethod: "thread" })
      for (let round = 0; round < 20; round++) {
        const words = new Int32Array(new SharedArrayBuffer(8))
        expect(yield* pool.apply(T.echoLater, [words])).toBe("waiting")
        // the worker has posted its result and waits for the next task
        Atomics.store(words, 0, 1)
        Atomics.notify(words, 0)
        expect(yield* settled(words, 10_000)).toBe("ok")
      }
    }).pipe(Effect.scoped))

  it.live("still runs a timer a task left behind, with no task to wake it", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 1, startMethod: "thread" })
      for (const ms of [0, 1, 5, 30]) {
        const words = new Int32Array(new SharedArrayBuffer(8))
        expect(yield* pool.apply(T.timerLater, [words, ms])).toBe("waiting")
        expect(yield* settled(words, 10_000)).toBe("ok")
      }
    }).pipe(Effect.scoped))
})

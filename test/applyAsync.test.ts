import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { Pool, Queue } from "../src/index.ts"
import * as T from "./fixtures/processes.ts"

describe.each(["thread", "process", "fiber"] as const)("Pool.applyAsync on %s", (startMethod) => {
  // Regression: the fiber used to start on the next tick, and an interrupt
  // before then left its task running in the worker, unowned (join hung).
  it.live("a fiber interrupted right after applyAsync interrupts its task: close and join return", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 1, startMethod })
      const events = yield* Queue.make<string>()
      const f = yield* pool.applyAsync(T.waitForever, [events])
      yield* Fiber.interrupt(f)
      yield* pool.close
      yield* pool.join
      // it never started, or it started and its finalizer ran
      const seen: Array<string> = []
      while ((yield* Queue.size(events)) > 0) seen.push(yield* Queue.take(events))
      expect([[], ["started", "finalizer ran"]]).toContainEqual(seen)
    }))
})

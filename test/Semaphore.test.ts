import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as fc from "fast-check"
import { Pool, Process, Queue, Semaphore } from "../src/index.ts"
import * as T from "./fixtures/semaphores.ts"

describe.each(["thread", "process", "fiber"] as const)("Semaphore on %s", (startMethod) => {
  it.live("Semaphore(2) among 5 workers never admits more than 2", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 5, startMethod })
      const s = yield* Semaphore.make(2)
      const log = yield* Queue.make<string>()
      yield* Effect.forEach(Array.from({ length: 5 }), () => pool.apply(T.gauge, [s, log, 10]), { concurrency: "unbounded" })
      let inside = 0
      let most = 0
      while ((yield* Queue.size(log)) > 0) {
        inside += (yield* Queue.take(log)) === "+" ? 1 : -1
        most = Math.max(most, inside)
      }
      expect(inside).toBe(0)
      expect(most).toBeLessThanOrEqual(2)
      expect(yield* Semaphore.value(s)).toBe(2)
    }))

  it.live("tryTake, value, bounded over-release, and withPermit giving back on interruption", () =>
    Effect.gen(function*() {
      const s = yield* Semaphore.make(2, { bounded: true })
      expect(yield* Semaphore.tryTake(s, 2)).toBe(true)
      expect(yield* Semaphore.tryTake(s)).toBe(false)
      expect(yield* Semaphore.value(s)).toBe(0)
      yield* Semaphore.release(s, 2)
      expect((yield* Effect.flip(Semaphore.release(s)))._tag).toBe("InvalidArgument")
      const held = yield* Deferred.make<void>()
      const f = yield* Effect.forkChild(Semaphore.withPermits(s, 2)(Effect.andThen(Deferred.succeed(held, undefined), Effect.never)))
      yield* Deferred.await(held)
      expect(yield* Semaphore.value(s)).toBe(0)
      yield* Fiber.interrupt(f)
      expect(yield* Semaphore.value(s)).toBe(2)
      const unbounded = yield* Semaphore.make(0)
      yield* Semaphore.release(unbounded, 3) // over-release is allowed, as in Python
      expect(yield* Semaphore.value(unbounded)).toBe(3)
    }))
})

describe.each(["thread", "process", "fiber"] as const)("bounded Semaphore on %s", (startMethod) => {
  it.live("never goes above its bound, for any sequence of tryTake and release in a worker", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 5 }),
          fc.array(fc.tuple(fc.constantFrom("take" as const, "release" as const), fc.integer({ min: 1, max: 3 })), { maxLength: 30 }),
          (bound, ops) =>
            Effect.runPromise(Effect.scoped(Effect.gen(function*() {
              const pool = yield* Pool.make({ processes: 1, startMethod })
              const s = yield* Semaphore.make(bound, { bounded: true })
              const seen = yield* pool.apply(T.applyOps, [s, ops])
              // the model: Python's BoundedSemaphore
              let value = bound
              ops.forEach(([op, n], i) => {
                let did: string
                if (op === "take") {
                  did = String(value >= n)
                  if (value >= n) value -= n
                } else if (value + n > bound) did = "InvalidArgument"
                else {
                  did = "ok"
                  value += n
                }
                expect(seen[i]).toEqual([did, value])
                expect(seen[i][1]).toBeLessThanOrEqual(bound)
              })
            })))
        ),
        { numRuns: startMethod === "fiber" ? 30 : 8 }
      )
    ))
})

describe.each(["thread", "process"] as const)("Semaphore faults on %s", (startMethod) => {
  it.live("a worker that dies holding permits gives them back", () =>
    Effect.gen(function*() {
      const s = yield* Semaphore.make(3)
      const log = yield* Queue.make<string>()
      const p = yield* Process.start(T.holdPermits, [s, 2, log], { startMethod })
      expect(yield* Queue.take(log)).toBe("holding")
      expect(yield* Semaphore.value(s)).toBe(1)
      const waiter = yield* Effect.forkChild(Semaphore.take(s, 3))
      if (startMethod === "process") process.kill(yield* p.pid, "SIGKILL")
      else yield* p.kill
      const died = yield* Effect.flip(p.join)
      expect(died._tag).toBe("WorkerDied")
      expect((died as any).released).toEqual([`Semaphore ${s.id} (2 permits)`])
      yield* Fiber.join(waiter)
      expect(yield* Semaphore.value(s)).toBe(0)
    }))
})

import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import * as fc from "fast-check"
import { Barrier, Event, Pool, Process, Shared } from "../src/index.ts"
import * as T from "./fixtures/barriers.ts"

const methods = ["thread", "process", "fiber"] as const

/** A task's handler run right here, in the main program, as one more party. */
const here = <A>(effect: unknown) => effect as Effect.Effect<A>

/** A worker's wait at the barrier, and the event that says it has arrived (see the fixture). */
const arrival = (pool: Pool.Pool, b: Barrier.Barrier) =>
  Effect.gen(function*() {
    const arrived = yield* Event.make()
    const fiber = yield* pool.applyAsync(T.arriveThenWait, [b, arrived])
    yield* Event.wait(arrived)
    return fiber
  })

describe.each(methods)("Barrier on %s", (startMethod) => {
  it.live("each round gives every index 0..n-1 exactly once, for any parties and rounds", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 6 }), (n, count) =>
          Effect.runPromise(Effect.scoped(Effect.gen(function*() {
            const pool = yield* Pool.make({ processes: n, startMethod })
            const b = yield* Barrier.make(n)
            const results = yield* Effect.forEach(
              Array.from({ length: n }, () => b),
              (b) => pool.apply(T.rounds, [b, count]),
              { concurrency: "unbounded" }
            )
            for (let r = 0; r < count; r++) {
              expect(results.map((rs) => rs[r][0]).sort()).toEqual(Array.from({ length: n }, (_, i) => i))
            }
            expect(yield* Barrier.waiting(b)).toBe(0)
          })))),
        { numRuns: startMethod === "fiber" ? 10 : 4 }
      )
    ))

  it.live("the action runs once per round, in the main program, before anyone resumes", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 2, startMethod })
      const recorded = yield* Shared.value("i", 0)
      let runs = 0
      const b = yield* Barrier.make(3, { action: Effect.andThen(Effect.sync(() => ++runs), (n) => Shared.set(recorded, n)) })
      const [a, c, main] = yield* Effect.all([
        pool.apply(T.rounds, [b, 4, recorded]),
        pool.apply(T.rounds, [b, 4, recorded]),
        here<Array<readonly [number, number]>>(T.rounds.handler(b, 4, recorded))
      ], { concurrency: "unbounded" })
      expect(runs).toBe(4)
      for (let r = 0; r < 4; r++) {
        expect([a[r][0], c[r][0], main[r][0]].sort()).toEqual([0, 1, 2])
        for (const side of [a, c, main]) expect(side[r][1]).toBe(r + 1)
      }
    }))

  it.live("abort, a timeout and a failed action break it; reset makes it usable again", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 2, startMethod })
      const b = yield* Barrier.make(2)
      expect(Barrier.parties(b)).toBe(2)
      // abort while a worker waits
      const waiter = yield* arrival(pool, b)
      expect(yield* Barrier.waiting(b)).toBe(1)
      yield* Barrier.abort(b)
      expect(yield* Fiber.join(waiter)).toBe("BrokenBarrier")
      expect(yield* Barrier.broken(b)).toBe(true)
      expect(yield* pool.apply(T.waitOnce, [b])).toBe("BrokenBarrier")
      yield* Barrier.reset(b)
      expect(yield* Barrier.broken(b)).toBe(false)
      // a waiter's timeout breaks the round for the others too
      const three = yield* Barrier.make(3)
      const other = yield* arrival(pool, three)
      expect((yield* Effect.flip(Barrier.wait(three, { timeout: 1 })))._tag).toBe("BrokenBarrier")
      expect(yield* Fiber.join(other)).toBe("BrokenBarrier")
      expect(yield* Barrier.broken(three)).toBe(true)
      // and the barrier's default timeout, in a worker
      const timed = yield* Barrier.make(2, { timeout: "5 millis" })
      expect(yield* pool.apply(T.waitOnce, [timed])).toBe("BrokenBarrier")
      // reset with a waiter fails that waiter
      const reset = yield* arrival(pool, b)
      yield* Barrier.reset(b)
      expect(yield* Fiber.join(reset)).toBe("BrokenBarrier")
      expect(yield* Barrier.broken(b)).toBe(false)
      const ok = yield* Effect.all([pool.apply(T.waitOnce, [b]), Barrier.wait(b)], { concurrency: "unbounded" })
      expect([...ok].sort()).toEqual([0, 1])
      // an action that fails breaks the round it ends
      const failing = yield* Barrier.make(2, { action: Effect.fail("no") })
      const results = yield* Effect.all([pool.apply(T.waitOnce, [failing]), here<string | number>(T.waitOnce.handler(failing))], { concurrency: "unbounded" })
      expect(results).toEqual(["BrokenBarrier", "BrokenBarrier"])
    }))
})

describe("Barrier in the main program", () => {
  it.live("bad parties, and every call after its scope closed", () =>
    Effect.gen(function*() {
      expect((yield* Effect.flip(Effect.scoped(Barrier.make(0))))._tag).toBe("InvalidArgument")
      const scope = yield* Scope.make()
      const b = yield* Barrier.make(2).pipe(Scope.provide(scope))
      // started at once: its arrival is recorded before the next line
      const waiting = yield* Effect.forkChild(Barrier.wait(b), { startImmediately: true })
      expect(yield* Barrier.waiting(b)).toBe(1)
      yield* Scope.close(scope, Exit.void)
      expect((yield* Effect.flip(Fiber.join(waiting)))._tag).toBe("BarrierClosed")
      expect((yield* Effect.flip(Barrier.wait(b)))._tag).toBe("BarrierClosed")
      expect((yield* Effect.flip(Barrier.abort(b)))._tag).toBe("BarrierClosed")
    }))
})

describe.each(["thread", "process"] as const)("Barrier faults on %s", (startMethod) => {
  it.live("a party whose worker exits while it waits breaks the round, where Python hangs the others", () =>
    Effect.gen(function*() {
      const b = yield* Barrier.make(3)
      const main = yield* Effect.forkChild(Barrier.wait(b), { startImmediately: true })
      const [arrived, go] = [yield* Event.make(), yield* Event.make()]
      const p = yield* Process.start(T.arriveThenExit, [b, arrived, go], { startMethod })
      yield* Event.wait(arrived)
      expect(yield* Barrier.waiting(b)).toBe(2)
      yield* Event.set(go)
      expect((yield* Effect.flip(Fiber.join(main)))._tag).toBe("BrokenBarrier")
      expect(yield* Barrier.broken(b)).toBe(true)
      expect((yield* Effect.flip(p.join))._tag).toBe("WorkerDied")
    }))

  it.live("a party killed (kill -9 on process, terminate on thread) while it waits breaks the round", () =>
    Effect.gen(function*() {
      const b = yield* Barrier.make(3)
      const main = yield* Effect.forkChild(Barrier.wait(b), { startImmediately: true })
      const arrived = yield* Event.make()
      const p = yield* Process.start(T.arriveThenWait, [b, arrived], { startMethod })
      yield* Event.wait(arrived)
      expect(yield* Barrier.waiting(b)).toBe(2)
      if (startMethod === "process") process.kill(yield* p.pid, "SIGKILL")
      else yield* p.terminate
      expect((yield* Effect.flip(Fiber.join(main)))._tag).toBe("BrokenBarrier")
      yield* Effect.exit(p.join)
    }))
})

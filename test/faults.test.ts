/**
 * Faults caused for real: workers that exit, throw from a callback, run out
 * of memory, get stuck; initializers that fail; recycling; and lifecycle.
 * Every test checks the typed error, that the pool then still serves, and
 * that no worker thread is left once the pool's scope is closed.
 */
import { assert, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { Pool } from "../src/index.ts"
import * as T from "./fixtures/tasks.ts"
import { awaitFlag, makeFlag, threadCount } from "./helpers.ts"

let baseline = 0

beforeAll(async () => {
  // Let Node start its lazy threads (libuv pool, V8 helpers) before counting.
  await Effect.runPromise(Effect.scoped(Effect.flatMap(Pool.make({ processes: 1 }), (p) => p.apply(T.add, [1, 1]))))
  baseline = threadCount()
})

/** Runs a test body in its own scope, then checks that every worker thread is gone. */
const leakFree = <A, E>(body: Effect.Effect<A, E, import("effect/Scope").Scope>) =>
  Effect.gen(function*() {
    yield* Effect.scoped(body)
    expect(threadCount()).toBe(baseline)
  })

describe("worker faults (thread)", () => {
  const make = (options: Pool.Options<any> = {}) =>
    Pool.make({ processes: 2, startMethod: "thread", interruptGracePeriod: "200 millis", ...options })

  it.live("process.exit in a task fails that task with its exit code; other workers are untouched", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make()
      const busy = yield* pool.applyAsync(T.spin, [100])
      const error = yield* Effect.flip(pool.apply(T.exitWith, [3]))
      assert(error._tag === "WorkerDied")
      expect(error.exitCode).toBe(3)
      expect(error.task).toContain("#exitWith")
      expect(yield* Fiber.join(busy)).toBeGreaterThan(0)
      expect(yield* pool.map(T.square, [1, 2, 3, 4], { chunksize: 1 })).toEqual([1, 4, 9, 16])
    })))

  it.live("an uncaught exception thrown from a timer fails the task with the reason", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make()
      const error = yield* Effect.flip(pool.apply(T.throwInTimer, ["thrown later"]))
      assert(error._tag === "WorkerDied")
      expect(error.exitCode).toBe(1)
      expect(error.reason).toContain("thrown later")
      expect(yield* pool.apply(T.add, [2, 2])).toBe(4)
    })))

  it.live("a worker past its memory limit fails its task with resourceLimit", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make({ resourceLimits: { maxOldGenerationSizeMb: 32 } })
      const error = yield* Effect.flip(pool.apply(T.allocateForever, []))
      assert(error._tag === "WorkerDied")
      expect(error.resourceLimit).toBe(true)
      expect(error.message).toContain("memory limit")
      expect(yield* pool.apply(T.add, [2, 3])).toBe(5)
    })))

  it.live("a worker stuck in synchronous code is terminated after the grace period and replaced", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make({ processes: 1 })
      const before = yield* pool.apply(T.whereAmI, [])
      const flag = makeFlag()
      const fiber = yield* Effect.forkChild(pool.apply(T.markThenSpin, [flag]))
      yield* awaitFlag(flag)
      yield* Fiber.interrupt(fiber)
      const after = yield* pool.apply(T.whereAmI, [])
      expect(after.threadId).not.toBe(before.threadId)
    })))

  it.live("an initializer runs once in each worker before any task", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make({ initializer: T.init, initargs: ["ready"] })
      expect(yield* pool.starmap(T.readInit, [[], [], [], []], { chunksize: 1 })).toEqual(
        ["ready", "ready", "ready", "ready"]
      )
    })))

  it.live("an initializer that throws fails Pool.make once, with no respawn loop", () =>
    leakFree(Effect.gen(function*() {
      const runs = makeFlag()
      const error = yield* Effect.flip(make({ initializer: T.countingInit, initargs: [runs, 1] }))
      assert(error._tag === "InitializerFailed")
      expect(error.reason).toContain("refused")
      expect(error.task).toContain("#countingInit")
      expect(Atomics.load(runs, 0)).toBeLessThanOrEqual(2) // once per worker at most
    })))

  it.live("an initializer that fails on a respawn breaks the pool once: calls fail, nothing respawns", () =>
    leakFree(Effect.gen(function*() {
      const runs = makeFlag()
      const pool = yield* make({ processes: 1, maxTasksPerChild: 1, initializer: T.countingInit, initargs: [runs, 3] })
      expect(yield* pool.apply(T.add, [1, 1])).toBe(2) // worker 1 (init run 1)
      expect(yield* pool.apply(T.add, [1, 2])).toBe(3) // worker 2 (init run 2)
      const error = yield* Effect.flip(pool.apply(T.add, [1, 3])) // worker 3's init fails
      expect(error._tag).toBe("InitializerFailed")
      const again = yield* Effect.flip(pool.apply(T.add, [1, 4]))
      expect(again._tag).toBe("InitializerFailed")
      expect(Atomics.load(runs, 0)).toBe(3)
    })))

  it.live("maxTasksPerChild recycles workers without losing or stalling a task", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make({ maxTasksPerChild: 3 })
      const results = yield* pool.map(T.countTasks, Array.from({ length: 30 }, (_, i) => i), { chunksize: 1 })
      expect(results).toHaveLength(30)
      expect(Math.max(...results.map((r) => r.seen))).toBeLessThanOrEqual(3)
      expect(new Set(results.map((r) => r.worker)).size).toBeGreaterThanOrEqual(10)
      const many = yield* Effect.forEach(
        Array.from({ length: 40 }, (_, i) => i),
        (i) => pool.apply(T.add, [i, 1]),
        { concurrency: "unbounded" }
      )
      expect(many).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    })))
})

describe.each(["thread", "fiber"] as const)("lifecycle (%s)", (startMethod) => {
  const make = () => Pool.make({ processes: 2, startMethod })

  it.live("close lets queued work finish; later submits fail with PoolNotRunning; join waits", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make()
      const fibers = yield* Effect.forEach([1, 2, 3, 4, 5], (x) => pool.applyAsync(T.asyncDouble, [x]))
      yield* pool.close
      const error = yield* Effect.flip(pool.apply(T.add, [1, 1]))
      assert(error._tag === "PoolNotRunning")
      expect(error.state).toBe("closed")
      yield* pool.join
      expect(yield* Fiber.joinAll(fibers)).toEqual([2, 4, 6, 8, 10])
      yield* pool.close // idempotent
    })))

  it.live("join on a running pool is an error", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make()
      const error = yield* Effect.flip(pool.join)
      expect(error._tag).toBe("InvalidArgument")
    })))

  it.live("terminate fails running and queued calls with PoolNotRunning and ends the workers", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make()
      const flag = makeFlag()
      const running = yield* pool.applyAsync(T.waitForInterrupt, [flag])
      const queued = yield* Effect.forEach([1, 2, 3], (x) => pool.applyAsync(T.asyncDouble, [x]))
      yield* pool.terminate
      const exit = yield* Fiber.await(running)
      assert(Exit.isFailure(exit))
      for (const f of queued) yield* Fiber.await(f)
      const error = yield* Effect.flip(pool.apply(T.add, [1, 1]))
      assert(error._tag === "PoolNotRunning")
      expect(error.state).toBe("terminated")
      yield* pool.terminate // idempotent
      yield* pool.join
    })))

  it.live("closing the pool's scope interrupts what runs and leaves no worker", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make()
      yield* pool.applyAsync(T.waitForInterrupt, [makeFlag()])
      expect(yield* pool.apply(T.add, [1, 1])).toBe(2)
    })))
})

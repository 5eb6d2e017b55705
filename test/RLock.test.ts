import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { Lock, Pool, Process, Queue, RLock } from "../src/index.ts"
import * as T from "./fixtures/locks.ts"

describe.each(["thread", "process", "fiber"] as const)("RLock on %s", (startMethod) => {
  it.live("re-entrant for its owning fiber; released only by it, as many times as acquired", () =>
    Effect.gen(function*() {
      const lock = yield* RLock.make()
      yield* RLock.acquire(lock)
      yield* RLock.acquire(lock) // again: no deadlock
      expect(yield* RLock.locked(lock)).toBe(true)
      // another fiber (here, and in a worker) may neither take it nor release it
      const other = yield* Effect.forkChild(RLock.tryAcquire(lock))
      expect(yield* Fiber.join(other)).toBe(false)
      const stranger = yield* Effect.forkChild(Effect.gen(function*() {
        yield* RLock.release(lock) // `yield*` looks up the current fiber (internal/syncpath.ts)
      }).pipe(Effect.flip))
      expect((yield* Fiber.join(stranger))._tag).toBe("LockNotHeld")
      const pool = yield* Pool.make({ processes: 1, startMethod })
      expect(yield* pool.apply(T.releaseNotOwned, [lock])).toBe("LockNotHeld")
      yield* RLock.release(lock)
      expect(yield* RLock.locked(lock)).toBe(true) // acquired twice, released once
      yield* RLock.release(lock)
      expect(yield* RLock.locked(lock)).toBe(false)
      expect((yield* Effect.flip(RLock.release(lock)))._tag).toBe("LockNotHeld") // once too often
    }))

  it.live("a worker's fiber holds it through nested withLock; the main program gets it once the worker lets go", () =>
    Effect.gen(function*() {
      const lock = yield* RLock.make()
      const events = yield* Queue.make<string>()
      const pool = yield* Pool.make({ processes: 1, startMethod })
      const holder = yield* pool.applyAsync(T.holdTwice, [lock, events])
      expect(yield* Queue.take(events)).toBe("holding twice")
      expect(yield* Lock.tryAcquire(lock)).toBe(false)
      yield* Fiber.interrupt(holder) // both withLock scopes release
      expect(yield* Lock.tryAcquire(lock)).toBe(true)
    }))
})

describe.each(["thread", "process"] as const)("RLock faults on %s", (startMethod) => {
  it.live("a worker that dies holding it (twice) does not leave it locked", () =>
    Effect.gen(function*() {
      const lock = yield* RLock.make()
      const events = yield* Queue.make<string>()
      const p = yield* Process.start(T.holdTwice, [lock, events], { startMethod })
      expect(yield* Queue.take(events)).toBe("holding twice")
      if (startMethod === "process") process.kill(yield* p.pid, "SIGKILL")
      else yield* p.kill
      const died = yield* Effect.flip(p.join)
      expect(died._tag).toBe("WorkerDied")
      expect((died as any).released).toEqual([`RLock ${lock.id}`])
      yield* RLock.acquire(lock)
      yield* RLock.release(lock)
      expect(yield* RLock.locked(lock)).toBe(false)
    }))
})

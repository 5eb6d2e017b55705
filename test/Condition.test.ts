import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { Condition, Event, Lock, Pool, Queue } from "../src/index.ts"
import * as T from "./fixtures/conditions.ts"

describe.each(["thread", "process", "fiber"] as const)("Condition on %s", (startMethod) => {
  it.live("producer / consumer: waitFor returns once the predicate holds after a notify", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 2, startMethod })
      const c = yield* Condition.make()
      const made = yield* Event.make()
      const consumers = yield* Effect.forEach([0, 1], () => pool.applyAsync(T.consumer, [c, made]))
      yield* Condition.withLock(c)(Effect.andThen(Event.set(made), Condition.notifyAll(c)))
      expect(yield* Fiber.joinAll(consumers)).toEqual([true, true])
    }))

  it.live("notify(n) wakes waiters n at a time; notifyAll the rest", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 3, startMethod })
      const c = yield* Condition.make()
      const log = yield* Queue.make<string>()
      const waiters = yield* Effect.forEach([0, 1, 2], () => pool.applyAsync(T.waitOnce, [c, log]))
      for (let i = 0; i < 3; i++) expect(yield* Queue.take(log)).toBe("ready")
      // once we hold the lock, every waiter has released it inside wait: all three wait
      yield* Condition.withLock(c)(Condition.notify(c, 2))
      expect([yield* Queue.take(log), yield* Queue.take(log)]).toEqual(["woke", "woke"])
      yield* Condition.withLock(c)(Condition.notifyAll(c))
      expect(yield* Queue.take(log)).toBe("woke")
      yield* Fiber.joinAll(waiters)
    }))

  it.live("waiting or notifying without the lock is LockNotHeld; waitTimeout gives false and holds the lock again", () =>
    Effect.gen(function*() {
      const c = yield* Condition.make()
      expect((yield* Effect.flip(Condition.wait(c)))._tag).toBe("LockNotHeld")
      expect((yield* Effect.flip(Condition.notify(c)))._tag).toBe("LockNotHeld")
      const timedOut = yield* Condition.withLock(c)(Effect.gen(function*() {
        const notified = yield* Condition.waitTimeout(c, "20 millis")
        return [notified, yield* Lock.locked(c.lock)] as const
      }))
      expect(timedOut).toEqual([false, true])
      expect(yield* Lock.locked(c.lock)).toBe(false)
    }))
})

import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { Event, Pool, Queue } from "../src/index.ts"
import * as T from "./fixtures/events.ts"

describe.each(["thread", "process", "fiber"] as const)("Event on %s", (startMethod) => {
  it.live("set releases every waiting worker", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 3, startMethod })
      const event = yield* Event.make()
      const log = yield* Queue.make<string>()
      const waiters = yield* Effect.forEach(["a", "b", "c"], (label) => pool.applyAsync(T.waitFor, [event, log, label]))
      const waiting = [yield* Queue.take(log), yield* Queue.take(log), yield* Queue.take(log)]
      expect(waiting.sort()).toEqual(["waiting a", "waiting b", "waiting c"])
      expect(yield* Queue.size(log)).toBe(0) // nobody is released before the set
      yield* Event.set(event)
      yield* Fiber.joinAll(waiters)
      const released = [yield* Queue.take(log), yield* Queue.take(log), yield* Queue.take(log)]
      expect(released.sort()).toEqual(["released a", "released b", "released c"])
    }))

  it.live("isSet, clear, and waitTimeout: false on timeout, true at once when set", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 1, startMethod })
      const event = yield* Event.make()
      expect(yield* Event.isSet(event)).toBe(false)
      expect(yield* pool.apply(T.waitUpTo, [event, 20])).toBe(false)
      yield* Event.set(event)
      expect(yield* Event.isSet(event)).toBe(true)
      expect(yield* pool.apply(T.waitUpTo, [event, 60_000])).toBe(true)
      yield* Event.clear(event)
      expect(yield* Event.isSet(event)).toBe(false)
    }))

  it.live("closing the event's scope fails its waiters with EventClosed", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 1, startMethod })
      const log = yield* Queue.make<string>()
      const waiter = yield* Effect.scoped(Effect.gen(function*() {
        const event = yield* Event.make()
        const waiter = yield* pool.applyAsync(T.waitFor, [event, log, "a"])
        expect(yield* Queue.take(log)).toBe("waiting a")
        return waiter
      }))
      const exit = yield* Fiber.await(waiter)
      expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("EventClosed")
    }))
})

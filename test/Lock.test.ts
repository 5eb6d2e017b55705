import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import { Lock, Pool, Process, Queue, RLock } from "../src/index.ts"
import { countRead, inbox } from "../src/internal/inbox.ts"
import { BELL_POSTS } from "../src/internal/protocol.ts"
import * as T from "./fixtures/locks.ts"

const methods = ["thread", "process", "fiber"] as const

/** Every "enter x" is followed by "exit x": nobody else was inside meanwhile. */
const exclusive = (events: ReadonlyArray<string>) => {
  for (let i = 0; i < events.length; i += 2) {
    expect(events[i].startsWith("enter ")).toBe(true)
    expect(events[i + 1]).toBe(`exit ${events[i].slice(6)}`)
  }
}

describe.each(methods)("Lock on %s", (startMethod) => {
  it.live("workers and the main program never hold it at once", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 3, startMethod })
      const lock = yield* Lock.make()
      const events = yield* Queue.make<string>()
      const tasks = yield* Effect.forEach(["a", "b", "c"], (label) => pool.applyAsync(T.critical, [lock, events, label, 20]))
      const main = yield* Effect.forkChild(Effect.gen(function*() {
        for (let i = 0; i < 20; i++) {
          yield* Lock.withLock(lock)(Effect.gen(function*() {
            yield* Queue.offer(events, "enter main")
            yield* Effect.yieldNow
            yield* Queue.offer(events, "exit main")
          }))
        }
      }))
      yield* Fiber.joinAll(tasks)
      yield* Fiber.join(main)
      const seen: Array<string> = []
      while ((yield* Queue.size(events)) > 0) seen.push(yield* Queue.take(events))
      expect(seen.length).toBe(4 * 20 * 2)
      exclusive(seen)
    }))

  it.live("tryAcquire, locked, release of a free lock, and withLock releasing on failure and interruption", () =>
    Effect.gen(function*() {
      const lock = yield* Lock.make()
      expect(yield* Lock.locked(lock)).toBe(false)
      expect(yield* Lock.tryAcquire(lock)).toBe(true)
      expect(yield* Lock.tryAcquire(lock)).toBe(false)
      expect(yield* Lock.locked(lock)).toBe(true)
      yield* Lock.release(lock)
      expect((yield* Effect.flip(Lock.release(lock)))._tag).toBe("LockNotHeld")
      const failed = yield* Effect.exit(Lock.withLock(lock)(Effect.fail("boom")))
      expect(Exit.isFailure(failed)).toBe(true)
      expect(yield* Lock.locked(lock)).toBe(false)
      const held = yield* Deferred.make<void>()
      const blocked = yield* Effect.forkChild(Lock.withLock(lock)(Effect.andThen(Deferred.succeed(held, undefined), Effect.never)))
      yield* Deferred.await(held)
      expect(yield* Lock.locked(lock)).toBe(true)
      yield* Fiber.interrupt(blocked)
      expect(yield* Lock.locked(lock)).toBe(false)
      // a waiting acquire that times out takes nothing
      yield* Lock.acquire(lock)
      const pool = yield* Pool.make({ processes: 1, startMethod })
      const waiter = yield* pool.applyAsync(T.acquireRelease, [lock])
      yield* Lock.release(lock)
      expect(yield* Fiber.join(waiter)).toBe(true)
      expect(yield* Lock.locked(lock)).toBe(false)
    }))

  it.live("yield* and the piped form agree: a held lock makes `yield* acquire` wait, a free one is taken at once", () =>
    Effect.gen(function*() {
      // `yield*` takes a free lock without the run loop (internal/syncpath.ts): the wait must still happen
      const lock = yield* Lock.make()
      const order: Array<string> = []
      yield* Lock.acquire(lock)
      const waiter = yield* Effect.forkChild(
        Effect.gen(function*() {
          yield* Lock.acquire(lock)
          order.push("taken")
          yield* Lock.release(lock)
        }),
        { startImmediately: true } // runs to its wait before the next line
      )
      order.push("released")
      yield* Lock.release(lock)
      yield* Fiber.join(waiter)
      expect(order).toEqual(["released", "taken"])
      // the same Effects, piped rather than yielded
      expect(yield* Lock.acquire(lock).pipe(Effect.andThen(Lock.locked(lock)))).toBe(true)
      expect(yield* Lock.release(lock).pipe(Effect.andThen(Lock.locked(lock)))).toBe(false)
      expect((yield* Effect.flip(Lock.release(lock)))._tag).toBe("LockNotHeld")
    }))
})

describe.each(["thread", "process"] as const)("Lock faults on %s", (startMethod) => {
  it.live("a worker that dies holding the lock does not leave it locked", () =>
    Effect.gen(function*() {
      const lock = yield* Lock.make()
      const events = yield* Queue.make<string>()
      const p = yield* Process.start(T.dieHoldingLock, [lock, events], { startMethod })
      expect(yield* Queue.take(events)).toBe("holding")
      expect(yield* Lock.locked(lock)).toBe(true)
      const waiter = yield* Effect.forkChild(Lock.acquire(lock))
      if (startMethod === "process") process.kill(yield* p.pid, "SIGKILL")
      else yield* p.kill
      const died = yield* Effect.flip(p.join)
      expect(died._tag).toBe("WorkerDied")
      // the dead task's error names what was released
      expect((died as any).released).toEqual([`Lock ${lock.id}`])
      expect(died.message).toContain(`released Lock ${lock.id}`)
      yield* Fiber.join(waiter)
      expect(yield* Lock.locked(lock)).toBe(true) // now the main program's
      yield* Lock.release(lock)
    }))
})

describe("Lock on thread: calls done in place", () => {
  it("a worker's count of messages read wraps as its doorbell's Int32 count of posts does", () => {
    const bell = new Int32Array(new SharedArrayBuffer(8))
    const saved = inbox.read
    try {
      bell[BELL_POSTS] = 2 ** 31 - 2
      inbox.read = 2 ** 31 - 2
      for (let i = 0; i < 3; i++) {
        Atomics.add(bell, BELL_POSTS, 1)
        countRead()
        expect(inbox.read).toBe(bell[BELL_POSTS])
      }
      expect(inbox.read).toBeLessThan(0)
    } finally {
      inbox.read = saved
    }
  })

  it.live.each([["Lock", Lock.make], ["RLock", RLock.make]] as const)(
    "a task looping on a free %s (never waiting) is still interruptible: its onInterrupt runs in the worker",
    ([, make]) =>
      Effect.gen(function*() {
        // a worker killed after the grace period would run no finalizer: give it all the time it needs
        const pool = yield* Pool.make({ processes: 1, startMethod: "thread", interruptGracePeriod: "60 seconds" })
        const lock = yield* make()
        const events = yield* Queue.make<string>()
        const spinning = yield* Effect.forkChild(pool.apply(T.spinOnLock, [lock, events]))
        expect(yield* Queue.take(events)).toBe("started")
        // returns once the worker has interrupted the task: the lock's next step
        // sees the interrupt request unread and lets the worker read it
        yield* Fiber.interrupt(spinning)
        expect(yield* Queue.poll(events)).toEqual(Option.some("interrupted"))
      })
  )
})

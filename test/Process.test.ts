import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as os from "node:os"
import { Process, Queue } from "../src/index.ts"
import * as T from "./fixtures/processes.ts"
import * as Tasks from "./fixtures/tasks.ts"
import { childPids, threadCount } from "./helpers.ts"

const methods = ["thread", "process", "fiber"] as const

describe.each(methods)("Process on %s", (startMethod) => {
  it.live("runs one task on a worker of its own: its value, name, pid and exit code 0", () =>
    Effect.gen(function*() {
      const p = yield* Process.start(T.whoAmI, [], { startMethod, name: "worker-A" })
      const me = yield* p.join
      expect(me.name).toBe(startMethod === "fiber" ? "MainProcess" : "worker-A")
      expect(me.pid).toBe(yield* p.pid)
      if (startMethod === "process") {
        expect(me.pid).not.toBe(process.pid)
        expect(me.ppid).toBe(process.pid)
        expect(me.isMain).toBe(false)
      }
      if (startMethod === "thread") expect(me.threadId).toBe(yield* p.threadId)
      // joining again gives the same outcome
      expect((yield* p.join).name).toBe(me.name)
      yield* p.await
      // exit code after the worker exited
      const exited = yield* Process.start(T.greet, ["bob"], { startMethod })
      expect(yield* exited.join).toBe("hello bob")
      const done = yield* exited.await
      expect(Exit.isSuccess(done)).toBe(true)
    }))

  it.live("a process's task makes its spans in the trace of the caller of start", () =>
    Effect.gen(function*() {
      const caller = yield* Effect.currentSpan
      const p = yield* Process.start(Tasks.traceOf, [0], { startMethod })
      const seen = yield* p.join
      expect(seen.traceId).toBe(caller.traceId)
      expect(seen.parentSpanId).not.toBe(null)
    }).pipe(Effect.withSpan("caller")))

  it.live("names come from one counter; the main program is MainProcess", () =>
    Effect.gen(function*() {
      const a = yield* Process.start(T.greet, ["a"], { startMethod })
      const b = yield* Process.start(T.greet, ["b"], { startMethod })
      const [na, nb] = [Number(a.name.split("-")[1]), Number(b.name.split("-")[1])]
      expect(a.name).toMatch(/^Process-\d+$/)
      expect(nb).toBe(na + 1)
      expect((yield* Process.current).name).toBe("MainProcess")
      expect((yield* Process.current).isMain).toBe(true)
      expect(yield* Process.cpuCount).toBe(os.availableParallelism())
    }))

  it.live("a failure reaches join with its remote stack, and the exit code is 1", () =>
    Effect.gen(function*() {
      const p = yield* Process.start(T.throws, [], { startMethod })
      const error = yield* Effect.flip(p.join)
      expect(error._tag).toBe("TaskError")
      expect(error.message).toContain("out of range in the worker")
      expect((error as any).remoteStack).toContain("RangeError")
      yield* Effect.exit(p.interrupt) // waits for the worker's exit
      expect(yield* p.exitCode).toEqual(Option.some(1))
      expect(yield* p.isAlive).toBe(false)
    }))

  it.live("interrupt: the task's finalizers run in the worker, then the worker exits", () =>
    Effect.gen(function*() {
      const events = yield* Queue.make<string>()
      const p = yield* Process.start(T.waitForever, [events], { startMethod })
      expect(yield* Queue.take(events)).toBe("started")
      expect(yield* p.isAlive).toBe(true)
      expect(yield* p.exitCode).toEqual(Option.none())
      yield* p.interrupt
      expect(yield* Queue.take(events)).toBe("finalizer ran")
      expect(yield* p.isAlive).toBe(false)
      expect(yield* p.exitCode).toEqual(Option.some(-15))
      expect(Exit.hasInterrupts(yield* p.await)).toBe(true)
    }))
})

describe.each(["thread", "process"] as const)("Process faults on %s", (startMethod) => {
  it.live("process.exit(n) in the task: join fails with WorkerDied, exit code n", () =>
    Effect.gen(function*() {
      const p = yield* Process.start(T.exitWith, [3], { startMethod })
      const error = yield* Effect.flip(p.join)
      expect(error._tag).toBe("WorkerDied")
      expect((error as any).exitCode).toBe(3)
      yield* Effect.exit(p.terminate)
      expect(yield* p.exitCode).toEqual(Option.some(3))
    }))

  it.live("terminate and kill end a worker stuck in synchronous code: -15 and -9", () =>
    Effect.gen(function*() {
      const events = yield* Queue.make<string>()
      const a = yield* Process.start(T.spinForever, [events], { startMethod })
      const b = yield* Process.start(T.spinForever, [events], { startMethod })
      expect([yield* Queue.take(events), yield* Queue.take(events)]).toEqual(["started", "started"])
      yield* a.terminate
      yield* b.kill
      expect(yield* a.exitCode).toEqual(Option.some(-15))
      expect(yield* b.exitCode).toEqual(Option.some(-9))
      expect((yield* Effect.flip(a.join))._tag).toBe("WorkerDied")
      expect(yield* b.isAlive).toBe(false)
    }))

  it.live("scope close: a daemon is terminated, the others are waited for; no worker is left", () =>
    Effect.gen(function*() {
      const threadsBefore = threadCount()
      const q = yield* Queue.make<string>()
      const events = yield* Queue.make<string>()
      yield* Effect.scoped(Effect.gen(function*() {
        yield* Process.start(T.spinForever, [events], { startMethod, daemon: true })
        expect(yield* Queue.take(events)).toBe("started")
        yield* Process.start(T.putResults, [q, "a", 3], { startMethod })
        yield* Process.start(T.putResults, [q, "b", 3], { startMethod })
      }))
      // both non-daemons ran to the end before the scope closed
      expect(yield* Queue.size(q)).toBe(6)
      expect(threadCount()).toBe(threadsBefore)
      expect(childPids()).toEqual([])
    }))

  it.live("a child killed from outside: join fails with WorkerDied carrying the signal", () =>
    Effect.gen(function*() {
      const events = yield* Queue.make<string>()
      const p = yield* Process.start(T.spinForever, [events], { startMethod })
      yield* Queue.take(events)
      if (startMethod === "process") {
        process.kill(yield* p.pid, "SIGKILL")
        const error = yield* Effect.flip(p.join)
        expect(error._tag).toBe("WorkerDied")
        expect((error as any).signal).toBe("SIGKILL")
        yield* p.terminate
        expect(yield* p.exitCode).toEqual(Option.some(-9))
      } else {
        yield* p.kill
        expect(yield* p.exitCode).toEqual(Option.some(-9))
      }
    }))
})


describe("Process and its scope", () => {
  it.live("a scope that fails interrupts its processes instead of waiting for them", () =>
    Effect.gen(function*() {
      const events = yield* Queue.make<string>()
      const exit = yield* Effect.exit(Effect.scoped(Effect.gen(function*() {
        yield* Process.start(T.waitForever, [events], { startMethod: "thread" })
        expect(yield* Queue.take(events)).toBe("started")
        return yield* Effect.fail("boom")
      })))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* Queue.take(events)).toBe("finalizer ran")
    }))
})

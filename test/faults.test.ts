/**
 * The fault suite: each fault caused for real on worker threads and on child
 * processes, each asserting the exact typed error and that the pool then
 * still serves; after every test no worker thread and no child process of
 * ours remains.
 */
import { assert, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import * as Scope from "effect/Scope"
import * as Tracer from "effect/Tracer"
import { Pool, Process } from "../src/index.ts"
import * as Elsewhere from "./fixtures/elsewhere.ts"
import * as T from "./fixtures/tasks.ts"
import * as diagnostics from "node:diagnostics_channel"
import * as path from "node:path"
import type { Worker } from "node:worker_threads"
import { workerBackend } from "../src/internal/backend.ts"
import { awaitFile, captureStderr, childPids, makeFlag, recordingTracer, tempDir, threadCount } from "./helpers.ts"
import { makeSignals } from "./signals.ts"

let baseline = 0

beforeAll(async () => {
  // Let Node start its lazy threads (libuv pool, V8 helpers) before counting.
  await Effect.runPromise(Effect.scoped(Effect.flatMap(Pool.make({ processes: 1 }), (p) => p.apply(T.add, [1, 1]))))
  baseline = threadCount()
})

/**
 * A recording tracer whose `started` completes once it has made a span named
 * `name`, i.e. once that span's start has reached the main program (relayed).
 */
const watchFor = (name: string) => {
  const { spans, tracer } = recordingTracer()
  const started = Deferred.makeUnsafe<void>()
  const watching = Tracer.make({
    span: (options) => {
      // signalled once the pool has taken the span (a fiber awaiting `started` would resume inside this call)
      if (options.name === name) queueMicrotask(() => Deferred.doneUnsafe(started, Exit.void))
      return tracer.span(options)
    }
  })
  return { spans, started, tracer: watching }
}

/** Runs a test body in its own scope, then checks that every worker thread and child process is gone. */
export const leakFree = <A, E>(body: Effect.Effect<A, E, Scope.Scope>) =>
  Effect.gen(function*() {
    yield* Effect.scoped(body)
    expect(threadCount()).toBe(baseline)
    expect(childPids()).toEqual([])
  })

describe.each(["thread", "process"] as const)("faults on %s", (startMethod) => {
  const make = (options: Pool.Options<any> = {}) =>
    Pool.make({ processes: 2, startMethod, interruptGracePeriod: "200 millis", ...options })

  it.live("process.exit(n) in a task fails that task with exit code n; the other worker is untouched", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make()
      const busy = yield* pool.applyAsync(T.spin, [100])
      const error = yield* Effect.flip(pool.apply(T.exitWith, [3]))
      assert(error._tag === "WorkerDied")
      expect(error.exitCode).toBe(3)
      expect(error.signal).toBeUndefined()
      expect(error.task).toContain("#exitWith")
      expect(yield* Fiber.join(busy)).toBeGreaterThan(0)
      expect(yield* pool.map(T.square, [1, 2, 3, 4], { chunksize: 1 })).toEqual([1, 4, 9, 16])
    })))

  it.live("a relayed span its worker left open when it was killed ends, failed, under an installed tracer", () =>
    leakFree(Effect.gen(function*() {
      const { spans, started, tracer: watching } = watchFor("doomed")
      const p = yield* Process.start(T.waitInSpan, [], { startMethod }).pipe(Effect.withTracer(watching))
      yield* Deferred.await(started)
      if (startMethod === "process") process.kill(yield* p.pid, "SIGKILL")
      else yield* p.terminate
      expect(Exit.isFailure(yield* p.await)).toBe(true)
      const doomed = spans.find((span) => span.name === "doomed")
      assert(doomed !== undefined && doomed.status._tag === "Ended")
      expect(Exit.isFailure(doomed.status.exit)).toBe(true)
      expect(String(Cause.squash((doomed.status.exit as Exit.Failure<never, unknown>).cause))).toContain("worker exited")
    })))

  it.live("terminate ends the relayed spans its workers leave open before their callers hear of it", () =>
    leakFree(Effect.gen(function*() {
      const { spans, started, tracer: watching } = watchFor("doomed")
      const pool = yield* make()
      const call = yield* pool.applyAsync(T.waitInSpan, []).pipe(Effect.withTracer(watching))
      // the span's status as the call's outcome arrives
      const seen: Array<string | undefined> = []
      call.addObserver(() => seen.push(spans.find((span) => span.name === "doomed")?.status._tag))
      yield* Deferred.await(started)
      yield* pool.terminate
      expect(Exit.isFailure(yield* Fiber.await(call))).toBe(true)
      expect(seen).toEqual(["Ended"])
    })))

  it.live("an uncaught exception thrown from a timer fails the task with the exception", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make()
      const error = yield* Effect.flip(pool.apply(T.throwInTimer, ["thrown later"]))
      assert(error._tag === "WorkerDied")
      expect(error.exitCode).toBe(1)
      expect(error.reason).toContain("thrown later")
      expect(yield* pool.apply(T.add, [2, 2])).toBe(4)
    })))

  it.live("a task past the memory limit fails with resourceLimit and the pool serves on", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make({ maxMemoryMb: 64 })
      // a child's V8 prints its out-of-memory report on stderr (passed through): kept, and checked
      const [error, stderr] = yield* captureStderr(Effect.flip(pool.apply(T.allocateForever, [])))
      assert(error._tag === "WorkerDied")
      expect(error.resourceLimit).toBe(true)
      expect(error.message).toContain("memory limit")
      if (startMethod === "process") expect(stderr).toContain("JavaScript heap out of memory")
      expect(yield* pool.apply(T.add, [2, 3])).toBe(5)
    })))

  it.live("a task module that throws at import fails with TaskModuleLoadError", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make()
      const error = yield* Effect.flip(pool.apply(Elsewhere.broken, []))
      assert(error._tag === "TaskModuleLoadError")
      expect(error.reason).toContain("boom at import")
      expect(yield* pool.apply(T.add, [1, 1])).toBe(2)
    })))

  it.live("an unknown task name fails with TaskNotFound", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make()
      const error = yield* Effect.flip(pool.apply(Elsewhere.ghost, []))
      assert(error._tag === "TaskNotFound")
      expect(error.name).toBe("noSuchTask")
      expect(yield* pool.apply(T.add, [1, 1])).toBe(2)
    })))

  it.live("an argument that cannot be serialized fails that call before anything is sent", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make()
      const error = yield* Effect.flip(pool.apply(T.identity, [{ callback: () => 1 }]))
      assert(error._tag === "SerializationError")
      expect(error.direction).toBe("argument")
      expect(error.path).toBe("args[0].callback")
      // the same from inside a span, whose trace context the call carries beside its arguments
      const inSpan = yield* Effect.flip(pool.apply(T.identity, [{ callback: () => 1 }]).pipe(Effect.withSpan("caller")))
      assert(inSpan._tag === "SerializationError")
      expect(inSpan.path).toBe("args[0].callback")
      expect(yield* pool.apply(T.add, [1, 1])).toBe(2)
    })))

  it.live("a result that cannot be serialized fails that call; the worker survives", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make({ processes: 1 })
      const [before] = yield* pool.workers
      const error = yield* Effect.flip(pool.apply(T.returnsFunction, []))
      assert(error._tag === "SerializationError")
      expect(error.direction).toBe("result")
      expect(yield* pool.apply(T.add, [1, 1])).toBe(2)
      expect(yield* pool.workers).toEqual([before])
    })))

  it.live("an initializer that throws fails Pool.make once; nothing respawns", () =>
    leakFree(Effect.gen(function*() {
      const error = yield* Effect.flip(make({ initializer: T.failingInit, initargs: ["no setup today"] }))
      assert(error._tag === "InitializerFailed")
      expect(error.reason).toContain("no setup today")
      expect(error.task).toContain("#failingInit")
    })))

  it.live("a task spinning in a synchronous loop is interrupted by replacing its worker", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make({ processes: 1 })
      const [before] = yield* pool.workers
      const marker = path.join(yield* tempDir, "spinning")
      const fiber = yield* Effect.forkChild(pool.apply(T.touchThenSpin, [marker]))
      yield* awaitFile(marker) // the task is inside its loop
      yield* Fiber.interrupt(fiber)
      expect(yield* pool.apply(T.add, [1, 2])).toBe(3)
      const [after] = yield* pool.workers
      expect(after).not.toEqual(before)
    })))

  it.live("an initializer runs once in each worker before any task", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make({ initializer: T.init, initargs: ["ready"] })
      expect(yield* pool.starmap(T.readInit, [[], [], [], []], { chunksize: 1 })).toEqual(
        ["ready", "ready", "ready", "ready"]
      )
    })))

  it.live("maxTasksPerChild recycles workers without losing or stalling a task", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make({ maxTasksPerChild: 3 })
      const results = yield* pool.map(T.countTasks, Array.from({ length: 24 }, (_, i) => i), { chunksize: 1 })
      expect(results).toHaveLength(24)
      expect(Math.max(...results.map((r) => r.seen))).toBeLessThanOrEqual(3)
      expect(new Set(results.map((r) => r.worker)).size).toBeGreaterThanOrEqual(8)
      const many = yield* Effect.forEach(
        Array.from({ length: 30 }, (_, i) => i),
        (i) => pool.apply(T.add, [i, 1]),
        { concurrency: "unbounded" }
      )
      expect(many).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    })))

  it.live("pool.workers names each worker: a pid for processes, a threadId for threads", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make()
      const workers = yield* pool.workers
      expect(workers.map((w) => w.index)).toEqual([0, 1])
      const seen = yield* pool.map(T.whereAmI as any, [[], [], [], []], { chunksize: 1 }) as Effect.Effect<
        Array<{ pid: number; threadId: number }>
      >
      for (const w of seen) {
        expect(workers.some((x) => x.pid === w.pid && x.threadId === w.threadId)).toBe(true)
      }
      if (startMethod === "process") {
        expect(new Set(workers.map((w) => w.pid)).size).toBe(2)
        expect(workers.every((w) => w.pid !== process.pid)).toBe(true)
        expect(childPids().sort()).toEqual(workers.map((w) => w.pid).sort())
      } else {
        expect(workers.every((w) => w.pid === process.pid && w.threadId > 0)).toBe(true)
        // the leak check sees these very threads
        expect(threadCount()).toBe(baseline + 2)
      }
    })))
})

describe("faults only processes have", () => {
  it.live("kill -9 of a child mid-task fails only its own task with signal SIGKILL; the pool respawns", () => {
    const signals = makeSignals()
    return leakFree(Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 2, startMethod: "process" })
      const victim = yield* Effect.forkChild(Effect.flip(pool.apply(T.logPidThenWait, ["victim"])))
      const line = yield* signals.line("victim ")
      const pid = Number(line.split(" ")[1])
      const bystander = yield* pool.applyAsync(T.spin, [50])
      process.kill(pid, "SIGKILL")
      const error = yield* Fiber.join(victim)
      assert(error._tag === "WorkerDied")
      expect(error.signal).toBe("SIGKILL")
      expect(error.exitCode).toBeUndefined()
      expect(error.task).toContain("#logPidThenWait")
      expect(yield* Fiber.join(bystander)).toBeGreaterThan(0)
      expect(yield* pool.map(T.square, [1, 2, 3], { chunksize: 1 })).toEqual([1, 4, 9])
      expect((yield* pool.workers).map((w) => w.pid)).not.toContain(pid)
    }).pipe(Effect.provide(signals.layer)))
  })

  it.live("children get the env and execArgv they are given, and nothing of the parent's flags", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* Pool.make({
        processes: 1,
        startMethod: "process",
        env: { ONLY_THIS: "yes", PATH: process.env.PATH },
        execArgv: ["--stack-size=2000"]
      })
      const seen = yield* pool.apply(T.environment, [])
      expect(seen.env).toEqual({ ONLY_THIS: "yes", PATH: process.env.PATH })
      expect(seen.execArgv).toEqual(["--stack-size=2000"])
    })))

  it.live("children run under Node's permission model, which refuses them their watchdog thread", () =>
    leakFree(Effect.gen(function*() {
      const execArgv = ["--permission", "--allow-fs-read=*"]
      const pool = yield* Pool.make({ processes: 1, startMethod: "process", execArgv })
      expect(yield* pool.apply(T.add, [1, 2])).toBe(3)
      expect((yield* pool.apply(T.environment, [])).execArgv).toEqual(execArgv)
    })))
})

describe.each(["thread", "fiber", "process"] as const)("lifecycle (%s)", (startMethod) => {
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
      expect(yield* pool.workers).toEqual([])
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
      const running = yield* pool.applyAsync(T.waitLoggingInterrupt, ["t"])
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

  // A map's calls are made one by one as workers can take them (scheduler.ts's
  // Source): what it has not sent yet must fail, or never run, as queued calls do.
  const tags = ["a", "b", "c", "d", "e", "f", "g", "h"]

  it.live("terminate fails every input of a map, those running and those not sent yet, with PoolNotRunning", () => {
    const signals = makeSignals()
    return leakFree(Effect.gen(function*() {
      const pool = yield* make()
      const fiber = yield* Effect.forkChild(pool.map(T.waitLoggingInterrupt, tags, { chunksize: 1, mode: "exit" }))
      yield* signals.line("a started")
      yield* signals.line("b started")
      yield* pool.terminate
      const exits = yield* Fiber.join(fiber)
      expect(exits.length).toBe(tags.length)
      for (const exit of exits) {
        assert(Exit.isFailure(exit))
        const error = Cause.squash(exit.cause) as { _tag: string; state: string }
        expect(error._tag).toBe("PoolNotRunning")
        expect(error.state).toBe("terminated")
      }
      // 2 workers hold at most 2 calls each: the last inputs were never sent
      expect(signals.seen).not.toContain("h started")
    }).pipe(Effect.provide(signals.layer)))
  })

  it.live("an interrupted map sends none of its remaining inputs and interrupts those running", () => {
    const signals = makeSignals()
    return leakFree(Effect.gen(function*() {
      const pool = yield* make()
      const fiber = yield* Effect.forkChild(pool.map(T.waitLoggingInterrupt, tags, { chunksize: 1 }))
      yield* signals.line("a started")
      yield* signals.line("b started")
      yield* Fiber.interrupt(fiber)
      expect(signals.seen).toEqual(expect.arrayContaining(["a interrupted", "b interrupted"]))
      // the pool serves the next map at once: nothing of the interrupted one is left queued
      expect(yield* pool.map(T.square, [1, 2, 3], { chunksize: 1 })).toEqual([1, 4, 9])
      const started = signals.seen.filter((line) => line.endsWith(" started")).map((line) => line[0])
      expect(started.length).toBeLessThanOrEqual(4)
      expect(started).not.toContain("h")
    }).pipe(Effect.provide(signals.layer)))
  })

  it.live("a map given to a closed pool fails with PoolNotRunning and runs nothing", () =>
    leakFree(Effect.gen(function*() {
      const pool = yield* make()
      yield* pool.close
      const error = yield* Effect.flip(pool.map(T.square, [1, 2, 3], { chunksize: 1 }))
      assert(error._tag === "PoolNotRunning")
      expect(error.state).toBe("closed")
      const exits = yield* pool.map(T.square, [1, 2], { mode: "exit" })
      expect(exits.map((exit) => Exit.isFailure(exit) && (Cause.squash(exit.cause) as any)._tag)).toEqual([
        "PoolNotRunning",
        "PoolNotRunning"
      ])
    })))

  it.live("a caller outside the pool's scope sees PoolNotRunning when the scope closes under its call", () => {
    const signals = makeSignals()
    return leakFree(Effect.gen(function*() {
      const scope = yield* Scope.make()
      const pool = yield* make().pipe(Scope.provide(scope))
      const caller = yield* Effect.forkChild(Effect.flip(pool.apply(T.waitLoggingInterrupt, ["outside"])))
      yield* signals.line("outside started")
      yield* Scope.close(scope, Exit.void)
      const error = yield* Fiber.join(caller)
      assert(error._tag === "PoolNotRunning")
      expect(error.state).toBe("terminated")
    }).pipe(Effect.provide(signals.layer)))
  })

  it.live("closing the pool's scope interrupts what runs and leaves no worker", () => {
    // the task's log lines reach the caller's loggers: kept here, and checked
    const lines: Array<string> = []
    const keep = Logger.make((options) => {
      lines.push(String(Array.isArray(options.message) ? options.message[0] : options.message))
    })
    return Effect.gen(function*() {
      yield* leakFree(Effect.gen(function*() {
        const pool = yield* make()
        yield* pool.applyAsync(T.waitLoggingInterrupt, ["s"])
        expect(yield* pool.apply(T.add, [1, 1])).toBe(2)
      }))
      expect(lines).toEqual(["s started", "s interrupted"])
    }).pipe(Effect.provideService(References.CurrentLoggers, new Set([keep])))
  })
})

describe("initializer failures on threads", () => {
  it.live("an initializer that fails on a respawn breaks the pool once: calls fail, nothing respawns", () =>
    leakFree(Effect.gen(function*() {
      const runs = makeFlag()
      const pool = yield* Pool.make({
        processes: 1,
        maxTasksPerChild: 1,
        initializer: T.countingInit,
        initargs: [runs, 3]
      })
      expect(yield* pool.apply(T.add, [1, 1])).toBe(2) // worker 1 (init run 1)
      expect(yield* pool.apply(T.add, [1, 2])).toBe(3) // worker 2 (init run 2)
      const error = yield* Effect.flip(pool.apply(T.add, [1, 3])) // worker 3's init fails
      expect(error._tag).toBe("InitializerFailed")
      const again = yield* Effect.flip(pool.apply(T.add, [1, 4]))
      expect(again._tag).toBe("InitializerFailed")
      expect(Atomics.load(runs, 0)).toBe(3)
    })))
})

// Pool.make spawns its workers before it builds the scheduler and the
// supervisors that take them (backend.ts `warm`): a make interrupted between
// the two must not leave them running.
describe("workers spawned ahead of their supervisors", () => {
  it.live("on thread, those no incarnation took are ended, and abandon waits for their exit", () =>
    Effect.gen(function*() {
      const spawned: Array<Worker> = []
      const onWorker = (message: unknown) => spawned.push((message as { worker: Worker }).worker)
      diagnostics.subscribe("worker_threads", onWorker)
      const backend = workerBackend("thread", {})
      backend.warm!(2)
      diagnostics.unsubscribe("worker_threads", onWorker)
      expect(spawned).toHaveLength(2)
      const exits = Promise.all(spawned.map((worker) => new Promise((resolve) => worker.once("exit", resolve))))
      yield* backend.abandon!
      // both 'exit' events have come by now (without abandon this waits until the test times out)
      expect(yield* Effect.promise(() => exits)).toHaveLength(2)
    }))

  it.live("on process, those no incarnation took are killed and reaped", () =>
    Effect.gen(function*() {
      const before = new Set(childPids())
      const backend = workerBackend("process", {})
      backend.warm!(2)
      expect(childPids().filter((pid) => !before.has(pid))).toHaveLength(2)
      yield* backend.abandon!
      expect(childPids().filter((pid) => !before.has(pid))).toEqual([])
    }))
})

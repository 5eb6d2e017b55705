import { assert, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Barrier, Pool, StartMethod } from "../src/index.ts"
import * as Barriers from "./fixtures/barriers.ts"
import * as T from "./fixtures/tasks.ts"
import { allWorkersUp, childPids, recordingTracer, tempDir } from "./helpers.ts"
import { makeSignals } from "./signals.ts"

const methods = ["thread", "process", "fiber"] as const

describe.each(methods)("Pool on %s", (startMethod) => {
  const make = (options: Pool.Options<any> = {}) => Pool.make({ processes: 2, startMethod, ...options })

  it.live("apply runs one call with its argument list", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      expect(yield* pool.apply(T.add, [20, 22])).toBe(42)
      expect(yield* pool.apply(T.asyncDouble, [4])).toBe(8)
      expect(yield* pool.apply(T.effectDouble, [5])).toBe(10)
    }))

  it.live("each worker is PoolWorker-<n> to Process.current (the main program on fiber)", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      // both wait at one barrier: one call runs on each worker
      const barrier = yield* Barrier.make(2)
      const names = yield* pool.starmap(Barriers.whoAfterWait, [[barrier], [barrier]], { chunksize: 1 })
      expect(names.toSorted()).toEqual(startMethod === "fiber" ? ["MainProcess", "MainProcess"] : ["PoolWorker-1", "PoolWorker-2"])
    }))

  it.live("map equals Array.map for any inputs and chunksize", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 200 }),
            fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
            (xs, chunksize) =>
              Effect.runPromise(pool.map(T.square, xs, { chunksize })).then((ys) => {
                expect(ys).toEqual(xs.map((x) => x * x))
              })
          ),
          { numRuns: 60 }
        )
      )
    }))

  it.live("map keeps every number exactly (-0, NaN, infinities, fractions) and mixed inputs, in big chunks", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.array(fc.oneof(fc.double(), fc.constantFrom(-0, NaN, Infinity, -Infinity)), {
              minLength: 64,
              maxLength: 1500
            }),
            fc.integer({ min: 64, max: 700 }),
            fc.boolean(),
            (xs, chunksize, mixed) => {
              const inputs: Array<unknown> = mixed ? [...xs, "not a number", ...xs] : xs
              return Effect.runPromise(pool.map(T.identity, inputs, { chunksize })).then((ys) => {
                expect(ys).toEqual(inputs)
                ys.forEach((y, i) => expect(Object.is(y, inputs[i])).toBe(true))
              })
            }
          ),
          { numRuns: 25 }
        )
      )
    }))

  it.live("map of nothing is []; map takes any iterable", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      expect(yield* pool.map(T.square, [])).toEqual([])
      expect(yield* pool.map(T.square, new Set([1, 2, 3]))).toEqual([1, 4, 9])
    }))

  it.live("starmap equals the plain call per tuple", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.array(fc.tuple(fc.integer(), fc.integer()), { maxLength: 100 }),
            fc.integer({ min: 1, max: 20 }),
            (pairs, chunksize) =>
              Effect.runPromise(pool.starmap(T.add, pairs, { chunksize })).then((sums) => {
                expect(sums).toEqual(pairs.map(([a, b]) => a + b))
              })
          ),
          { numRuns: 40 }
        )
      )
    }))

  it.live("imap keeps input order; imapUnordered yields a permutation", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 60 }),
            fc.integer({ min: 1, max: 5 }),
            async (delays, chunksize) => {
              const inputs = delays.map((d, i) => ({ d, i }))
              const ordered = await Effect.runPromise(
                Stream.runCollect(pool.imap(T.asyncDouble, delays.map((_, i) => i), { chunksize, window: 4 }))
              )
              expect(ordered).toEqual(inputs.map(({ i }) => 2 * i))
              const unordered = await Effect.runPromise(
                Stream.runCollect(pool.imapUnordered(T.square, delays.map((_, i) => i), { chunksize }))
              )
              expect([...unordered].sort((a, b) => a - b)).toEqual(inputs.map(({ i }) => i * i))
            }
          ),
          { numRuns: 25 }
        )
      )
    }))

  it.live("imap pulls a Stream input as results are consumed, not ahead", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      let pulled = 0
      const inputs = Stream.fromIterable(Array.from({ length: 1000 }, (_, i) => i), { chunkSize: 1 }).pipe(
        Stream.tap(() => Effect.sync(() => pulled++))
      )
      const firstFive = yield* Stream.runCollect(Stream.take(pool.imap(T.square, inputs, { window: 4 }), 5))
      expect(firstFive).toEqual([0, 1, 4, 9, 16])
      expect(pulled).toBeLessThan(20)
    }))

  it.live("an error of the input stream comes out unchanged", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const inputs = Stream.concat(Stream.make(1, 2), Stream.fail("input broke" as const))
      const error = yield* Effect.flip(Stream.runCollect(pool.imap(T.square, inputs)))
      expect(error).toBe("input broke")
    }))

  it.live("applyAsync returns a fiber", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const fiber = yield* pool.applyAsync(T.add, [1, 2])
      expect(yield* Fiber.join(fiber)).toBe(3)
      const failing = yield* pool.applyAsync(T.throwsOnNegative, [-1])
      const exit = yield* Fiber.await(failing)
      assert(Exit.isFailure(exit))
    }))

  it.live("a typed failure arrives as its own class with a contract", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const error = yield* Effect.flip(pool.apply(T.evenOnly, [3]))
      assert(error instanceof T.Odd)
      expect(error.value).toBe(3)
      const caught = yield* pool.apply(T.evenOnly, [5]).pipe(Effect.catchTag("Odd", (e) => Effect.succeed(-e.value)))
      expect(caught).toBe(-5)
    }))

  it.live("a typed failure without a contract keeps its tag, fields and message", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const error: any = yield* Effect.flip(pool.apply(T.evenOnlyNoContract, [7]))
      expect(error._tag).toBe("Odd")
      expect(error.value).toBe(7)
    }))

  it.live("a thrown error arrives as TaskError with name, message, fields and remote stack", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const error = yield* Effect.flip(pool.apply(T.throwsOnNegative, [-3]))
      assert(error._tag === "TaskError")
      expect(error.name).toBe("BadInput")
      expect(error.reason).toBe("bad input -3")
      expect(error.message).toBe("BadInput: bad input -3")
      expect(error.remoteStack).toContain("fixtures/tasks.ts")
      expect(error.data).toMatchObject({ code: "E_BAD", input: -3 })
    }))

  it.live("a defect keeps the remote stack", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const exit = yield* Effect.exit(pool.apply(T.dies, ["out of range"]))
      assert(Exit.isFailure(exit))
      const defect = Cause.squash(exit.cause) as Error
      expect(defect.name).toBe("RangeError")
      expect(defect.message).toBe("out of range")
      expect(defect.stack).toContain("fixtures/tasks.ts")
    }))

  it.live("map fails fast with the first failure; mode exit gives every outcome", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const error = yield* Effect.flip(pool.map(T.throwsOnNegative, [1, 2, -3, 4], { chunksize: 1 }))
      expect(error._tag).toBe("TaskError")
      const exits = yield* pool.map(T.throwsOnNegative, [1, -2, 3, -4], { chunksize: 3, mode: "exit" })
      expect(exits.map(Exit.isSuccess)).toEqual([true, false, true, false])
      expect(exits[0]).toEqual(Exit.succeed(1))
      // and the pool still serves
      expect(yield* pool.map(T.square, [1, 2, 3])).toEqual([1, 4, 9])
    }))

  it.live("a failing map interrupts its other chunks in their workers and frees them", () => {
    const signals = makeSignals()
    return Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 3, startMethod })
      const fiber = yield* Effect.forkChild(Effect.flip(pool.map(T.failOrWait, [1, 2, -3], { chunksize: 1 })))
      yield* signals.line("wait 1 started")
      yield* signals.line("wait 2 started")
      expect(yield* Fiber.join(fiber)).toBe("negative: -3")
      // map returned only after the other chunks were interrupted inside their workers
      expect(signals.seen).toEqual(expect.arrayContaining(["wait 1 interrupted", "wait 2 interrupted"]))
      expect(yield* pool.map(T.square, [1, 2, 3], { chunksize: 1 })).toEqual([1, 4, 9])
    }).pipe(Effect.provide(signals.layer))
  })

  it.live("a failing imap interrupts the calls it has in flight in their workers", () => {
    const signals = makeSignals()
    return Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 3, startMethod })
      for (const stream of [pool.imap, pool.imapUnordered]) {
        signals.seen.length = 0
        const fiber = yield* Effect.forkChild(Effect.flip(Stream.runCollect(stream(T.failOrWait, [1, 2, -3]))))
        yield* signals.line("wait 1 started")
        yield* signals.line("wait 2 started")
        expect(yield* Fiber.join(fiber)).toBe("negative: -3")
        // the stream ended only after the other calls were interrupted inside their workers
        expect(signals.seen).toEqual(expect.arrayContaining(["wait 1 interrupted", "wait 2 interrupted"]))
      }
      expect(yield* Stream.runCollect(pool.imap(T.square, [1, 2, 3]))).toEqual([1, 4, 9])
    }).pipe(Effect.provide(signals.layer))
  })

  it.live("an imap whose consumer is interrupted interrupts the calls it has in flight", () => {
    const signals = makeSignals()
    return Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 3, startMethod })
      const fiber = yield* Effect.forkChild(Stream.runCollect(pool.imap(T.failOrWait, [1, 2])))
      yield* signals.line("wait 1 started")
      yield* signals.line("wait 2 started")
      yield* Fiber.interrupt(fiber)
      expect(signals.seen).toEqual(expect.arrayContaining(["wait 1 interrupted", "wait 2 interrupted"]))
      expect(yield* Stream.runCollect(pool.imapUnordered(T.square, [2]))).toEqual([4])
    }).pipe(Effect.provide(signals.layer))
  })

  it.live("imap takes an Iterable's inputs as results are consumed; a bad one fails the stream as apply fails", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      let pulled = 0
      const inputs = function*() {
        for (let i = 0; i < 1000; i++) {
          pulled++
          yield i
        }
      }
      const firstFive = yield* Stream.runCollect(Stream.take(pool.imap(T.square, inputs(), { window: 4 }), 5))
      expect(firstFive).toEqual([0, 1, 4, 9, 16])
      expect(pulled).toBeLessThan(20)
      const fromApply = yield* Effect.flip(pool.apply(T.identity, [() => 1]))
      const fromImap = yield* Effect.flip(Stream.runCollect(pool.imap(T.identity, [1, () => 1])))
      expect(fromImap._tag).toBe(fromApply._tag)
      const broken = function*() {
        yield 1
        throw new Error("the iterable broke")
      }
      const died = yield* Effect.exit(Stream.runCollect(pool.imap(T.square, broken())))
      expect(died._tag === "Failure" && Cause.pretty(died.cause)).toContain("the iterable broke")
    }))

  it.live("the payload contract encodes and decodes; bad payloads fail before sending", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const p = yield* pool.apply(T.mirror, [new T.Point({ x: 3, y: 4 })])
      assert(p instanceof T.Point)
      expect(p.norm()).toBe(5)
      const error = yield* Effect.flip(pool.apply(T.positive, [-1]))
      expect(error._tag).toBe("InvalidPayload")
      expect(yield* pool.apply(T.positive, [2])).toBe(2)
      // what crosses is the encoded payload, decoded again in the worker
      expect(yield* pool.apply(T.doubleEncoded, [21])).toEqual({ doubled: 42, type: "number" })
      expect(yield* pool.map(T.doubleEncoded, [1, 2])).toEqual([
        { doubled: 2, type: "number" },
        { doubled: 4, type: "number" }
      ])
      const exits = yield* pool.map(T.positive, [1, -1, 2], { mode: "exit" })
      expect(exits.map(Exit.isSuccess)).toEqual([true, false, true])
    }))

  it.live("a function or a symbol as an argument fails that call only, naming the path", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const fn = yield* Effect.flip(pool.apply(T.identity, [{ nested: [1, () => 1] }]))
      assert(fn._tag === "SerializationError")
      expect(fn.direction).toBe("argument")
      expect(fn.path).toBe("args[0].nested[1]")
      expect(fn.valueType).toBe("function")
      const sym = yield* Effect.flip(pool.apply(T.identity, [Symbol("s")]))
      assert(sym._tag === "SerializationError")
      expect(sym.valueType).toBe("symbol")
      // calls submitted together with the bad one are not hurt
      const [bad, good] = yield* Effect.all([
        Effect.exit(pool.apply(T.identity, [() => 1])),
        pool.apply(T.add, [1, 1])
      ], { concurrency: "unbounded" })
      assert(Exit.isFailure(bad))
      expect(good).toBe(2)
      expect(yield* pool.map(T.identity, ["a", "b"])).toEqual(["a", "b"])
    }))

  it.live("a result that cannot be cloned fails that call only", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const error = yield* Effect.flip(pool.apply(T.returnsFunction, []))
      assert(error._tag === "SerializationError")
      expect(error.direction).toBe("result")
      expect(yield* pool.apply(T.add, [2, 3])).toBe(5)
    }))

  it.live("interrupting a call interrupts its Effect in the worker: onInterrupt has run when interrupt returns", () => {
    const signals = makeSignals()
    return Effect.gen(function*() {
      const pool = yield* make()
      const fiber = yield* Effect.forkChild(pool.apply(T.waitLoggingInterrupt, ["job"]))
      yield* signals.line("job started") // the task runs in its worker
      yield* Fiber.interrupt(fiber)
      expect(signals.seen).toContain("job interrupted")
      expect(yield* pool.apply(T.add, [1, 2])).toBe(3)
    }).pipe(Effect.provide(signals.layer))
  })

  it.live("buffers can be moved both ways instead of copied (copied on process, shared on fiber)", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const xs = new Float64Array([1, 2, 3])
      const ys = yield* pool.apply(T.doubleInPlace, [xs], { transfer: [xs.buffer] })
      expect(Array.from(ys)).toEqual([2, 4, 6])
      // moved to a thread: detached here; copied to a child process; the same array on a fiber
      expect(xs.buffer.detached).toBe(startMethod === "thread")
      const [a, b] = yield* pool.map(T.doubleInPlace, [new Float64Array([1]), new Float64Array([5])])
      expect([a[0], b[0]]).toEqual([2, 10])
    }))

  it.live("every call gets a span named after its operation", () =>
    Effect.gen(function*() {
      const names: Array<string> = []
      const tracer = Tracer.make({
        span: (options) => {
          names.push(options.name)
          return Tracer.nativeTracer.span(options)
        }
      })
      yield* Effect.gen(function*() {
        const pool = yield* make()
        yield* pool.apply(T.add, [1, 2])
        yield* pool.map(T.square, [1, 2])
        yield* pool.starmap(T.add, [[1, 2]])
        yield* Stream.runDrain(pool.imap(T.square, [1]))
      }).pipe(Effect.scoped, Effect.withTracer(tracer))
      expect(names).toEqual(expect.arrayContaining(["Pool.make", "Pool.apply", "Pool.map", "Pool.starmap", "Pool.imap"]))
    }))

  it.live("a call's span, under an installed tracer, is the caller's child and ends with the call's exit", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const failed = yield* Effect.gen(function*() {
        const pool = yield* make()
        const caller = yield* Effect.currentSpan
        expect(yield* pool.apply(T.add, [1, 2])).toBe(3)
        const exit = yield* Effect.exit(pool.apply(T.throwsOnNegative, [-1]))
        const fiber = yield* pool.applyAsync(T.add, [2, 3])
        expect(yield* Fiber.join(fiber)).toBe(5)
        const asyncExit = yield* Fiber.await(yield* pool.applyAsync(T.throwsOnNegative, [-1]))
        expect(Exit.isFailure(asyncExit)).toBe(true)
        return { caller, exit }
      }).pipe(Effect.withSpan("caller"), Effect.scoped, Effect.withTracer(tracer))
      expect(Exit.isFailure(failed.exit)).toBe(true)
      const calls = spans.filter((s) => s.name === "Pool.apply" || s.name === "Pool.applyAsync")
      expect(calls.map((s) => s.name)).toEqual(["Pool.apply", "Pool.apply", "Pool.applyAsync", "Pool.applyAsync"])
      for (const span of calls) {
        expect(span.parent).toEqual(expect.objectContaining({ _tag: "Some" }))
        expect((span.parent as any).value.spanId).toBe(failed.caller.spanId)
        expect(span.status._tag).toBe("Ended")
      }
      // each ends with its call's outcome (applyAsync's too, not at its submission)
      const [ok, bad, asyncOk, asyncBad] = calls.map((span) => span.status._tag === "Ended" ? span.status.exit : undefined)
      expect(ok).toEqual(Exit.succeed(3))
      expect(bad !== undefined && Exit.isFailure(bad)).toBe(true)
      expect(asyncOk).toEqual(Exit.succeed(5))
      expect(asyncBad !== undefined && Exit.isFailure(asyncBad)).toBe(true)
    }))

  it.live("the caller's trace context reaches the worker: spans made there join the caller's trace", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      // no span around the call: nothing is carried
      const alone = yield* pool.apply(T.traceOf, [0])
      expect(alone.parentSpanId).toBe(null)
      const caller = yield* Effect.gen(function*() {
        const caller = yield* Effect.currentSpan
        // under the default tracer the call's own span is not made: the caller is the parent
        expect(yield* pool.apply(T.traceOf, [0])).toEqual({ traceId: caller.traceId, parentSpanId: caller.spanId })
        expect(yield* Fiber.join(yield* pool.applyAsync(T.traceOf, [0]))).toEqual({
          traceId: caller.traceId,
          parentSpanId: caller.spanId
        })
        // map's and imap's work belongs under their own spans, in the caller's trace
        for (const r of yield* pool.map(T.traceOf, [1, 2])) expect(r.traceId).toBe(caller.traceId)
        const streamed = yield* Stream.runCollect(pool.imap(T.traceOf, [1, 2]))
        for (const r of streamed) expect(r.traceId).toBe(caller.traceId)
        return caller
      }).pipe(Effect.withSpan("caller"))
      expect(alone.traceId).not.toBe(caller.traceId)
    }).pipe(Effect.scoped))

  it.live("under an installed tracer the worker's spans are children of the call's span", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const seen = yield* Effect.gen(function*() {
        const pool = yield* make()
        return yield* pool.apply(T.traceOf, [0])
      }).pipe(Effect.withSpan("caller"), Effect.scoped, Effect.withTracer(tracer))
      const call = spans.find((s) => s.name === "Pool.apply")!
      expect(seen).toEqual({ traceId: call.traceId, parentSpanId: call.spanId })
    }))

  it.live("under an installed tracer the spans a task makes reach it, each under its parent", () =>
    Effect.gen(function*() {
      const { endedInsideParent, spans, tracer } = recordingTracer()
      const [applied, mapped, background] = yield* Effect.gen(function*() {
        const pool = yield* make()
        return [
          yield* pool.apply(T.tracedWork, [1]),
          yield* pool.map(T.tracedWork, [2, 3]),
          yield* Fiber.join(yield* pool.applyAsync(T.tracedWork, [4]))
        ] as const
      }).pipe(Effect.withSpan("caller"), Effect.scoped, Effect.withTracer(tracer))
      expect([applied, mapped, background]).toEqual([2, [3, 4], 5])
      const named = (name: string) => spans.filter((s) => s.name === name)
      const parentOf = (span: Tracer.NativeSpan) => span.parent._tag === "Some" ? span.parent.value : undefined
      // one "outer" per input, each under the call's span (apply, applyAsync) or the map's
      const outers = named("outer")
      expect(outers.map((s) => s.attributes.get("input")).sort()).toEqual([1, 2, 3, 4])
      const call = named("Pool.apply")[0]
      const map = named("Pool.map")[0]
      const async = named("Pool.applyAsync")[0]
      const under = (input: unknown) => input === 1 ? call : input === 4 ? async : map
      // applyAsync's span ends with its call, after the task's spans (not at its submission)
      const outerOfAsync = outers.find((s) => s.attributes.get("input") === 4)!
      expect(endedInsideParent.has(outerOfAsync)).toBe(true)
      assert(async.status._tag === "Ended" && Exit.isSuccess(async.status.exit))
      for (const outer of outers) {
        expect(parentOf(outer)).toBe(under(outer.attributes.get("input")))
        expect(outer.traceId).toBe(call.traceId)
        expect(outer.events.map(([name, , attributes]) => [name, attributes])).toEqual([["halfway", { at: "middle" }]])
        assert(outer.status._tag === "Ended")
        expect(Exit.isSuccess(outer.status.exit)).toBe(true)
      }
      // "inner" and "broken" under their "outer"; "broken" ended with its failure
      expect(named("inner").map((s) => outers.includes(parentOf(s) as Tracer.NativeSpan))).toEqual([true, true, true, true])
      for (const broken of named("broken")) {
        expect(outers).toContain(parentOf(broken))
        assert(broken.status._tag === "Ended" && Exit.isFailure(broken.status.exit))
        expect(String(Cause.squash(broken.status.exit.cause))).toContain("broken on purpose")
      }
      expect(named("broken")).toHaveLength(4)
    }))

  it.live("a tracer that throws on a relayed span loses that span, not the calls", () =>
    Effect.gen(function*() {
      const tracer = Tracer.make({
        span: (options) => {
          if (options.name === "inner") throw new Error("this tracer refuses inner")
          return new Tracer.NativeSpan(options)
        }
      })
      const results = yield* Effect.gen(function*() {
        const pool = yield* make()
        const [a, b] = yield* Effect.all([pool.apply(T.tracedWork, [1]), pool.apply(T.tracedWork, [2])], {
          concurrency: "unbounded"
        })
        return [a, b, yield* pool.apply(T.add, [1, 2])]
      }).pipe(Effect.scoped, Effect.withTracer(tracer))
      expect(results).toEqual([2, 3, 3])
    }))

  it.live("worker log lines reach the main program's logger", () =>
    Effect.gen(function*() {
      const lines: Array<unknown> = []
      const logger = Logger.make((options) => {
        lines.push({ message: options.message, annotations: options.fiber.getRef(References.CurrentLogAnnotations) })
      })
      yield* Effect.gen(function*() {
        const pool = yield* make()
        expect(yield* pool.apply(T.logs, ["hello from a task"])).toBe(17)
      }).pipe(Effect.scoped, Effect.provide(Logger.layer([logger])))
      expect(lines).toContainEqual(
        expect.objectContaining({
          message: ["hello from a task"],
          annotations: expect.objectContaining({ from: "task" })
        })
      )
    }))
})

// On `fiber` the caller's own task object runs directly, so a task whose
// module URL is not its own is still found there: these are worker matters.
describe("Pool on workers: finding tasks", () => {
  it.live("an unknown task name or a module that fails to load names module and name", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 2, startMethod: "thread" })
      const { ghost, broken } = yield* Effect.promise(() => import("./fixtures/elsewhere.ts"))
      const notFound = yield* Effect.flip(pool.apply(ghost, []))
      assert(notFound._tag === "TaskNotFound")
      expect(notFound.module).toContain("fixtures/tasks.ts")
      expect(notFound.name).toBe("noSuchTask")
      const loadError = yield* Effect.flip(pool.apply(broken, []))
      assert(loadError._tag === "TaskModuleLoadError")
      expect(loadError.module).toContain("throws-at-import.ts")
      expect(loadError.name).toBe("broken")
      expect(loadError.reason).toContain("boom at import")
      expect(yield* pool.apply(T.add, [1, 1])).toBe(2)
    }))

})

/** A pool of 2 children whose second is held in its preload until the file `release` appears in `dir`. */
const heldPool = (dir: string) =>
  Pool.make({
    processes: 2,
    startMethod: "process",
    execArgv: ["--import", path.join(import.meta.dirname, "fixtures", "hold-all-but-first.ts")],
    env: { ...process.env, EMP_HOLD_DIR: dir }
  })

describe("Pool options and lifecycle", () => {
  it.live("processes < 1 is an error; the default is availableParallelism", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Pool.make({ processes: 0 }))
      expect(error._tag).toBe("InvalidArgument")
      const bad = yield* Effect.flip(Pool.make({ processes: 1, maxTasksPerChild: 0 }))
      expect(bad._tag).toBe("InvalidArgument")
      // a cluster is not a start method of Pool.make: the error says where it is
      const cluster = yield* Effect.flip(Pool.make({ processes: 1, startMethod: "cluster" as any }))
      expect(cluster._tag).toBe("InvalidArgument")
      expect(cluster.message).toContain("Pool.cluster")
      const pool = yield* Pool.make({ startMethod: "fiber" })
      expect(pool.processes).toBe(os.availableParallelism())
    }))

  it.live("Pool.make returns once one worker is up; the others take tasks when they are up", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      // every child but the first is held in its preload (before it can report ready) until `release` exists
      const pool = yield* heldPool(dir)
      // the second child is still held: the first runs the calls
      expect(yield* pool.apply(T.add, [1, 2])).toBe(3)
      expect(yield* pool.map(T.square, [1, 2, 3], { chunksize: 1 })).toEqual([1, 4, 9])
      // pool.workers waits for both
      const workers = yield* Effect.forkChild(pool.workers, { startImmediately: true })
      // once released it comes up and takes tasks: two that pass a barrier only together
      fs.writeFileSync(path.join(dir, "release"), "")
      yield* allWorkersUp(pool, 2)
      expect((yield* Fiber.join(workers)).map((w) => w.index)).toEqual([0, 1])
    }))

  it.live("a pool closed while a worker is still starting stops that worker too: no child is left", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const before = childPids()
      yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* heldPool(dir)
        expect(yield* pool.apply(T.add, [1, 2])).toBe(3)
        // the second child exists, held in its preload
        expect(childPids().filter((pid) => !before.includes(pid))).toHaveLength(2)
      }))
      expect(childPids().filter((pid) => !before.includes(pid))).toEqual([])
    }))

  it.live("Pool.layer provides the Pool service; StartMethod layers set the default", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.Pool
      expect(pool.startMethod).toBe("fiber")
      expect(yield* pool.apply(T.add, [1, 2])).toBe(3)
    }).pipe(Effect.provide(Pool.layer({ processes: 1 }).pipe(Layer.provide(StartMethod.fiber)))))
})

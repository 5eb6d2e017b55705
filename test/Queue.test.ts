import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import * as util from "node:util"
import { Event, Pool, Process, Queue } from "../src/index.ts"
import * as Q from "./fixtures/queues.ts"
import { allWorkersUp, childPids, threadCount } from "./helpers.ts"

const methods = ["thread", "process", "fiber"] as const

const mixed = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constantFrom(-0, NaN, Infinity),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.integer(), fc.string())),
  fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant(undefined)), { maxLength: 5 })
)

// Items compare by their structured-clone bytes (-0, NaN, undefined and Dates included).
const sortKey = (x: unknown): string => util.inspect(structuredClone(x), { depth: null })

/**
 * `n` items of every kind a queue carries, text of 1- to 4-byte UTF-8
 * characters at lengths from 0 to past 4096 characters among them: through a
 * small ring they meet its end at every offset.
 */
const ringItems = (n: number): Array<unknown> => {
  const chars = ["a", "é", "中", "😀"]
  const text = (i: number) => chars[i % 4]!.repeat((i * 7919) % (i % 53 === 0 ? 4500 : 300))
  const kinds = [
    (i: number) => text(i),
    (i: number) => ({ id: i, name: text(i), tags: [i, text(i + 1)] }),
    (i: number) => [i, text(i), null, true],
    (i: number) => i * 1.5,
    (i: number) => (i % 3 === 0 ? -0 : i % 3 === 1 ? NaN : BigInt(i)),
    (i: number) => new Date(i * 1000),
    (i: number) => (i % 4 === 0 ? undefined : i % 4 === 1 ? null : i % 4 === 2),
    (i: number) => ({ deep: { er: [{ x: text(i) }] }, at: new Date(i) })
  ]
  return Array.from({ length: n }, (_, i) => kinds[i % kinds.length]!(i))
}

describe.each(methods)("Queue on %s", (startMethod) => {
  const make = (processes = 2) => Pool.make({ processes, startMethod })

  it.live("a producer worker and a consumer worker exchange items in order", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const q = yield* Queue.make<number>()
      const producer = yield* pool.applyAsync(Q.produce, [q, 0, 2000])
      const taken = yield* pool.apply(Q.consume, [q, 2000])
      expect(yield* Fiber.join(producer)).toBe(2000)
      expect(taken).toEqual(Array.from({ length: 2000 }, (_, i) => i))
      expect(yield* Queue.size(q)).toBe(0)
    }))

  it.live("items of every kind pass a small ring many times over, in order, between workers and the main program", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      // capacity 8 keeps the ring small: records meet its end, and are written and read across it
      const q = yield* Queue.make<unknown>({ capacity: 8 })
      const items = ringItems(3000)
      const producer = yield* pool.applyAsync(Q.produceItems, [q, items])
      const taken = yield* pool.apply(Q.consume, [q, items.length])
      expect(yield* Fiber.join(producer)).toBe(items.length)
      expect(taken.map(sortKey)).toEqual(items.map(sortKey))
      // the main program's offers to a worker, and a worker's to the main program
      const some = items.slice(0, 40)
      const back = yield* Effect.forkChild(pool.apply(Q.consume, [q, some.length]), { startImmediately: true })
      for (const item of some) yield* Queue.offer(q, item)
      expect((yield* Fiber.join(back)).map(sortKey)).toEqual(some.map(sortKey))
      yield* pool.applyAsync(Q.produceItems, [q, some])
      const here: Array<unknown> = []
      for (let i = 0; i < some.length; i++) here.push(yield* Queue.take(q))
      expect(here.map(sortKey)).toEqual(some.map(sortKey))
    }), 60_000)

  it.live("the main program and a worker share one queue, nested anywhere in the arguments", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const q = yield* Queue.make<number>({ capacity: 4 })
      yield* Queue.offer(q, 42)
      expect(yield* pool.apply(Q.takeNested, [{ queues: [q] }])).toBe(42)
      yield* pool.apply(Q.produce, [q, 10, 3])
      expect([yield* Queue.take(q), yield* Queue.take(q), yield* Queue.take(q)]).toEqual([10, 11, 12])
      expect(yield* pool.apply(Q.pollOnce, [q])).toBe(undefined)
    }))

  it.live("P producers and C consumers over workers: the multiset taken equals the multiset offered", () =>
    Effect.gen(function*() {
      // every producer and consumer needs a worker of its own: they wait on each other
      const pool = yield* make(4)
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.array(fc.array(mixed, { maxLength: 30 }), { minLength: 1, maxLength: 2 }),
            fc.integer({ min: 1, max: 2 }),
            fc.integer({ min: 0, max: 5 }),
            (batches, consumers, capacity) =>
              Effect.runPromise(Effect.scoped(Effect.gen(function*() {
                const q = yield* Queue.make<unknown>({ capacity })
                const producers = yield* Effect.forEach(batches, (items) => pool.applyAsync(Q.produceItems, [q, items]))
                const takers = yield* Effect.forEach(
                  Array.from({ length: consumers }),
                  () => pool.applyAsync(Q.drain, [q])
                )
                yield* Fiber.joinAll(producers)
                yield* Queue.end(q)
                const taken = (yield* Fiber.joinAll(takers)).flat()
                const offered = batches.flat()
                expect(taken.map(sortKey).sort()).toEqual(offered.map(sortKey).sort())
              })))
          ),
          { numRuns: startMethod === "process" ? 8 : 15 }
        )
      )
    }), 120_000)

  it.live("capacity: tryOffer refuses when full, offer waits until a take makes room", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const q = yield* Queue.make<number>({ capacity: 2 })
      expect(yield* Queue.tryOffer(q, 1)).toBe(true)
      expect(yield* Queue.tryOffer(q, 2)).toBe(true)
      expect(yield* Queue.tryOffer(q, 3)).toBe(false)
      const blocked = yield* pool.applyAsync(Q.produce, [q, 3, 1])
      expect(yield* pool.apply(Q.consume, [q, 3])).toEqual([1, 2, 3])
      expect(yield* Fiber.join(blocked)).toBe(1)
    }))

  it.live("end: offers fail, consumers drain what is left, then take fails and stream ends", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const q = yield* Queue.make<number>()
      yield* Queue.offerAll(q, [1, 2, 3])
      yield* Queue.end(q)
      expect(yield* pool.apply(Q.offerOne, [q, 4])).toBe("QueueEnded")
      expect(yield* pool.apply(Q.consume, [q, 1])).toEqual([1])
      expect(yield* Stream.runCollect(Queue.stream(q))).toEqual([2, 3])
      const error = yield* Effect.flip(Queue.take(q))
      expect(error._tag).toBe("QueueEnded")
    }))

  it.live("shutdown: a worker waiting in take fails at once with QueueShutdown", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const q = yield* Queue.make<number>()
      const ready = yield* Queue.make<string>()
      const waiting = yield* pool.applyAsync(Q.readyThenTake, [ready, q])
      expect(yield* Queue.take(ready)).toBe("ready")
      yield* Queue.shutdown(q)
      const exit = yield* Fiber.await(waiting)
      expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("QueueShutdown")
      expect((yield* Effect.flip(Queue.offer(q, 1)))._tag).toBe("QueueShutdown")
    }))

  it.live("closing the queue's scope fails a worker waiting on it; the handle then fails with a typed error", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const ready = yield* Queue.make<string>()
      const [q, waiting] = yield* Effect.scoped(Effect.gen(function*() {
        const q = yield* Queue.make<number>()
        const waiting = yield* pool.applyAsync(Q.readyThenTake, [ready, q])
        expect(yield* Queue.take(ready)).toBe("ready")
        return [q, waiting] as const
      }))
      const exit = yield* Fiber.await(waiting)
      expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("QueueShutdown")
      expect((yield* Effect.flip(Queue.take(q)))._tag).toBe("QueueShutdown")
    }))

  it.live("an interrupted take in a worker consumes nothing, even when an item arrives at that moment", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const q = yield* Queue.make<number>()
      const out = yield* Queue.make<number>()
      const ready = yield* Queue.make<string>()
      for (let round = 0; round < 20; round++) {
        const waiting = yield* pool.applyAsync(Q.readyThenMove, [ready, q, out])
        yield* Queue.take(ready)
        // the item and the interruption race: the take completes (and the
        // item is moved to out) or is interrupted (and the item stays in q)
        yield* Queue.offer(q, round)
        yield* Fiber.interrupt(waiting)
        const left = yield* Queue.size(q)
        const moved = yield* Queue.size(out)
        expect(left + moved).toBe(1)
        expect(yield* Queue.take(left === 1 ? q : out)).toBe(round)
      }
    }))

  it.live("an item that cannot be sent fails offer with SerializationError naming it; nothing is enqueued", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const q = yield* Queue.make<unknown>()
      expect(yield* pool.apply(Q.offerFunction, [q])).toBe("SerializationError item.f")
      const error = yield* Effect.flip(Queue.offer(q, Symbol("s")))
      expect(error._tag).toBe("SerializationError")
      expect(yield* Queue.size(q)).toBe(0)
    }))

  it.live("JoinableQueue property: join returns exactly when the last taskDone is called", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }), (parts) =>
            Effect.runPromise(Effect.scoped(Effect.gen(function*() {
              const q = yield* Queue.make<number>({ joinable: true })
              const n = parts.reduce((a, b) => a + b, 0)
              yield* Queue.offerAll(q, Array.from({ length: n }, (_, i) => i))
              const joined = yield* Effect.forkChild(Queue.join(q))
              for (let k = 0; k < parts.length; k++) {
                // each part is taken and marked done by a worker
                yield* pool.apply(Q.work, [q, parts[k]])
                if (k < parts.length - 1) expect(joined.pollUnsafe()).toBeUndefined()
              }
              yield* Fiber.join(joined)
            })))),
          { numRuns: startMethod === "process" ? 5 : 15 }
        )
      )
    }))

  it.live("JoinableQueue: join returns once the last taskDone is called", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const q = yield* Queue.make<number>({ joinable: true })
      yield* Queue.offerAll(q, [1, 2, 3, 4])
      const joined = yield* Effect.forkChild(Queue.join(q))
      expect(yield* pool.apply(Q.work, [q, 3])).toBe(6)
      // one item is not done yet: join still waits
      expect(joined.pollUnsafe()).toBeUndefined()
      expect(yield* pool.apply(Q.work, [q, 1])).toBe(4)
      yield* Fiber.join(joined)
      const tooOften = yield* Effect.flip(Queue.taskDone(q))
      expect(tooOften._tag).toBe("InvalidArgument")
    }))
})

describe("Queue, thread transport", () => {
  it.live("workers exchange 10,000 items while the main thread is held in a busy loop", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 2, startMethod: "thread" })
      // both workers up (Pool.make returns with one): the producer must not wait for a worker the blocked thread cannot attach
      yield* allWorkersUp(pool, 2)
      const q = yield* Queue.make<number>({ capacity: 64 })
      const flag = new Int32Array(new SharedArrayBuffer(4))
      const consumer = yield* pool.applyAsync(Q.takeAllThenFlag, [q, 10_000, flag])
      const producer = yield* pool.applyAsync(Q.produce, [q, 1, 10_000])
      // let the requests go out, then hold the main thread until the consumer is done
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      const deadline = Date.now() + 60_000
      while (Atomics.load(flag, 0) === 0 && Date.now() < deadline) {
        // busy: no event loop turn, no message handled on this thread
      }
      expect(Atomics.load(flag, 0)).toBe(1)
      expect(yield* Fiber.join(consumer)).toBe(10_000 * 10_001 / 2)
      expect(yield* Fiber.join(producer)).toBe(10_000)
    }))

  it.live("a task looping on offer and take that never wait is still interruptible: its onInterrupt runs in the worker", () =>
    Effect.gen(function*() {
      // a worker killed after the grace period would run no finalizer: give it all the time it needs
      const pool = yield* Pool.make({ processes: 1, startMethod: "thread", interruptGracePeriod: "60 seconds" })
      const q = yield* Queue.make<number>()
      const events = yield* Queue.make<string>()
      const spinning = yield* Effect.forkChild(pool.apply(Q.spinOnQueue, [q, events]))
      expect(yield* Queue.take(events)).toBe("started")
      // returns once the worker has interrupted the task (its calls done in place still yield now and then)
      yield* Fiber.interrupt(spinning)
      expect(yield* Queue.poll(events)).toEqual(Option.some("interrupted"))
      expect(yield* pool.apply(Q.consume, [q, 0])).toEqual([])
    }))

  it.live("a worker that dies holding a queue's lock does not leave it locked for the others", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 2, startMethod: "thread" })
      const q = yield* Queue.make<number>()
      const died = yield* Effect.flip(pool.apply(Q.dieHoldingLock, [q]))
      expect(died._tag).toBe("WorkerDied")
      yield* Queue.offerAll(q, [1, 2])
      expect(yield* pool.apply(Q.consume, [q, 2])).toEqual([1, 2])
    }))
})

describe("Queue faults on thread and process", () => {
  it.live.each(["thread", "process"] as const)("a producer killed mid-offer (waiting on a full queue): the queue stays whole (%s)", (startMethod) =>
    Effect.gen(function*() {
      const q = yield* Queue.make<number>({ capacity: 2 })
      yield* Queue.offerAll(q, [1, 2])
      const ready = yield* Queue.make<string>()
      const victim = yield* Process.start(Q.readyThenProduce, [ready, q, 3, 5], { startMethod })
      expect(yield* Queue.take(ready)).toBe("ready")
      // it is inside offer, waiting for room; kill it there
      if (startMethod === "process") process.kill(yield* victim.pid, "SIGKILL")
      else yield* victim.kill
      expect((yield* Effect.flip(victim.join))._tag).toBe("WorkerDied")
      // the queue holds what it held, and takes and offers go on
      expect(yield* Queue.size(q)).toBe(2)
      yield* Queue.offer(q, 3).pipe(Effect.forkChild)
      expect([yield* Queue.take(q), yield* Queue.take(q), yield* Queue.take(q)]).toEqual([1, 2, 3])
    }))

  it.live.each(["thread", "process"] as const)("a consumer killed mid-take: the others go on, nothing deadlocks (%s)", (startMethod) =>
    Effect.gen(function*() {
      const threadsBefore = threadCount()
      yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* Pool.make({ processes: 2, startMethod, interruptGracePeriod: 1 })
        const q = yield* Queue.make<number>()
        const ready = yield* Queue.make<string>()
        const victim = yield* pool.applyAsync(Q.readyThenTake, [ready, q])
        yield* Queue.take(ready)
        // kill the worker waiting in take
        const workers = yield* pool.workers
        if (startMethod === "process") {
          for (const w of workers) process.kill(w.pid, "SIGKILL")
        } else {
          yield* pool.terminate
        }
        const exit = yield* Fiber.await(victim)
        expect(Exit.isFailure(exit)).toBe(true)
        yield* Queue.offerAll(q, [7, 8])
        const pool2 = yield* Pool.make({ processes: 1, startMethod })
        expect(yield* pool2.apply(Q.consume, [q, 2])).toEqual([7, 8])
      }))
      expect(threadCount()).toBe(threadsBefore)
      expect(childPids()).toEqual([])
    }))
})

describe.each(methods)("Queue as a typed service on %s", (startMethod) => {
  it.live("a task declares its services; the call requires them; the worker gets the same queue and a copy of the rest", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 2, startMethod })
      const q = yield* Queue.make<number>()
      const provide = <A, E>(effect: Effect.Effect<A, E, Q.Jobs | Q.Settings>) =>
        effect.pipe(Effect.provideService(Q.Jobs, q), Effect.provideService(Q.Settings, { factor: 10 }))
      expect(yield* provide(pool.apply(Q.produceJobs, [3]))).toBe(3)
      expect([yield* Queue.take(q), yield* Queue.take(q), yield* Queue.take(q)]).toEqual([10, 20, 30])
      yield* Queue.offerAll(q, [1, 2, 3, 4])
      // map and imap carry the services too
      const taken = yield* provide(pool.map(Q.takeJob, [0, 0], { chunksize: 1 }))
      const streamed = yield* Stream.runCollect(pool.imap(Q.takeJob, [0, 0])).pipe(Effect.provideService(Q.Jobs, q))
      expect([...taken, ...streamed].sort()).toEqual([1, 2, 3, 4])
      // @ts-expect-error the call requires the Jobs service
      const missing: Effect.Effect<number, unknown, never> = pool.apply(Q.takeJob, [0])
      void missing
    }))
})

describe("Queue, process transport", () => {
  it.live("a producer racing Queue.end is told: its offers fail with QueueEnded, and no refusal is silent", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 1, startMethod: "process" })
      for (let round = 0; round < 5; round++) {
        const q = yield* Queue.make<number>()
        const producer = yield* pool.applyAsync(Q.produce, [q, 0, 1_000_000])
        expect(yield* Queue.take(q)).toBe(0)
        yield* Queue.end(q)
        const exit = yield* Fiber.await(producer)
        // the producer cannot have finished a million offers: an offer failed, or the task did
        expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("QueueEnded")
        // what was enqueued before the end is still there, in order
        const rest = yield* Stream.runCollect(Queue.stream(q))
        expect(rest).toEqual(Array.from({ length: rest.length }, (_, i) => i + 1))
      }
    }))

  it.live("an offer followed by synchronous work is delivered at once (pipelined offers are posted before the task goes on)", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 1, startMethod: "process", interruptGracePeriod: 1 })
      const q = yield* Queue.make<number>()
      // warm: the child learns the queue, so that the next offers are pipelined
      yield* pool.apply(Q.produce, [q, 0, 3])
      const busy = yield* pool.applyAsync(Q.offerThenSpin, [q, 42])
      expect([yield* Queue.take(q), yield* Queue.take(q), yield* Queue.take(q), yield* Queue.take(q)]).toEqual([0, 1, 2, 42])
      yield* Fiber.interrupt(busy)
    }))
})

describe.each(["thread", "process"] as const)("Queue ordering with other shared objects on %s", (startMethod) => {
  it.live("offers made before an event is set are in their queues when the event is seen (batched offers included)", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 1, startMethod })
      const qs = [yield* Queue.make<number>(), yield* Queue.make<number>()]
      for (const round of [1, 2, 3]) {
        const done = yield* Event.make()
        const n = 500 * round
        const task = yield* pool.applyAsync(Q.offerThenSignal, [qs, done, n])
        yield* Event.wait(done)
        // seen before the task's result: everything offered before the set is already queued
        expect([yield* Queue.size(qs[0]), yield* Queue.size(qs[1])]).toEqual([n, n])
        yield* Fiber.join(task)
        for (const q of qs) {
          const items: Array<number> = []
          for (let i = 0; i < n; i++) items.push(yield* Queue.take(q))
          expect(items).toEqual(Array.from({ length: n }, (_, i) => i))
        }
      }
    }))
})

describe("Queue arguments on process", () => {
  it.live("an own __proto__ key in arguments that carry a queue stays data", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 1, startMethod: "process" })
      const q = yield* Queue.make<unknown>()
      yield* pool.apply(Q.produceItems, [q, [JSON.parse('{"__proto__": 1, "a": 2}')]])
      const item = yield* Queue.take(q)
      expect(Object.hasOwn(item as object, "__proto__")).toBe(true)
      expect(item).toEqual(JSON.parse('{"__proto__": 1, "a": 2}'))
    }))
})

import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as fc from "fast-check"
import * as util from "node:util"
import { Pipe, Pool, Process } from "../src/index.ts"
import * as T from "./fixtures/pipes.ts"

const methods = ["thread", "process", "fiber"] as const

const values = fc.array(
  fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(undefined), fc.bigInt(), fc.object({ maxDepth: 2 })),
  { maxLength: 40 }
)
const same = (x: unknown) => util.inspect(structuredClone(x), { depth: null })

describe.each(methods)("Pipe on %s", (startMethod) => {
  const make = () => Pool.make({ processes: 2, startMethod })

  it.live("a simplex pipe between two workers delivers any sequence in order, then end-of-file", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(values, (xs) =>
            Effect.runPromise(Effect.scoped(Effect.gen(function*() {
              const [reader, writer] = yield* Pipe.make({ duplex: false })
              const received = yield* pool.applyAsync(T.recvAll, [reader])
              expect(yield* pool.apply(T.sendAll, [writer, xs])).toBe(xs.length)
              expect((yield* Fiber.join(received)).map(same)).toEqual(xs.map(same))
            })))),
          { numRuns: startMethod === "process" ? 10 : 25 }
        )
      )
    }), 60_000)

  it.live("a duplex pipe between the main program and a worker: ping-pong in order", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const [here, there] = yield* Pipe.make<number>()
      const partner = yield* pool.applyAsync(T.echoDouble, [there, 100])
      for (let i = 0; i < 100; i++) {
        yield* Pipe.send(here, i)
        expect(yield* Pipe.recv(here)).toBe(2 * i)
      }
      expect(yield* Fiber.join(partner)).toBe(100)
    }))

  it.live("end-of-file, broken pipe, closed end, and the wrong direction are typed errors", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const [a, b] = yield* Pipe.make<number>()
      yield* Pipe.send(a, 1)
      yield* Pipe.close(a)
      // b receives what was sent, then end-of-file; sending to the closed end is a broken pipe
      expect(yield* Pipe.recv(b)).toBe(1)
      expect((yield* Effect.flip(Pipe.recv(b)))._tag).toBe("PipeEOF")
      expect((yield* Effect.flip(Pipe.send(b, 2)))._tag).toBe("BrokenPipe")
      expect((yield* Effect.flip(Pipe.recv(a)))._tag).toBe("PipeClosed")
      const [reader, writer] = yield* Pipe.make<number>({ duplex: false })
      // @ts-expect-error a reader cannot send
      const wrong = Pipe.send(reader, 1)
      expect((yield* Effect.flip(wrong))._tag).toBe("InvalidArgument")
      // @ts-expect-error a writer cannot receive
      expect((yield* Effect.flip(Pipe.recv(writer)))._tag).toBe("InvalidArgument")
      expect(yield* pool.apply(T.sendOnReader, [reader])).toBe("InvalidArgument")
    }))

  it.live("poll: false when nothing is there, true once a value or end-of-file is", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const [reader, writer] = yield* Pipe.make<number>({ duplex: false })
      expect(yield* Pipe.poll(reader)).toBe(false)
      yield* pool.applyAsync(T.sendAll, [writer, [5]])
      // waits for the worker's value
      expect(yield* Pipe.poll(reader, "30 seconds")).toBe(true)
      expect(yield* Pipe.recv(reader)).toBe(5)
      expect(yield* Pipe.poll(reader, "30 seconds")).toBe(true) // end-of-file: recv would not wait
      expect((yield* Effect.flip(Pipe.recv(reader)))._tag).toBe("PipeEOF")
    }))

  it.live("an interrupted recv in a worker receives nothing", () =>
    Effect.gen(function*() {
      const pool = yield* make()
      const [here, there] = yield* Pipe.make<string>()
      const [reader, writer] = yield* Pipe.make<number>({ duplex: false })
      for (let round = 0; round < 10; round++) {
        const waiting = yield* pool.applyAsync(T.readyThenRecv, [there, reader])
        expect(yield* Pipe.recv(here)).toBe("ready")
        yield* Fiber.interrupt(waiting)
        yield* Pipe.send(writer, round)
        // the value sent after the interruption is still there for the next reader
        expect(yield* Pipe.recv(reader)).toBe(round)
      }
    }))
})

describe.each(["thread", "process"] as const)("Pipe ends and their workers on %s", (startMethod) => {
  it.live("a process's exit closes the ends it was given: the peer reads what was sent, then end-of-file", () =>
    Effect.gen(function*() {
      const [here, there] = yield* Pipe.make<number>()
      const p = yield* Process.start(T.sendAndLeave, [there, [1, 2]], { startMethod })
      yield* p.join
      yield* p.await
      expect(yield* Pipe.recv(here)).toBe(1)
      expect(yield* Pipe.recv(here)).toBe(2)
      expect((yield* Effect.flip(Pipe.recv(here)))._tag).toBe("PipeEOF")
    }))

  it.live("a worker killed while holding an end: the peer does not wait on it forever", () =>
    Effect.gen(function*() {
      const [here, there] = yield* Pipe.make<string>()
      const p = yield* Process.start(T.readyThenWait, [there], { startMethod })
      expect(yield* Pipe.recv(here)).toBe("ready")
      if (startMethod === "process") process.kill(yield* p.pid, "SIGKILL")
      else yield* p.kill
      expect((yield* Effect.flip(p.join))._tag).toBe("WorkerDied")
      yield* p.await
      expect((yield* Effect.flip(Pipe.recv(here)))._tag).toBe("PipeEOF")
      expect((yield* Effect.flip(Pipe.send(here, "anyone?")))._tag).toBe("BrokenPipe")
    }))

  it.live("a pool worker that dies holding an end closes it too", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 1, startMethod })
      const [here, there] = yield* Pipe.make<string>()
      const waiting = yield* pool.applyAsync(T.readyThenWait, [there])
      expect(yield* Pipe.recv(here)).toBe("ready")
      const [worker] = yield* pool.workers
      if (startMethod === "process") process.kill(worker.pid, "SIGKILL")
      else yield* pool.terminate
      yield* Fiber.await(waiting)
      expect((yield* Effect.flip(Pipe.recv(here)))._tag).toBe("PipeEOF")
    }))
})

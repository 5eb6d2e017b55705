// Tasks of the Queue, Pipe, Value, Lock and Manager scenarios (6-10): plain JS, importing only the
// built package's Task, Queue and Pipe modules, as a user's task module would.
import * as Effect from "effect/Effect"
import * as Lock from "effect-multiprocessing/Lock"
import * as Manager from "effect-multiprocessing/Manager"
import * as Pipe from "effect-multiprocessing/Pipe"
import * as Queue from "effect-multiprocessing/Queue"
import * as Shared from "effect-multiprocessing/Shared"
import * as Task from "effect-multiprocessing/Task"

/** Offers 0..n-1 (as `{ id, name }` objects when `dict`). */
export const produce = Task.make(import.meta.url, "produce", (q, n, dict) =>
  Effect.gen(function*() {
    for (let i = 0; i < n; i++) yield* Queue.offer(q, dict ? { id: i, name: "item-" + i } : i)
    return n
  }))

/** Takes n items; the sum of their ids. */
export const consume = Task.make(import.meta.url, "consume", (q, n, dict) =>
  Effect.gen(function*() {
    let s = 0
    for (let i = 0; i < n; i++) {
      const x = yield* Queue.take(q)
      s += dict ? x.id : x
    }
    return s
  }))

/** Answers each of n messages with the message + 1. */
export const echoPipe = Task.make(import.meta.url, "echoPipe", (conn, n) =>
  Effect.gen(function*() {
    for (let i = 0; i < n; i++) yield* Pipe.send(conn, (yield* Pipe.recv(conn)) + 1)
    return n
  }))

/** Adds 1 to the shared value n times, each under its lock (Shared.update). */
export const increment = Task.make(import.meta.url, "increment", (v, n) =>
  Effect.gen(function*() {
    for (let i = 0; i < n; i++) yield* Shared.update(v, (x) => x + 1)
    return n
  }))

/** Acquires and releases the lock n times. */
export const lockLoop = Task.make(import.meta.url, "lockLoop", (lock, n) =>
  Effect.gen(function*() {
    for (let i = 0; i < n; i++) {
      yield* Lock.acquire(lock)
      yield* Lock.release(lock)
    }
    return n
  }))

/** n times: sets a key of the managed dict, then reads it back. */
export const dictRoundTrips = Task.make(import.meta.url, "dictRoundTrips", (d, n) =>
  Effect.gen(function*() {
    for (let i = 0; i < n; i++) {
      yield* Manager.set(d, i % 100, i)
      const back = yield* Manager.get(d, i % 100)
      if (back._tag !== "Some" || back.value !== i) throw new Error("the dict lost a value")
    }
    return n
  }))

/** Its argument plus one, as an Effect (scenario 12: a Process whose task module imports effect). */
export const incEffect = Task.make(import.meta.url, "incEffect", (x) => Effect.succeed(x + 1))

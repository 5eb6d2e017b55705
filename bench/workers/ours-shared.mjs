// Tasks of the Queue and Pipe scenarios (6, 7): plain JS, importing only the
// built package's Task, Queue and Pipe modules, as a user's task module would.
import * as Effect from "effect/Effect"
import * as Pipe from "../../dist/Pipe.js"
import * as Queue from "../../dist/Queue.js"
import * as Task from "../../dist/Task.js"

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

/**
 * A queue shared by the main program and every worker: Python's
 * `multiprocessing.Queue`, `JoinableQueue` and `SimpleQueue`, with the calls
 * of `effect/Queue`. Pass it to a task as an argument (anywhere in the
 * argument list) and the worker gets the same queue.
 *
 * On `thread` the queue lives in shared memory and workers use it directly
 * (Atomics; a waiting `take` is a fiber, not a blocked thread); on `process`
 * it lives in the main program and a child reaches it over its IPC channel;
 * on `fiber` a task gets the queue itself. Items are copied (structured
 * clone semantics); one that cannot be copied fails `offer` with a
 * `SerializationError`, and nothing is enqueued.
 *
 * In a child process, an `offer` to an unbounded queue returns once the item
 * is on its way to the main program (as Python's `put` does), and a `take`
 * brings back a batch that the next takes use; see the README's "Queues".
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const q = yield* Queue.make<number>()
 *   const pool = yield* Pool.make({ processes: 2 })
 *   yield* pool.apply(producer, [q, 10])
 *   const first = yield* Queue.take(q)
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as Errors from "./errors.ts"
import type { Uncloneable } from "./internal/clone.ts"
import { decode, encode, encodeHere, isEncoded, Unpacked } from "./internal/codec.ts"
import { R_ENDED, R_OK, R_SHUTDOWN, type SharedObject } from "./internal/handles.ts"
import { request } from "./internal/request.ts"
import { NOW, now, syncStep } from "./internal/syncpath.ts"
import { Stream as loadStream } from "./internal/lazy.ts"
import * as R from "./internal/ring.ts"

/**
 * A queue of `A` shared by every worker.
 *
 * @since 0.1.0
 * @category models
 */
export interface Queue<in out A> {
  readonly "~emp": string
  readonly id: number
  /** Most items held at once (Python's `maxsize`); 0 when unbounded. */
  readonly capacity: number
  /** Whether `taskDone` and `join` are available (`JoinableQueue`). */
  readonly joinable: boolean
  readonly "~A"?: (_: A) => A
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Python's `maxsize`: `offer` waits while the queue holds this many items. Default: unbounded. */
  readonly capacity?: number | undefined
  /** A `JoinableQueue`: `taskDone` and `join`. */
  readonly joinable?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category errors
 */
export type QueueError = Errors.QueueEnded | Errors.QueueShutdown

const core = (self: Queue<any>): SharedObject => self as unknown as SharedObject

const failed = (status: number, value?: unknown): Effect.Effect<never, QueueError | Errors.InvalidArgument> =>
  status === R_ENDED
    ? Effect.fail(new Errors.QueueEnded())
    : status === R_SHUTDOWN
    ? Effect.fail(new Errors.QueueShutdown())
    : Effect.fail(new Errors.InvalidArgument({ reason: String(value) }))

const refused = (operation: string, bad: Uncloneable) =>
  Effect.fail(new Errors.SerializationError({ task: operation, direction: "argument", ...bad }))

const done = (status: number, value: unknown): Effect.Effect<void, QueueError> =>
  status === R_OK ? Effect.void : failed(status, value) as Effect.Effect<never, QueueError>

/**
 * A new queue, shut down when the scope closes. Python: `Queue(maxsize)`,
 * `JoinableQueue(maxsize)` with `{ joinable: true }`, `SimpleQueue()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <A = unknown>(
  options?: Options
) => Effect.Effect<Queue<A>, Errors.InvalidArgument, Scope.Scope> = Effect.fn("Queue.make")(
  function*(options?: Options) {
    const capacity = options?.capacity ?? 0
    if (!(Number.isInteger(capacity) && capacity >= 0)) {
      return yield* new Errors.InvalidArgument({
        reason: `capacity must be an integer >= 1 (or 0 / undefined for unbounded), got ${String(capacity)}`
      })
    }
    return yield* Effect.acquireRelease(
      Effect.sync(() => R.QueueCore.make(capacity, options?.joinable === true) as unknown as Queue<any>),
      (q) => Effect.sync(() => (q as unknown as R.QueueCore).shutdown())
    )
  }
) as any

/**
 * Adds an item, waiting while the queue is full. Python: `put`.
 *
 * @since 0.1.0
 * @category offering
 */
export const offer: {
  <A>(value: A): (self: Queue<A>) => Effect.Effect<void, QueueError | Errors.SerializationError>
  <A>(self: Queue<A>, value: A): Effect.Effect<void, QueueError | Errors.SerializationError>
} = dual(2, <A>(self: Queue<A>, value: A): Effect.Effect<void, QueueError | Errors.SerializationError> =>
  // on a thread that sees the queue's memory, text is written where it will
  // lie, and a `yield*` that finds room is done without the run loop
  self instanceof R.QueueCore
    ? syncStep(self, value, offerHere)
    : Effect.suspend((): Effect.Effect<void, QueueError | Errors.SerializationError> => {
      const bytes = encode(value, "item")
      if (!isEncoded(bytes)) return refused("Queue.offer", bytes)
      return request(core(self), R.Q_OFFER, bytes, done)
    }))

const offerHere = (self: R.QueueCore, value: unknown): Effect.Effect<void, QueueError | Errors.SerializationError> | typeof NOW => {
  const item = encodeHere(value, "item")
  if (!(item instanceof Unpacked) && !isEncoded(item)) return refused("Queue.offer", item)
  const status = self.offerNow(item)
  if (status === -1) return request(self, R.Q_OFFER_HERE, item, done)
  return status === R_OK ? now(undefined) : done(status, undefined)
}

/**
 * Adds every item, in order, waiting for room as needed. Nothing is enqueued
 * if one of them cannot be copied.
 *
 * @since 0.1.0
 * @category offering
 */
export const offerAll: {
  <A>(values: Iterable<A>): (self: Queue<A>) => Effect.Effect<void, QueueError | Errors.SerializationError>
  <A>(self: Queue<A>, values: Iterable<A>): Effect.Effect<void, QueueError | Errors.SerializationError>
} = dual(2, <A>(self: Queue<A>, values: Iterable<A>) =>
  Effect.suspend((): Effect.Effect<void, QueueError | Errors.SerializationError> => {
    const records: Array<Uint8Array> = []
    let i = 0
    for (const value of values) {
      const bytes = encode(value, `items[${i++}]`)
      if (!isEncoded(bytes)) return refused("Queue.offerAll", bytes)
      records.push(bytes)
    }
    return request(core(self), R.Q_OFFER_ALL, records, done)
  }))

/**
 * Adds an item if there is room now: `true` if it was added. Python: `put_nowait`
 * (which raises `Full` instead of returning `false`).
 *
 * @since 0.1.0
 * @category offering
 */
export const tryOffer: {
  <A>(value: A): (self: Queue<A>) => Effect.Effect<boolean, QueueError | Errors.SerializationError>
  <A>(self: Queue<A>, value: A): Effect.Effect<boolean, QueueError | Errors.SerializationError>
} = dual(2, <A>(self: Queue<A>, value: A) =>
  Effect.suspend((): Effect.Effect<boolean, QueueError | Errors.SerializationError> => {
    const bytes = encode(value, "item")
    if (!isEncoded(bytes)) return refused("Queue.tryOffer", bytes)
    return request(
      core(self),
      R.Q_TRY_OFFER,
      bytes,
      (status, value) => status === R_OK ? Effect.succeed(value as boolean) : failed(status, value) as Effect.Effect<never, QueueError>
    )
  }))

const item = <A>(status: number, value: unknown): Effect.Effect<A, QueueError> =>
  status === R_OK ? Effect.sync(() => decode(value as Uint8Array | Unpacked) as A) : failed(status, value) as Effect.Effect<never, QueueError>

/**
 * Removes the first item, waiting while the queue is empty. Fails with
 * `QueueEnded` once an ended queue is drained. An interrupted `take` (say by
 * `Effect.timeout`) takes nothing. Python: `get`.
 *
 * @since 0.1.0
 * @category taking
 */
export const take = <A>(self: Queue<A>): Effect.Effect<A, QueueError> =>
  // on a thread that sees the queue's memory, the item is read where it
  // lies, and a `yield*` that finds one is done without the run loop
  self instanceof R.QueueCore
    ? syncStep(self, undefined, takeHere) as Effect.Effect<A, QueueError>
    : request(core(self), R.Q_TAKE, undefined, item<A>)

const takeHere = (self: R.QueueCore): Effect.Effect<unknown, QueueError> | typeof NOW => {
  const taken = self.takeNow()
  if (taken === -1) return request(self, R.Q_TAKE_HERE, undefined, item)
  if (typeof taken === "number") return failed(taken) as Effect.Effect<never, QueueError>
  try {
    return now(decode(taken))
  } catch (e) {
    return Effect.die(e)
  }
}

/**
 * Removes the first item if there is one. Python: `get_nowait` (which raises
 * `Empty` instead of returning `None`).
 *
 * @since 0.1.0
 * @category taking
 */
export const poll = <A>(self: Queue<A>): Effect.Effect<Option.Option<A>, Errors.QueueShutdown> =>
  request(core(self), R.Q_POLL, undefined, (status, value) =>
    status !== R_OK
      ? failed(status, value) as Effect.Effect<never, Errors.QueueShutdown>
      : value === undefined
      ? Effect.succeed(Option.none())
      : Effect.sync(() => Option.some(decode(value as Uint8Array) as A)))

/**
 * The number of items in the queue now. Python: `qsize` (which fails on macOS; ours does not).
 *
 * @since 0.1.0
 * @category getters
 */
export const size = <A>(self: Queue<A>): Effect.Effect<number, Errors.QueueShutdown> =>
  request(core(self), R.Q_SIZE, undefined, (status, value) =>
    status === R_OK ? Effect.succeed(value as number) : failed(status, value) as Effect.Effect<never, Errors.QueueShutdown>)

/**
 * No more items: `offer` fails with `QueueEnded`; consumers drain what is
 * there, then `take` fails with `QueueEnded` and `stream` ends.
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const end = <A>(self: Queue<A>): Effect.Effect<void> =>
  request(core(self), R.Q_END, undefined, () => Effect.void).pipe(Effect.withSpan("Queue.end"))

/**
 * Every waiter and every later call fails with `QueueShutdown` at once (the
 * items are dropped). Closing the queue's scope does this.
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const shutdown = <A>(self: Queue<A>): Effect.Effect<void> =>
  request(core(self), R.Q_SHUTDOWN, undefined, () => Effect.void).pipe(Effect.withSpan("Queue.shutdown"))

/**
 * The items as a Stream that ends when the queue has ended and is drained.
 *
 * @since 0.1.0
 * @category taking
 */
export const stream = <A>(self: Queue<A>): Stream.Stream<A, Errors.QueueShutdown> =>
  loadStream().fromEffectRepeat(
    take(self).pipe(Effect.catchTag("QueueEnded", () => Cause.done()))
  ) as Stream.Stream<A, Errors.QueueShutdown>

const notJoinable = Effect.suspend(() =>
  Effect.fail(new Errors.InvalidArgument({ reason: "taskDone and join need a joinable queue: Queue.make({ joinable: true })" }))
)

/**
 * Marks one taken item as processed (JoinableQueue). Called more times than
 * items were offered: an `InvalidArgument`. Python: `task_done`.
 *
 * @since 0.1.0
 * @category joinable
 */
export const taskDone = <A>(self: Queue<A>): Effect.Effect<void, Errors.QueueShutdown | Errors.InvalidArgument> =>
  self.joinable
    ? request(core(self), R.Q_TASK_DONE, undefined, (status, value) =>
      status === R_OK ? Effect.void : failed(status, value) as Effect.Effect<never, Errors.QueueShutdown | Errors.InvalidArgument>)
    : notJoinable

/**
 * Waits until every item offered so far has been marked done (JoinableQueue). Python: `join`.
 *
 * @since 0.1.0
 * @category joinable
 */
export const join = <A>(self: Queue<A>): Effect.Effect<void, Errors.QueueShutdown | Errors.InvalidArgument> =>
  self.joinable
    ? request(core(self), R.Q_JOIN, undefined, (status, value) =>
      status === R_OK ? Effect.void : failed(status, value) as Effect.Effect<never, Errors.QueueShutdown>).pipe(
        Effect.withSpan("Queue.join")
      )
    : notJoinable

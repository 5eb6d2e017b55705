/**
 * A barrier shared by the main program and every worker: Python's
 * `multiprocessing.Barrier`. `parties` waiters meet; each `wait` returns a
 * distinct index 0..parties-1 (its arrival order), and the barrier is ready
 * for the next round at once.
 *
 * ```ts
 * const barrier = yield* Barrier.make(3, { action: Console.log("all three are here") })
 * yield* pool.map(step, [barrier, barrier, barrier]) // each task: yield* Barrier.wait(barrier)
 * ```
 *
 * The action runs once per round, after the last party arrives and before
 * anyone resumes. Python runs it in the last arriver; ours runs in the main
 * program, where the barrier was made, because an Effect cannot cross to a
 * worker. A waiter that leaves early (its timeout, an interruption, its
 * worker's death), `abort`, `reset` with waiters, or a failed action breaks
 * the barrier: every waiter of the round fails with `BrokenBarrier`, and so
 * does every later `wait` until `reset`. Python hangs the others when a
 * party dies; ours breaks the round.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { BarrierClosed, BrokenBarrier, InvalidArgument } from "./errors.ts"
import * as B from "./internal/barrier.ts"
import { describe } from "./internal/check.ts"
import { R_BROKEN, R_OK } from "./internal/handles.ts"
import { request } from "./internal/request.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface Barrier {
  readonly "~emp": string
  readonly id: number
  /** How many waiters a round needs. Python: `parties`. */
  readonly parties: number
}

const core = (self: Barrier): B.BarrierCore => self as unknown as B.BarrierCore

const answer = <A>(status: number, value: unknown): Effect.Effect<A, BarrierClosed | BrokenBarrier> =>
  status === R_OK
    ? Effect.succeed(value as A)
    : status === R_BROKEN
    ? Effect.fail(new BrokenBarrier({ reason: String(value) }))
    : Effect.fail(new BarrierClosed())

const closedOnly = answer as <A>(status: number, value: unknown) => Effect.Effect<A, BarrierClosed>

/**
 * A new barrier for `parties` waiters, closed with the scope (waiters then
 * fail with `BarrierClosed`). `action` runs once per round in the main
 * program before the waiters resume; `timeout` is every wait's default.
 * Python: `Barrier(parties, action, timeout)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <R = never>(
  parties: number,
  options?: { readonly action?: Effect.Effect<unknown, unknown, R>; readonly timeout?: Duration.Input }
) => Effect.Effect<Barrier, InvalidArgument, Scope.Scope | R> = Effect.fn("Barrier.make")(function*<R>(
  parties: number,
  options?: { readonly action?: Effect.Effect<unknown, unknown, R>; readonly timeout?: Duration.Input }
) {
  if (!Number.isSafeInteger(parties) || parties < 1) {
    return yield* Effect.fail(new InvalidArgument({ reason: `Barrier.make: parties must be a whole number >= 1, not ${describe(parties)}` }))
  }
  const timeout = options?.timeout === undefined ? undefined : Duration.toMillis(Duration.fromInputUnsafe(options.timeout))
  const action = options?.action
  const barrier = yield* Effect.acquireRelease(
    Effect.sync(() => B.BarrierCore.make(parties, action !== undefined, timeout)),
    (barrier) => Effect.sync(() => barrier.shutdown())
  )
  if (action !== undefined) {
    // the main program runs each round's action, then lets the round go (or breaks it)
    const round = Effect.gen(function*() {
      yield* request(barrier, B.B_AWAIT_ACTION, undefined, closedOnly<void>)
      const exit = yield* Effect.exit(action)
      const failure = Exit.isSuccess(exit) ? undefined : Cause.pretty(exit.cause)
      yield* request(barrier, B.B_FINISH, failure, closedOnly<void>)
    })
    yield* Effect.forkScoped(Effect.ignore(Effect.forever(round)))
  }
  return barrier as unknown as Barrier
})

/**
 * Waits until `parties` waiters (in any workers) have arrived; returns this
 * waiter's index 0..parties-1. After `timeout` (or the barrier's default)
 * the barrier breaks and this waiter fails with `BrokenBarrier`, as do the
 * others. Python: `wait(timeout)`.
 *
 * @since 0.1.0
 * @category waiting
 */
export const wait = (
  self: Barrier,
  options?: { readonly timeout?: Duration.Input }
): Effect.Effect<number, BrokenBarrier | BarrierClosed> => {
  const barrier = core(self)
  const arrive = request(barrier, B.B_WAIT, undefined, answer<number>)
  const timeout = options?.timeout !== undefined
    ? Duration.fromInputUnsafe(options.timeout)
    : barrier.timeout !== undefined
    ? Duration.millis(barrier.timeout)
    : undefined
  if (timeout === undefined) return arrive
  return arrive.pipe(
    Effect.timeoutOption(timeout),
    Effect.flatMap(Option.match({
      // leaving on the timeout broke the round (see internal/barrier.ts)
      onNone: () => Effect.fail(new BrokenBarrier({ reason: `the barrier timed out after ${Duration.format(timeout)}` })),
      onSome: Effect.succeed
    }))
  )
}

/**
 * Breaks the barrier: every waiter fails with `BrokenBarrier`, and so does
 * every later `wait` until `reset`. Python: `abort()`.
 *
 * @since 0.1.0
 * @category setters
 */
export const abort = (self: Barrier): Effect.Effect<void, BarrierClosed> =>
  request(core(self), B.B_ABORT, undefined, closedOnly<void>)

/**
 * Makes the barrier new again: the waiters of the current round fail with
 * `BrokenBarrier`; later waits start a fresh round. Python: `reset()`.
 *
 * @since 0.1.0
 * @category setters
 */
export const reset = (self: Barrier): Effect.Effect<void, BarrierClosed> =>
  request(core(self), B.B_RESET, undefined, closedOnly<void>)

/**
 * How many waiters the current round has. Python: `n_waiting`.
 *
 * @since 0.1.0
 * @category getters
 */
export const waiting = (self: Barrier): Effect.Effect<number, BarrierClosed> =>
  request(core(self), B.B_STATE, undefined, (status, value) =>
    status === R_OK ? Effect.succeed((value as [number, boolean])[0]) : Effect.fail(new BarrierClosed()))

/**
 * Whether the barrier is broken. Python: `broken`.
 *
 * @since 0.1.0
 * @category getters
 */
export const broken = (self: Barrier): Effect.Effect<boolean, BarrierClosed> =>
  request(core(self), B.B_STATE, undefined, (status, value) =>
    status === R_OK ? Effect.succeed((value as [number, boolean])[1]) : Effect.fail(new BarrierClosed()))

/**
 * How many waiters a round needs. Python: `parties`.
 *
 * @since 0.1.0
 * @category getters
 */
export const parties = (self: Barrier): number => self.parties

/**
 * A flag shared by the main program and every worker: Python's
 * `multiprocessing.Event`. Across workers it plays the role Effect's
 * `Deferred` plays inside one program: waiters wait until someone sets it.
 *
 * ```ts
 * const ready = yield* Event.make()
 * yield* pool.applyAsync(worker, [ready]) // the task: yield* Event.wait(ready)
 * yield* Event.set(ready)
 * ```
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Errors from "./errors.ts"
import * as E from "./internal/event.ts"
import { R_OK, type SharedObject } from "./internal/handles.ts"
import { request } from "./internal/request.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface Event {
  readonly "~emp": string
  readonly id: number
}

const core = (self: Event): SharedObject => self as unknown as SharedObject

const answer = <A>(status: number, value: unknown): Effect.Effect<A, Errors.EventClosed> =>
  status === R_OK ? Effect.succeed(value as A) : Effect.fail(new Errors.EventClosed())

/**
 * A new event, not set, closed with the scope (waiters then fail with `EventClosed`). Python: `Event()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: () => Effect.Effect<Event, never, Scope.Scope> = Effect.fn("Event.make")(function*() {
  return yield* Effect.acquireRelease(
    Effect.sync((): Event => E.EventCore.make()),
    (event) => Effect.sync(() => (event as unknown as E.EventCore).shutdown())
  )
})

/**
 * Sets the flag: every waiter, in any worker, resumes. Python: `set()`.
 *
 * @since 0.1.0
 * @category setters
 */
export const set = (self: Event): Effect.Effect<void, Errors.EventClosed> =>
  request(core(self), E.E_SET, undefined, (s, v) => answer<void>(s, v))

/**
 * Clears the flag. Python: `clear()`.
 *
 * @since 0.1.0
 * @category setters
 */
export const clear = (self: Event): Effect.Effect<void, Errors.EventClosed> =>
  request(core(self), E.E_CLEAR, undefined, (s, v) => answer<void>(s, v))

/**
 * Whether the flag is set. Python: `is_set()`.
 *
 * @since 0.1.0
 * @category getters
 */
export const isSet = (self: Event): Effect.Effect<boolean, Errors.EventClosed> =>
  request(core(self), E.E_IS_SET, undefined, (s, v) => answer<boolean>(s, v))

/**
 * Waits until the flag is set (at once if it is). Python: `wait()`.
 *
 * @since 0.1.0
 * @category waiting
 */
export const wait = (self: Event): Effect.Effect<void, Errors.EventClosed> =>
  request(core(self), E.E_WAIT, undefined, (s, v) => answer<void>(s, v))

/**
 * Waits up to `timeout` for the flag: `true` if it is set, `false` on
 * timeout. Python: `wait(timeout)`.
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitTimeout = (self: Event, timeout: Duration.Input): Effect.Effect<boolean, Errors.EventClosed> =>
  wait(self).pipe(
    Effect.timeoutOption(Duration.fromInputUnsafe(timeout)),
    Effect.map(Option.isSome)
  )

/**
 * A condition variable shared by the main program and every worker:
 * Python's `multiprocessing.Condition`. It pairs a lock (an `RLock` unless
 * one is given) with a waiting room: `wait` releases the lock, waits for a
 * `notify`, and takes the lock again.
 *
 * ```ts
 * const ready = yield* Condition.make()
 * // consumer task: Condition.withLock(ready)(Condition.waitFor(ready, isReady))
 * // producer:      Condition.withLock(ready)(Effect.andThen(makeReady, Condition.notifyAll(ready)))
 * ```
 *
 * Waiting or notifying without holding its lock fails with `LockNotHeld`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Errors from "./errors.ts"
import * as C from "./internal/condition.ts"
import { R_OK, R_SHUTDOWN, type SharedObject } from "./internal/handles.ts"
import * as L from "./internal/lock.ts"
import { request } from "./internal/request.ts"
import * as Lock from "./Lock.ts"
import * as RLock from "./RLock.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface Condition {
  /** The lock `wait` releases and takes again; `withLock` holds it. */
  readonly lock: Lock.Lock
  readonly room: { readonly "~emp": string; readonly id: number }
}

/**
 * @since 0.1.0
 * @category errors
 */
export type ConditionError = Errors.LockNotHeld | Errors.LockClosed

const obj = (u: unknown): SharedObject => u as SharedObject

const ok = <A>(status: number, value: unknown): Effect.Effect<A, ConditionError> =>
  status === R_OK
    ? Effect.succeed(value as A)
    : Effect.fail(status === R_SHUTDOWN ? new Errors.LockClosed() : new Errors.LockNotHeld({ reason: String(value) }))

const notHeld = (what: string) =>
  Effect.fail(new Errors.LockNotHeld({ reason: `${what} needs the condition's lock, held by the calling fiber` }))

/**
 * A new condition, on `lock` or on a new `RLock`, closed with the scope.
 * Python: `Condition(lock=None)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (lock?: Lock.Lock) => Effect.Effect<Condition, never, Scope.Scope> = Effect.fn("Condition.make")(
  function*(lock?: Lock.Lock) {
    const room = yield* Effect.acquireRelease(
      Effect.sync(() => C.ConditionCore.make()),
      (room) => Effect.sync(() => room.shutdown())
    )
    return { lock: lock ?? (yield* RLock.make()), room }
  }
)

const owned = (self: Condition, fiber: number) =>
  request(obj(self.lock), L.L_OWNED, fiber, (s, v) => ok<boolean>(s, v))

/** Releases the lock, waits for a permit (up to `timeout`), takes the lock again: whether it was notified. */
const waitFor_ = (self: Condition, timeout: Duration.Duration | undefined, what: string) =>
  Effect.withFiber((fiber) =>
    Effect.gen(function*() {
      if (!(yield* owned(self, fiber.id))) return yield* notHeld(what)
      yield* request(obj(self.room), C.C_REGISTER, undefined, (s, v) => ok<void>(s, v))
      const levels = yield* request(obj(self.lock), L.L_RELEASE_ALL, fiber.id, (s, v) => ok<number>(s, v))
      const leave = request(obj(self.room), C.C_LEAVE, undefined, () => Effect.void)
      // a wait that is interrupted or times out leaves the room (or the permit it was given)
      const permit = request(obj(self.room), C.C_AWAIT, undefined, (s, v) => ok<void>(s, v)).pipe(
        Effect.onInterrupt(() => leave)
      )
      const notified = timeout === undefined
        ? yield* Effect.as(permit, true)
        : Option.isSome(yield* Effect.timeoutOption(permit, timeout))
      // as in Python, the lock is held again when wait returns (also after a timeout)
      yield* request(obj(self.lock), L.L_RESTORE, [fiber.id, levels], (s, v) => ok<void>(s, v))
      return notified
    })
  )

/**
 * Releases the lock, waits for a `notify`, and takes the lock again. Python: `wait()`.
 *
 * @since 0.1.0
 * @category waiting
 */
export const wait = (self: Condition): Effect.Effect<void, ConditionError> =>
  Effect.asVoid(waitFor_(self, undefined, "Condition.wait"))

/**
 * `wait` for at most `timeout`: `true` if notified, `false` on timeout (the
 * lock is held again either way). Python: `wait(timeout)`.
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitTimeout = (self: Condition, timeout: Duration.Input): Effect.Effect<boolean, ConditionError> =>
  waitFor_(self, Duration.fromInputUnsafe(timeout), "Condition.waitTimeout")

/**
 * Waits until `predicate` holds (checked with the lock held, before each
 * wait and after it); returns its last value. Python: `wait_for(predicate)`.
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitFor = <E, R>(
  self: Condition,
  predicate: Effect.Effect<boolean, E, R>
): Effect.Effect<boolean, ConditionError | E, R> =>
  Effect.gen(function*() {
    let result = yield* predicate
    while (!result) {
      yield* wait(self)
      result = yield* predicate
    }
    return result
  })

const wake = (self: Condition, n: number, what: string): Effect.Effect<void, ConditionError> =>
  Effect.withFiber((fiber) =>
    Effect.gen(function*() {
      if (!(yield* owned(self, fiber.id))) return yield* notHeld(what)
      yield* request(obj(self.room), C.C_NOTIFY, n, (s, v) => ok<void>(s, v))
    })
  )

/**
 * Wakes up to `n` waiters (default 1). Python: `notify(n)`.
 *
 * @since 0.1.0
 * @category notifying
 */
export const notify = (self: Condition, n = 1): Effect.Effect<void, ConditionError | Errors.InvalidArgument> =>
  Number.isInteger(n) && n >= 0
    ? wake(self, n, "Condition.notify")
    : Effect.fail(new Errors.InvalidArgument({ reason: `notify(n) needs an integer n >= 0, got ${n}` }))

/**
 * Wakes every waiter. Python: `notify_all()`.
 *
 * @since 0.1.0
 * @category notifying
 */
export const notifyAll = (self: Condition): Effect.Effect<void, ConditionError> => wake(self, -1, "Condition.notifyAll")

/**
 * Runs `effect` holding the condition's lock. Python: `with condition:`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withLock = (self: Condition) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | Errors.LockClosed, R> => Lock.withLock(self.lock)(effect)

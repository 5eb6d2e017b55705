/**
 * A re-entrant lock shared by the main program and every worker: Python's
 * `multiprocessing.RLock`. Its owner is a fiber (in the main program, a
 * worker thread or a child process): that fiber may acquire it again, and
 * must release it as many times; a release by any other fiber, or once too
 * often, fails with `LockNotHeld`. Acquire, release, `withLock` and the rest
 * are `Lock`'s functions, which take an `RLock` as well.
 *
 * ```ts
 * const lock = yield* RLock.make()
 * yield* Lock.withLock(lock)(Lock.withLock(lock)(work)) // re-entrant
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as L from "./internal/lock.ts"
import * as Lock from "./Lock.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface RLock extends Lock.Lock {
  readonly reentrant: true
}

/**
 * A new re-entrant lock, closed with the scope. Python: `RLock()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: () => Effect.Effect<RLock, never, Scope.Scope> = Effect.fn("RLock.make")(function*() {
  return yield* Effect.acquireRelease(
    Effect.sync(() => L.LockCore.make(true) as unknown as RLock),
    (lock) => Effect.sync(() => (lock as unknown as L.LockCore).shutdown())
  )
})

/**
 * @since 0.1.0
 * @category acquiring
 */
export const acquire = Lock.acquire

/**
 * @since 0.1.0
 * @category acquiring
 */
export const tryAcquire = Lock.tryAcquire

/**
 * @since 0.1.0
 * @category releasing
 */
export const release = Lock.release

/**
 * @since 0.1.0
 * @category combinators
 */
export const withLock = Lock.withLock

/**
 * @since 0.1.0
 * @category getters
 */
export const locked = Lock.locked

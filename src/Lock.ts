/**
 * A lock shared by the main program and every worker: Python's
 * `multiprocessing.Lock`, with Effects. Pass it to a task as an argument (or
 * as a typed service) and the worker gets the same lock.
 *
 * ```ts
 * const lock = yield* Lock.make()
 * yield* pool.map(printLine, lines) // each task: Lock.withLock(lock)(Console.log(line))
 * ```
 *
 * As in Python, any holder may release it; releasing a lock nobody holds
 * fails with `LockNotHeld`. A worker that dies holding it (killed, crashed,
 * out of memory) does not leave it locked: the main program releases it.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import * as Errors from "./errors.ts"
import * as H from "./internal/handles.ts"
import { R_OK, R_SHUTDOWN, type SharedObject } from "./internal/handles.ts"
import * as L from "./internal/lock.ts"
import { request } from "./internal/request.ts"
import { syncFirst } from "./internal/syncpath.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface Lock {
  readonly "~emp": string
  readonly id: number
}

const core = (self: Lock): SharedObject => self as unknown as SharedObject

/** A request on behalf of the calling fiber (a re-entrant lock's owner is a fiber). */
const call = <A, E>(self: Lock, op: number, onReply: (status: number, value: unknown) => Effect.Effect<A, E>) =>
  Effect.withFiber((fiber) => request(core(self), op, fiber.id, onReply))

const fail = (status: number, value: unknown): Effect.Effect<never, Errors.LockNotHeld | Errors.LockClosed> =>
  Effect.fail(status === R_SHUTDOWN ? new Errors.LockClosed() : new Errors.LockNotHeld({ reason: String(value) }))

/**
 * A new lock, closed with the scope (waiters then fail with `LockClosed`). Python: `Lock()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: () => Effect.Effect<Lock, never, Scope.Scope> = Effect.fn("Lock.make")(function*() {
  return yield* Effect.acquireRelease(
    Effect.sync((): Lock => L.LockCore.make(false)),
    (lock) => Effect.sync(() => (lock as unknown as L.LockCore).shutdown())
  )
})

/**
 * Waits until the lock is free and takes it. Python: `acquire()`; with a
 * timeout, `Lock.acquire(l).pipe(Effect.timeout(...))` (an interrupted
 * acquire takes nothing).
 *
 * @since 0.1.0
 * @category acquiring
 */
export const acquire = (self: Lock): Effect.Effect<void, Errors.LockClosed> => {
  const fast = here(self)
  return fast === undefined ? waitFor(self) : fast.acquire
}

const waitFor = (self: Lock): Effect.Effect<void, Errors.LockClosed> =>
  call(self, L.L_ACQUIRE, (status, value) =>
    status === R_OK ? Effect.void : fail(status, value) as Effect.Effect<never, Errors.LockClosed>)

/**
 * Where the lock's memory is shared (the main program, a worker thread), a
 * free lock is taken and a held one released without the request machinery:
 * one Effect each, made once per lock, whose `yield*` takes or releases a
 * free lock without entering the run loop (internal/syncpath.ts).
 */
interface Here {
  readonly acquire: Effect.Effect<void, Errors.LockClosed>
  readonly release: Effect.Effect<void, Errors.LockNotHeld | Errors.LockClosed>
}

const fastPaths = Symbol("effect-multiprocessing/Lock/here")

const here = (self: Lock): Here | undefined => {
  if (!(self instanceof L.LockCore)) return undefined // a child process's route to the main program
  const cached = (self as any)[fastPaths] as Here | undefined
  if (cached !== undefined) return cached
  const paths: Here = self.reentrant
    ? { acquire: syncFirst(self, acquireOwned), release: syncFirst(self, releaseOwned) }
    : { acquire: syncFirst(self, acquirePlain), release: syncFirst(self, releasePlain) }
  // not enumerable, and a symbol: it never crosses to a worker with the lock
  Object.defineProperty(self, fastPaths, { value: paths })
  return paths
}

// A plain Lock's owner is its thread: it needs no fiber id. An RLock's owner is the current fiber.
const acquirePlain = (lock: L.LockCore) => lock.spinTake(0, L.SPIN) ? undefined : waitFor(lock)
const acquireOwned = (lock: L.LockCore) => lock.spinTake(Fiber.getCurrent()!.id, L.SPIN) ? undefined : waitFor(lock)
const releasePlain = (lock: L.LockCore) => releaseBy(lock, 0)
const releaseOwned = (lock: L.LockCore) => releaseBy(lock, Fiber.getCurrent()!.id)

const releaseBy = (lock: L.LockCore, fiber: number): Effect.Effect<void, Errors.LockNotHeld | Errors.LockClosed> | undefined => {
  if (lock.closed) return Effect.fail(new Errors.LockClosed())
  const refused = lock.release(H.here, fiber)
  return refused === undefined ? undefined : Effect.fail(new Errors.LockNotHeld({ reason: refused }))
}

/**
 * Takes the lock if it is free: `true` if it did. Python: `acquire(block=False)`.
 *
 * @since 0.1.0
 * @category acquiring
 */
export const tryAcquire = (self: Lock): Effect.Effect<boolean, Errors.LockClosed> =>
  call(self, L.L_TRY, (status, value) =>
    status === R_OK ? Effect.succeed(value as boolean) : fail(status, value) as Effect.Effect<never, Errors.LockClosed>)

/**
 * Frees the lock (whoever holds it, as in Python). A lock nobody holds: `LockNotHeld`. Python: `release()`.
 *
 * @since 0.1.0
 * @category releasing
 */
export const release = (self: Lock): Effect.Effect<void, Errors.LockNotHeld | Errors.LockClosed> => {
  const fast = here(self)
  return fast !== undefined
    ? fast.release
    : call(self, L.L_RELEASE, (status, value) => status === R_OK ? Effect.void : fail(status, value))
}

/**
 * Whether someone holds the lock now.
 *
 * @since 0.1.0
 * @category getters
 */
export const locked = (self: Lock): Effect.Effect<boolean, Errors.LockClosed> =>
  call(self, L.L_LOCKED, (status, value) =>
    status === R_OK ? Effect.succeed(value as boolean) : fail(status, value) as Effect.Effect<never, Errors.LockClosed>)

/**
 * Runs `effect` holding the lock, released when it ends, fails or is
 * interrupted. Python: `with lock:`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withLock: {
  (self: Lock): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | Errors.LockClosed, R>
  <A, E, R>(self: Lock, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | Errors.LockClosed, R>
} = ((self: Lock, effect?: Effect.Effect<any, any, any>) =>
  effect === undefined ? (e: Effect.Effect<any, any, any>) => holding(self, e) : holding(self, effect)) as any

const holding = <A, E, R>(self: Lock, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | Errors.LockClosed, R> =>
  // the wait for the lock stays interruptible (a timeout takes nothing);
  // once it is held, the release is installed before anything else runs
  Effect.uninterruptibleMask((restore) =>
    Effect.andThen(restore(acquire(self)), restore(effect).pipe(Effect.ensuring(Effect.ignore(release(self)))))
  )

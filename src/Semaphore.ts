/**
 * A counting semaphore shared by the main program and every worker:
 * Python's `multiprocessing.Semaphore` and `BoundedSemaphore`, named after
 * `effect/Semaphore`. Pass it to a task as an argument (or a typed service).
 *
 * ```ts
 * const slots = yield* Semaphore.make(2)
 * // in each task: yield* Semaphore.withPermit(slots)(work) - never more than 2 at once
 * ```
 *
 * A worker that dies holding permits (killed, crashed, out of memory) does
 * not keep them: the main program gives them back (Python would leave them
 * taken and deadlock the others).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Errors from "./errors.ts"
import { R_OK, R_SHUTDOWN, type SharedObject } from "./internal/handles.ts"
import { request } from "./internal/request.ts"
import * as S from "./internal/semaphore.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface Semaphore {
  readonly "~emp": string
  readonly id: number
}

const core = (self: Semaphore): SharedObject => self as unknown as SharedObject

const fail = (status: number, value: unknown): Effect.Effect<never, Errors.SemaphoreClosed | Errors.InvalidArgument> =>
  Effect.fail(
    status === R_SHUTDOWN ? new Errors.SemaphoreClosed() : new Errors.InvalidArgument({ reason: String(value) })
  )

const permitsOk = (n: number): Errors.InvalidArgument | undefined =>
  Number.isInteger(n) && n >= 1 ? undefined : new Errors.InvalidArgument({ reason: `permits must be an integer >= 1, got ${n}` })

/**
 * A semaphore with `permits` free, closed with the scope. With `{ bounded:
 * true }` releasing above the initial count is an `InvalidArgument`.
 * Python: `Semaphore(n)`, `BoundedSemaphore(n)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  permits: number,
  options?: { readonly bounded?: boolean | undefined }
) => Effect.Effect<Semaphore, Errors.InvalidArgument, Scope.Scope> = Effect.fn("Semaphore.make")(
  function*(permits: number, options?: { readonly bounded?: boolean | undefined }) {
    if (!(Number.isInteger(permits) && permits >= 0 && permits < 2 ** 31)) {
      return yield* new Errors.InvalidArgument({ reason: `permits must be an integer >= 0, got ${permits}` })
    }
    return yield* Effect.acquireRelease(
      Effect.sync((): Semaphore => S.SemaphoreCore.make(permits, options?.bounded === true)),
      (s) => Effect.sync(() => (s as unknown as S.SemaphoreCore).shutdown())
    )
  }
)

/**
 * Waits until `n` permits (default 1) are free and takes them; an interrupted
 * take takes none. Python: `acquire()`.
 *
 * @since 0.1.0
 * @category acquiring
 */
export const take = (self: Semaphore, n = 1): Effect.Effect<void, Errors.SemaphoreClosed | Errors.InvalidArgument> => {
  const bad = permitsOk(n)
  if (bad) return Effect.fail(bad)
  return request(core(self), S.S_TAKE, n, (status, value) => status === R_OK ? Effect.void : fail(status, value))
}

/**
 * Takes `n` permits if they are free now: `true` if it did. Python: `acquire(block=False)`.
 *
 * @since 0.1.0
 * @category acquiring
 */
export const tryTake = (self: Semaphore, n = 1): Effect.Effect<boolean, Errors.SemaphoreClosed | Errors.InvalidArgument> => {
  const bad = permitsOk(n)
  if (bad) return Effect.fail(bad)
  return request(core(self), S.S_TRY, n, (status, value) => status === R_OK ? Effect.succeed(value as boolean) : fail(status, value))
}

/**
 * Gives `n` permits back (anyone may, as in Python). Above the bound of a
 * bounded semaphore: `InvalidArgument`. Python: `release()`.
 *
 * @since 0.1.0
 * @category releasing
 */
export const release = (self: Semaphore, n = 1): Effect.Effect<void, Errors.SemaphoreClosed | Errors.InvalidArgument> => {
  const bad = permitsOk(n)
  if (bad) return Effect.fail(bad)
  return request(core(self), S.S_RELEASE, n, (status, value) => status === R_OK ? Effect.void : fail(status, value))
}

/**
 * The permits free now. Python: `get_value()`.
 *
 * @since 0.1.0
 * @category getters
 */
export const value = (self: Semaphore): Effect.Effect<number, Errors.SemaphoreClosed> =>
  request(core(self), S.S_VALUE, undefined, (status, v) =>
    status === R_OK ? Effect.succeed(v as number) : Effect.fail(new Errors.SemaphoreClosed()))

/**
 * Runs `effect` holding `n` permits, given back when it ends, fails or is
 * interrupted. Python: `with semaphore:` (for one permit).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withPermits = (self: Semaphore, n: number) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | Errors.SemaphoreClosed | Errors.InvalidArgument, R> =>
  // the wait stays interruptible; once the permits are held, their release is installed first
  Effect.uninterruptibleMask((restore) =>
    Effect.andThen(restore(take(self, n)), restore(effect).pipe(Effect.ensuring(Effect.ignore(release(self, n)))))
  )

/**
 * `withPermits(self, 1)`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withPermit = (self: Semaphore) => withPermits(self, 1)

/**
 * Effects whose common case is a synchronous step (a free lock taken, a held
 * one released) and that a task yields in a tight loop.
 *
 * `yield* effect` calls `effect[Symbol.iterator]()`: Effect's own iterator
 * hands the effect to the fiber's run loop, ~25 ns a yield. The iterator
 * made here runs the step first, in that call (the fiber is current), and
 * when it completes returns an iterator that is already done: the `yield*`
 * ends without entering the run loop. Only the rest of the work (a wait, an
 * error) goes through the run loop. Used as a plain Effect (piped, forked),
 * it runs the same step in a `suspend`.
 *
 * The step is a function shared by every object of a kind, called with the
 * object: one iterator function for all of them keeps the `yield*` sites
 * monomorphic (a closure per object made them ~25% slower from the second
 * object on).
 *
 * @internal
 */
import * as Effect from "effect/Effect"

const DONE: IteratorResult<never, void> = { done: true, value: undefined }
const FINISHED: Iterator<never, void, unknown> = { next: () => DONE }

const TARGET = "~emp/target"
const STEP = "~emp/step"

function iterate(this: any): Iterator<unknown, void, unknown> {
  const rest = this[STEP](this[TARGET])
  return rest === undefined ? FINISHED : rest[Symbol.iterator]()
}

/**
 * `step(target)` does the work and returns `undefined` when it completed
 * (the effect's value is `undefined`), or the Effect that finishes it.
 */
export const syncFirst = <T, E, R>(
  target: T,
  step: (target: T) => Effect.Effect<void, E, R> | undefined
): Effect.Effect<void, E, R> => {
  const effect = Effect.suspend(() => step(target) ?? Effect.void)
  Object.defineProperty(effect, TARGET, { value: target })
  Object.defineProperty(effect, STEP, { value: step })
  Object.defineProperty(effect, Symbol.iterator, { value: iterate })
  return effect
}

/**
 * Effects whose common case is a synchronous step (a free lock taken, a held
 * one released, an item offered to or taken from a queue with room or items)
 * and that a task yields in a tight loop.
 *
 * `yield* effect` calls `effect[Symbol.iterator]()`: Effect's own iterator
 * hands the effect to the fiber's run loop, ~25 ns a yield and more for each
 * Effect the step is made of. The iterator made here runs the step first, in
 * that call (the fiber is current), and when it completes returns an
 * iterator that is already done, with the step's value: the `yield*` ends
 * without entering the run loop. Only the rest of the work (a wait, an
 * error) goes through the run loop. Used as a plain Effect (piped, forked),
 * it runs the same step in a `suspend`.
 *
 * The run loop yields to other fibers (and, through the scheduler, to the
 * event loop: a worker's interrupt requests) every 2048 operations; steps
 * done here are not counted there. A call's steps (`syncStep`: a queue's
 * offer or take, ~0.5 µs each) count, and every 16384th goes through the
 * run loop after a `yieldNow`. A lock's (`syncFirst`, ~20 ns each) do not:
 * the count and its rare branch cost a loop of nothing but lock pairs
 * 15-50% (the branch deoptimizes the loop when it is first taken). On a
 * worker thread a lock's step looks at its `inbox` instead: while a message
 * of the main program's is unread (an interrupt request among them), it
 * goes through the run loop after a yield, and the worker reads it. A loop
 * of nothing but lock pairs in the main program (the `fiber` start method)
 * is, like any synchronous loop there, not interruptible until it waits.
 *
 * The step is a function shared by every object of a kind, called with the
 * object: one iterator function for all of them keeps the `yield*` sites
 * monomorphic (a closure per object made them ~25% slower from the second
 * object on).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { inbox } from "./inbox.ts"
import { BELL_POSTS } from "./protocol.ts"

/** An iterator already done with `value` (its own result). */
class Finished<A> {
  readonly done = true
  readonly value: A
  constructor(value: A) {
    this.value = value
  }
  next(): IteratorResult<never, A> {
    return this
  }
}

const FINISHED = new Finished<void>(undefined)

// Steps done here between two that go through the run loop after a yield
const BUDGET = 16384
let left = BUDGET

/** The effect through the run loop, after a yield. */
const afterYield = (effect: Effect.Effect<unknown, unknown, unknown>): Iterator<unknown, unknown, unknown> =>
  Effect.andThen(Effect.yieldNow, effect)[Symbol.iterator]()

const TARGET = Symbol("effect-multiprocessing/target")
const ARG = Symbol("effect-multiprocessing/arg")
const STEP = Symbol("effect-multiprocessing/step")

/** What a step returns when it completed with `value`: see `now`. */
export const NOW: unique symbol = Symbol("effect-multiprocessing/now")
let nowValue: unknown

/** A step's completion with `value`, returned as `return now(value)`. */
export const now = (value: unknown): typeof NOW => {
  nowValue = value
  return NOW
}

const takeNow = (): unknown => {
  const value = nowValue
  nowValue = undefined
  return value
}

// One iterator per kind of effect (a lock's, a call's): each reads the same
// properties of the same shape, which keeps it monomorphic.
function iterate(this: any): Iterator<unknown, void, unknown> {
  const bell = inbox.bell
  // A plain read, not `Atomics.load` (which cost a loop of lock pairs ~20%
  // here): the lock's own compare-and-swap between two reads keeps the
  // compiler from reusing one, and a post seen a step late costs nothing.
  if (bell !== undefined && bell[BELL_POSTS] !== inbox.read) return afterYield(this) as Iterator<unknown, void, unknown>
  const rest = this[STEP](this[TARGET])
  return rest === undefined ? FINISHED : rest[Symbol.iterator]()
}

function iterateStep(this: any): Iterator<unknown, unknown, unknown> {
  if (--left === 0) {
    left = BUDGET
    return afterYield(this)
  }
  const rest = this[STEP](this[TARGET], this[ARG])
  if (rest !== NOW) return rest[Symbol.iterator]()
  const value = takeNow()
  return value === undefined ? FINISHED : new Finished(value)
}

/**
 * `step(target)` does the work and returns `undefined` when it completed
 * (the effect's value is `undefined`), or the Effect that finishes it. One
 * such effect per target, made once.
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

/**
 * `step(target, arg)` does the work and returns `now(value)` when it
 * completed, or the Effect that finishes it. An effect per call: its
 * properties are plain stores (`defineProperty` on each would cost more than
 * the run loop it saves).
 */
export const syncStep = <T, X, A, E, R>(
  target: T,
  arg: X,
  step: (target: T, arg: X) => Effect.Effect<A, E, R> | typeof NOW
): Effect.Effect<A, E, R> => {
  const effect: any = Effect.suspend(() => {
    const rest = step(target, arg)
    return rest === NOW ? Effect.succeed(takeNow() as A) : rest
  })
  effect[TARGET] = target
  effect[ARG] = arg
  effect[STEP] = step
  effect[Symbol.iterator] = iterateStep
  return effect
}

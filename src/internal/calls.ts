/**
 * `imap` / `imapUnordered` of an Iterable, one input per call (Python's
 * default chunksize): a Stream whose pull keeps up to `window` calls in
 * flight and hands on every result that is ready, in input order or as they
 * complete. `Stream.mapEffect` with a concurrency did the same with a fiber
 * and a queue offer for each input: ~160k inputs/s here, against ~17M/s for
 * `map`. A Stream input keeps that path: it is pulled one input at a time.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import { Channel, Stream as loadStream } from "./lazy.ts"

/** A call started on the pool; undefined if it settled at once. */
export type Start<J> = (input: unknown, done: (exit: Exit.Exit<unknown, unknown>) => void) => J | undefined

export const callsStream = <J>(options: {
  readonly inputs: Iterable<unknown>
  readonly window: number
  readonly unordered: boolean
  readonly start: Start<J>
  readonly cancel: (job: J) => Effect.Effect<void>
}): Stream.Stream<unknown, unknown> => {
  const { cancel, inputs, start, unordered, window } = options
  return loadStream().fromChannel(Channel().fromTransform((_upstream, scope) =>
    Effect.suspend(() => {
      const iterator = inputs[Symbol.iterator]()
      let exhausted = false
      let failure: Exit.Exit<never, unknown> | undefined
      let started = 0
      let emitted = 0 // in input order: the index of the next result to hand on
      // started and not settled (a call's job is known once `start` returns)
      const inflight = new Map<number, J | undefined>()
      const ready = new Map<number, unknown>() // settled, not handed on yet
      let wake: (() => void) | undefined

      const settle = (index: number, exit: Exit.Exit<unknown, unknown>) => {
        inflight.delete(index)
        if (exit._tag === "Failure") failure ??= exit as Exit.Exit<never, unknown>
        else ready.set(index, exit.value)
        const resume = wake
        wake = undefined
        resume?.()
      }

      // Refilled once half the window is free: the calls started in one turn cross in one message per
      // worker, and a worker asleep on its doorbell is woken once for them, not once for each.
      const fill = () => {
        if (inflight.size + ready.size > window >> 1) return
        while (!exhausted && failure === undefined && inflight.size + ready.size < window) {
          let step: IteratorResult<unknown>
          try {
            step = iterator.next()
          } catch (e) {
            failure = Exit.die(e)
            return
          }
          if (step.done === true) {
            exhausted = true
            return
          }
          const index = started++
          inflight.set(index, undefined)
          const job = start(step.value, (exit) => settle(index, exit))
          // gone if it settled at once (refused: there is no job)
          if (inflight.has(index)) inflight.set(index, job)
        }
      }

      const take = (): Array<unknown> => {
        const out: Array<unknown> = []
        if (unordered) {
          for (const value of ready.values()) out.push(value)
          ready.clear()
        } else {
          while (ready.has(emitted)) {
            out.push(ready.get(emitted))
            ready.delete(emitted++)
          }
        }
        return out
      }

      // What is still running when the stream ends early (taken from, failed, interrupted) is cancelled.
      const cancelAll = Effect.suspend(() => {
        const jobs = [...inflight.values()].filter((job) => job !== undefined)
        inflight.clear()
        return Effect.forEach(jobs, cancel, { concurrency: "unbounded", discard: true })
      })

      const pull: Effect.Effect<readonly [unknown, ...Array<unknown>], unknown | Cause.Done> = Effect.suspend(() => {
        if (failure === undefined) fill()
        if (failure !== undefined) return failure
        const out = take()
        if (out.length > 0) return Effect.succeed(out as [unknown, ...Array<unknown>])
        if (exhausted && inflight.size === 0) return Cause.done()
        return Effect.callback<readonly [unknown, ...Array<unknown>], unknown | Cause.Done>((resume) => {
          wake = () => resume(pull)
          return Effect.sync(() => {
            wake = undefined
          })
        })
      })

      return Effect.as(Scope.addFinalizer(scope, cancelAll), pull)
    })
  ))
}

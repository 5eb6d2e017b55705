/**
 * One supervisor fiber per slot: it starts a worker incarnation, and when the
 * incarnation dies or is recycled, hands what it held to the scheduler (which
 * fails those tasks with WorkerDied) and starts the next one while the pool
 * needs workers. A recycled worker closes in the background while its
 * successor starts; the pool is stopped only once every incarnation, retiring
 * ones included, has exited.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import * as Errors from "../errors.ts"
import type { Backend } from "./backend.ts"
import type { Death, Scheduler } from "./scheduler.ts"

// A slot whose worker fails to start this many times in a row breaks the pool
// instead of respawning forever.
const MAX_FAILED_STARTS = 3

export interface Supervisor {
  /** Retires every worker and waits until all have exited. */
  readonly stop: Effect.Effect<void>
  /** Waits until every worker has exited (after close or terminate). */
  readonly join: Effect.Effect<void>
}

export const supervise = (scheduler: Scheduler, backend: Backend, scope: Scope.Scope) =>
  Effect.gen(function*() {
    const incarnations = new Set<Fiber.Fiber<Death>>()

    const loop = (index: number) =>
      Effect.gen(function*() {
        const slot = scheduler.slots[index]
        let failedStarts = 0
        while (scheduler.needsWorkers()) {
          let up = false
          const ended = Deferred.makeUnsafe<Death>()
          const incarnation = yield* Effect.forkIn(
            backend.incarnate(index, (link) => {
              up = true
              scheduler.attach(slot, link)
            }, (batch) => scheduler.receive(slot, batch)),
            scope
          )
          incarnations.add(incarnation)
          incarnation.addObserver((exit) => {
            incarnations.delete(incarnation)
            Deferred.doneUnsafe(ended, Exit.succeed(Exit.isSuccess(exit) ? exit.value : { atStartup: !up }))
          })
          // Recycling: the slot moves on at once; the old worker closes gracefully meanwhile.
          slot.retire = () => {
            Deferred.doneUnsafe(ended, Exit.succeed<Death>({ atStartup: false }))
            incarnation.interruptUnsafe()
          }
          const death = yield* Deferred.await(ended)
          slot.retire = undefined
          scheduler.detach(slot, death)
          failedStarts = up ? 0 : failedStarts + 1
          if (failedStarts >= MAX_FAILED_STARTS) {
            scheduler.breakWith(
              new Errors.WorkerDied({
                worker: index,
                exitCode: death.exitCode,
                signal: death.signal,
                resourceLimit: death.resourceLimit ?? false,
                reason: `the worker failed to start ${MAX_FAILED_STARTS} times${death.reason ? `: ${death.reason}` : ""}`
              })
            )
          }
        }
      })

    const loops = yield* Effect.forEach(
      scheduler.slots,
      (slot) => Effect.forkIn(loop(slot.index), scope),
      { concurrency: "unbounded" }
    )
    // the loops end first; incarnations they retired may still be closing
    const join = Fiber.awaitAll(loops).pipe(
      Effect.andThen(Effect.suspend(() => Fiber.awaitAll(Array.from(incarnations)))),
      Effect.asVoid
    )
    const stop = Effect.suspend(() => {
      for (const slot of scheduler.slots) slot.retire?.()
      return join
    })
    return { stop, join } satisfies Supervisor
  })

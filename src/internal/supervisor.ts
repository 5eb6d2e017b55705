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
import type { Death, Link, Scheduler, Slot } from "./scheduler.ts"

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

    interface Incarnation {
      fiber: Fiber.Fiber<Death>
      readonly ended: Deferred.Deferred<Death>
      up: boolean
      /** Set when it came up before its slot was free (a successor started early). */
      link: Link | undefined
      current: boolean
    }

    const start = (slot: Slot) =>
      Effect.gen(function*() {
        const inc: Incarnation = {
          fiber: undefined as unknown as Fiber.Fiber<Death>,
          ended: Deferred.makeUnsafe<Death>(),
          up: false,
          link: undefined,
          current: false
        }
        inc.fiber = yield* Effect.forkIn(
          backend.incarnate(slot.index, (link) => {
            inc.up = true
            if (inc.current) scheduler.attach(slot, link)
            else inc.link = link
          }, (batch) => scheduler.receive(slot, batch)),
          scope,
          // spawn in this call, not a scheduler tick later: the worker's
          // ~25 ms boot is the longest step of a cold start
          { startImmediately: true }
        )
        incarnations.add(inc.fiber)
        inc.fiber.addObserver((exit) => {
          incarnations.delete(inc.fiber)
          Deferred.doneUnsafe(inc.ended, Exit.succeed(Exit.isSuccess(exit) ? exit.value : { atStartup: !inc.up }))
        })
        return inc
      })

    const loop = (slot: Slot) => {
      let next: Incarnation | undefined
      return Effect.gen(function*() {
        let failedStarts = 0
        while (scheduler.needsWorkers()) {
          const inc = next ?? (yield* start(slot))
          next = undefined
          inc.current = true
          if (inc.link !== undefined) scheduler.attach(slot, inc.link)
          // Recycling: the slot moves on at once; the old worker closes gracefully meanwhile.
          slot.retire = () => {
            Deferred.doneUnsafe(inc.ended, Exit.succeed<Death>({ atStartup: false }))
            inc.fiber.interruptUnsafe()
          }
          // A worker that reached maxTasksPerChild takes no more work: its
          // successor boots while it finishes what it has.
          const retiring = Deferred.makeUnsafe<void>()
          slot.prepare = () => Deferred.doneUnsafe(retiring, Exit.void)
          const first = yield* Effect.raceFirst(
            Deferred.await(inc.ended),
            Effect.as(Deferred.await(retiring), undefined)
          )
          if (first === undefined && scheduler.needsWorkers()) next = yield* start(slot)
          const death = yield* Deferred.await(inc.ended)
          slot.retire = undefined
          slot.prepare = undefined
          scheduler.detach(slot, death)
          failedStarts = inc.up ? 0 : failedStarts + 1
          if (failedStarts >= MAX_FAILED_STARTS) {
            scheduler.breakWith(
              new Errors.WorkerDied({
                worker: slot.index,
                exitCode: death.exitCode,
                signal: death.signal,
                resourceLimit: death.resourceLimit ?? false,
                reason: `the worker failed to start ${MAX_FAILED_STARTS} times${death.reason ? `: ${death.reason}` : ""}`
              })
            )
          }
        }
      }).pipe(Effect.ensuring(Effect.sync(() => next?.fiber.interruptUnsafe())))
    }

    const loops = yield* Effect.forEach(
      scheduler.slots,
      (slot) => Effect.forkIn(loop(slot), scope, { startImmediately: true }),
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

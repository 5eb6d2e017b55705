/**
 * Soak: 20,000 tasks through a pool of 2 while workers are killed at random
 * moments (kill -9 from outside for child processes; `process.exit` inside a
 * worker thread, through the pool, for threads). With a retry policy every
 * input yields exactly one result; without one, every input yields exactly
 * one outcome. Nothing is lost, nothing is duplicated, nothing hangs.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { Pool } from "../src/index.ts"
import * as T from "./fixtures/tasks.ts"
import { childPids, threadCount } from "./helpers.ts"

let baseline = 0

beforeAll(async () => {
  // Let Node start its lazy threads before counting.
  await Effect.runPromise(Effect.scoped(Effect.flatMap(Pool.make({ processes: 1 }), (p) => p.apply(T.add, [1, 1]))))
  baseline = threadCount()
})

/** After the pool's scope: no child process and no worker thread of ours is left. */
const noChildren = Effect.sync(() => {
  expect(childPids()).toEqual([])
  expect(threadCount()).toBe(baseline)
})

const N = 20_000
const KILLS = 8

describe.each(["thread", "process"] as const)("soak on %s", (startMethod) => {
  /** Kills a random worker each time another random share of the inputs has completed. */
  const killer = (pool: Pool.Pool, completed: () => number) =>
    Effect.gen(function*() {
      let kills = 0
      while (kills < KILLS) {
        const target = Math.floor(((kills + Math.random()) / (KILLS + 1)) * N)
        // wait for the moment: the count of completed inputs, observed between tasks
        while (completed() < target) yield* Effect.yieldNow
        if (startMethod === "process") {
          const workers = yield* pool.workers
          if (workers.length === 0) {
            yield* Effect.yieldNow
            continue
          }
          const victim = workers[Math.floor(Math.random() * workers.length)]
          try {
            process.kill(victim.pid, "SIGKILL")
          } catch (e) {
            // it exited between the listing and the kill (the pool has not seen it yet): pick again
            if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e
            yield* Effect.yieldNow
            continue
          }
        } else {
          yield* Effect.exit(pool.apply(T.exitWith, [9]))
        }
        kills++
      }
      return kills
    })

  const inputs = Array.from({ length: N }, (_, i) => i)

  it.live("with a retry policy every input yields exactly one result", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 2, startMethod })
      let completed = 0
      const kills = yield* Effect.forkChild(killer(pool, () => completed))
      const results = yield* Effect.forEach(inputs, (x) =>
        pool.apply(T.square, [x]).pipe(
          Effect.retry({ while: (e) => e._tag === "WorkerDied", times: 20 }),
          Effect.tap(() => Effect.sync(() => completed++))
        ), { concurrency: 64 })
      expect(results).toEqual(inputs.map((x) => x * x))
      expect(yield* Fiber.join(kills)).toBe(KILLS)
    }).pipe(Effect.scoped, Effect.andThen(noChildren)), 120_000)

  it.live("without one every input yields exactly one outcome: its result or WorkerDied", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 2, startMethod })
      let completed = 0
      const kills = yield* Effect.forkChild(killer(pool, () => completed))
      const outcomes = yield* Effect.forEach(inputs, (x) =>
        Effect.exit(pool.apply(T.square, [x])).pipe(Effect.tap(() => Effect.sync(() => completed++))), {
        concurrency: 64
      })
      expect(outcomes).toHaveLength(N)
      let died = 0
      outcomes.forEach((exit, x) => {
        if (Exit.isSuccess(exit)) expect(exit.value).toBe(x * x)
        else {
          died++
          expect(exit).toMatchObject({ cause: { reasons: [{ error: { _tag: "WorkerDied" } }] } })
        }
      })
      expect(yield* Fiber.join(kills)).toBe(KILLS)
      expect(died).toBeLessThan(N)
    }).pipe(Effect.scoped, Effect.andThen(noChildren)), 120_000)
})

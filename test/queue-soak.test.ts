/**
 * Queue soak: 4 producers and 4 consumers, each a Process, while workers are
 * killed at random moments, even inside a queue call (kill -9 from outside
 * for child processes; a thread is terminated). No item is duplicated,
 * every item is either delivered or accounted for by a death (one item in
 * hand, plus the batch a child consumer held, which its WorkerDied counts),
 * nothing hangs, and no worker is left.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import { Process, Queue } from "../src/index.ts"
import * as Q from "./fixtures/queues.ts"
import { childPids, threadCount } from "./helpers.ts"

const PRODUCERS = 4
const CONSUMERS = 4
const PER_PRODUCER = 1500
const KILLS = 4

describe.each(["thread", "process"] as const)("queue soak on %s", (startMethod) => {
  it.live("4 producers and 4 consumers with random kills: nothing duplicated, every item delivered or accounted for", () =>
    Effect.gen(function*() {
      const threadsBefore = threadCount()
      const delivered: Array<readonly [number, number]> = []
      let deaths = 0
      let held = 0
      yield* Effect.scoped(Effect.gen(function*() {
        const q = yield* Queue.make<readonly [number, number]>({ capacity: 64 })
        const done = yield* Queue.make<readonly [number, number]>()
        const producer = (id: number) => Process.start(Q.soakProduce, [q, id, PER_PRODUCER], { startMethod })
        const consumer = () => Process.start(Q.soakConsume, [q, done], { startMethod })
        const producers = yield* Effect.forEach(Array.from({ length: PRODUCERS }, (_, i) => i), producer)
        const consumers = yield* Effect.forEach(Array.from({ length: CONSUMERS }), consumer)
        // killed producers make fewer items: the kills stop once every producer has ended
        const producersEnded = yield* Effect.forkChild(Effect.forEach(producers, (p) => p.await, { discard: true }))
        const next = Effect.raceFirst(
          Effect.map(Queue.take(done), Option.some),
          Effect.as(Fiber.join(producersEnded), Option.none())
        )
        // kill a random producer or consumer each time another share of the items was delivered
        kills: for (let k = 0; k < KILLS; k++) {
          const target = Math.floor(((k + Math.random()) / (KILLS + 1)) * PRODUCERS * PER_PRODUCER)
          while (delivered.length < target) {
            const item = yield* next
            if (Option.isNone(item)) break kills
            delivered.push(item.value)
          }
          const victims = [...producers, ...consumers]
          const victim = victims[Math.floor(Math.random() * victims.length)]
          if (!(yield* victim.isAlive)) continue
          if (startMethod === "thread") yield* victim.kill
          else process.kill(yield* victim.pid, "SIGKILL")
          const exit = yield* victim.await
          if (Exit.isFailure(exit)) {
            const died = Cause.squash(exit.cause) as { readonly _tag: string; readonly heldItems?: number }
            expect(died._tag).toBe("WorkerDied")
            deaths++
            // a child consumer takes in batches: what it held died with it, and the error says how many
            held += died.heldItems ?? 0
          }
          // a dead consumer is replaced, so that the queue keeps draining
          const c = consumers.indexOf(victim)
          if (c >= 0) consumers[c] = yield* consumer()
        }
        for (const p of producers) yield* p.await
        yield* Queue.end(q)
        for (const c of consumers) yield* c.await
        while ((yield* Queue.size(done)) > 0) delivered.push(yield* Queue.take(done))
      }))
      // nothing duplicated
      const keys = delivered.map(([p, i]) => `${p}:${i}`)
      expect(new Set(keys).size).toBe(keys.length)
      // per producer, items below the last delivered one are missing only where a worker died
      let missing = 0
      for (let p = 0; p < PRODUCERS; p++) {
        const seen = delivered.filter(([id]) => id === p).map(([, i]) => i)
        const last = Math.max(-1, ...seen)
        missing += last + 1 - seen.length
      }
      expect(missing).toBeLessThanOrEqual(deaths + held)
      expect(delivered.length).toBeGreaterThan(0)
      expect(threadCount()).toBe(threadsBefore)
      expect(childPids()).toEqual([])
    }), 120_000)
})

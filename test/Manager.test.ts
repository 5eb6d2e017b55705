import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as fc from "fast-check"
import { Manager, Pool } from "../src/index.ts"
import * as T from "./fixtures/managers.ts"

const methods = ["thread", "process", "fiber"] as const

describe.each(methods)("Manager on %s", (startMethod) => {
  it.live("a dict and a list filled by 10 workers (tutorial 30)", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 2, startMethod })
      const manager = yield* Manager.make()
      const d = yield* Manager.dict<Manager.Key, unknown>(manager)
      const l = yield* Manager.list(manager, [0, 1, 2, 3, 4])
      const snapshots = yield* Effect.forEach(
        Array.from({ length: 10 }, (_, n) => n),
        (n) => pool.apply(T.fill, [d, l, n]),
        { concurrency: "unbounded" }
      )
      for (const s of snapshots) expect(s.slice(0, 5)).toEqual([0, 1, 2, 3, 4])
      const list = yield* Manager.toArray(l)
      expect(list.slice(0, 5)).toEqual([0, 1, 2, 3, 4])
      expect(list.slice(5).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      const entries = new Map(yield* Manager.entries(d))
      expect(entries.size).toBe(12)
      expect(entries.get("2")).toBe(2)
      expect(entries.get(0.25)).toBe(null)
      for (let n = 0; n < 10; n++) expect(entries.get(n)).toBe("1")
      expect(yield* Manager.size(d)).toBe(12)
    }))

  it.live("every call from a worker; copies in and out; typed errors", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 1, startMethod })
      const manager = yield* Manager.make()
      const d = yield* Manager.dict(manager, [["a", { items: [1, 2] }]])
      const l = yield* Manager.list(manager, ["a", "b", "c"])
      const ns = yield* Manager.namespace(manager, { x: 1, label: "ns" })
      expect(yield* pool.apply(T.calls, [d, l, ns])).toEqual({
        stillThere: [1, 2],
        missing: true,
        removed: true,
        keys: ["b"],
        list: ["A", "B", "C", "last"],
        length: 4,
        updated: "A",
        x: 42,
        fields: { x: 42, label: "ns" },
        outOfRange: "IndexOutOfRange",
        uncloneable: "SerializationError",
        badKey: "InvalidArgument"
      })
      // and from the main program: copies there too
      const b = Option.getOrThrow(yield* Manager.get(d, "b"))
      b.items.push(8)
      expect(Option.getOrThrow(yield* Manager.get(d, "b")).items).toEqual([7])
      expect(yield* Manager.has(d, "b")).toBe(true)
      expect(yield* Manager.values(d)).toEqual([{ items: [7] }])
      expect(yield* Manager.delete(d, "b")).toBe(true)
      expect(yield* Manager.delete(d, "b")).toBe(false)
      yield* Manager.set(d, "c", { items: [] })
      yield* Manager.clear(d)
      expect(yield* Manager.size(d)).toBe(0)
    }))

  it.live("update is atomic: counters from several workers and the main program end exact", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 40 }), (workers, times) =>
          Effect.runPromise(Effect.scoped(Effect.gen(function*() {
            const pool = yield* Pool.make({ processes: workers, startMethod })
            const manager = yield* Manager.make()
            const d = yield* Manager.dict<string, number>(manager)
            yield* Effect.all([
              Effect.forEach(Array.from({ length: workers }, () => d), (d) => pool.apply(T.count, [d, "n", times]), {
                concurrency: "unbounded"
              }),
              T.count.handler(d, "n", times) as Effect.Effect<void>
            ], { concurrency: "unbounded" })
            expect(yield* Manager.get(d, "n")).toEqual(Option.some((workers + 1) * times))
          })))),
        { numRuns: 4 }
      )
    ))

  it.live("after the manager's scope closes every proxy fails with ManagerClosed, in a worker too", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 1, startMethod })
      const scope = yield* Scope.make()
      const manager = yield* Manager.make().pipe(Scope.provide(scope))
      const d = yield* Manager.dict<string, number>(manager, { a: 1 })
      expect(yield* pool.apply(T.callAfterClose, [d])).toBe("ok")
      yield* Scope.close(scope, Exit.void)
      expect(yield* pool.apply(T.callAfterClose, [d])).toBe("ManagerClosed")
      expect((yield* Effect.flip(Manager.set(d, "a", 2)))._tag).toBe("ManagerClosed")
      expect((yield* Effect.flip(Manager.list(manager)))._tag).toBe("ManagerClosed")
    }))
})

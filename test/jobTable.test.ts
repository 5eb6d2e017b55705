/**
 * The scheduler's table of jobs in flight (src/internal/jobTable.ts) against
 * a `Map`, under random runs of the operations a slot makes: ids handed out in
 * order, deleted in any order, as replies come back.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { JobTable } from "../src/internal/jobTable.ts"

type Op = { readonly add: number } | { readonly remove: number } | { readonly clear: true }

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 40 }).map((add) => ({ add })) },
  { weight: 6, arbitrary: fc.nat({ max: 1000 }).map((remove) => ({ remove })) },
  { weight: 1, arbitrary: fc.constant({ clear: true as const }) }
)

describe("JobTable", () => {
  it("holds what a Map holds, in id order, through any run of adds, deletes and clears", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.nat({ max: 2 ** 40 }), (ops, start) => {
        const table = new JobTable<string>()
        const model = new Map<number, string>()
        let next = start + 1
        for (const o of ops) {
          if ("add" in o) {
            for (let k = 0; k < o.add; k++, next++) {
              table.set(next, `job ${next}`)
              model.set(next, `job ${next}`)
            }
          } else if ("remove" in o) {
            // any id in flight, or one that is not
            const ids = [...model.keys()]
            const id = ids.length > 0 && o.remove % 5 !== 0 ? ids[o.remove % ids.length] : next + o.remove
            expect(table.delete(id)).toBe(model.delete(id))
          } else {
            table.clear()
            model.clear()
          }
          expect(table.size).toBe(model.size)
        }
        for (const id of model.keys()) expect(table.get(id)).toBe(model.get(id))
        expect(table.get(next)).toBeUndefined()
        expect(table.values()).toEqual([...model.values()])
      }),
      { numRuns: 300 }
    )
  })
})

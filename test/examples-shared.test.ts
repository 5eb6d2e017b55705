/**
 * The shared-memory examples, run as programs with plain `node`, their output
 * checked against what the Python originals print.
 */
import { describe, expect, it } from "@effect/vitest"
import { runExample as run, runExampleExit } from "./helpers.ts"

describe("Shared value and array examples", () => {
  it("07: a value, a double and an array, then a nested list fails the program with a typed error", () => {
    const { status, stderr, stdout } = runExampleExit("07_shared_value_array.ts")
    expect(stdout).toBe("0 3.14 [1, 2, 3, 4]\n")
    expect(stderr).toMatch(/^InvalidArgument: Shared\.array: typecode "i" holds numbers, not an array/)
    expect(status).toBe(1)
  })

  it("08: two processes add 1 and 4 five times each without the lock", () => {
    const values = run("08_value_no_lock.ts").trim().split("\n").map(Number)
    expect(values).toHaveLength(10)
    // each line is what one process read after its own write: between its
    // first possible value and 25 (the total if no update was lost)
    for (const v of values) {
      expect(Number.isInteger(v)).toBe(true)
      expect(v).toBeGreaterThanOrEqual(1)
      expect(v).toBeLessThanOrEqual(25)
    }
  })

  it("09: with the lock held across the loop the two processes run one after the other", () => {
    expect([
      "1\n2\n3\n4\n5\n9\n13\n17\n21\n25\n",
      "4\n8\n12\n16\n20\n21\n22\n23\n24\n25\n"
    ]).toContain(run("09_value_with_lock.ts"))
  })
})

describe("Condition with a shared value", () => {
  it("17: five consumers wait for the value; the producer sets it and wakes them all", () => {
    const lines = run("17_condition_notify_all.ts").trim().split("\n")
    expect(lines[0]).toBe("producer updated the shared resource")
    expect(lines.slice(1).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `consumer ${i} consumed the data`))
  })
})

describe("Manager example", () => {
  it("30: a dict and a list filled by 10 processes, printed as Python prints them", () => {
    const lines = run("30_manager_dict_list.ts").trim().split("\n")
    expect(lines).toHaveLength(12)
    const parse = (line: string) => JSON.parse(line) as Array<number>
    // each process's snapshot, after its own append: 0..4, then 1 to 10 of the appended numbers
    for (const line of lines.slice(0, 10)) {
      const snapshot = parse(line)
      expect(snapshot.slice(0, 5)).toEqual([0, 1, 2, 3, 4])
      expect(snapshot.length).toBeGreaterThanOrEqual(6)
      expect(snapshot.length).toBeLessThanOrEqual(15)
    }
    const final = parse(lines[11])
    expect(final.slice(0, 5)).toEqual([0, 1, 2, 3, 4])
    expect(final.slice(5).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    // the dict, in insertion order: every process sets its own key, then '2', then 0.25, so a
    // process's key comes first and '2' before 0.25 (how many keys come before '2' is the race's)
    const dict = lines[10]
    expect(dict).toMatch(/^\{\d: '1'(, (\d: '1'|'2': 2|0\.25: None)){11}\}$/)
    const entries = dict.slice(1, -1).split(", ")
    expect(entries.indexOf("'2': 2")).toBeGreaterThan(0)
    expect(entries.indexOf("0.25: None")).toBeGreaterThan(entries.indexOf("'2': 2"))
    for (let n = 0; n < 10; n++) expect(entries).toContain(`${n}: '1'`)
  })
})

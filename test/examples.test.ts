/**
 * Every example runs with plain `node`, as a user would run it.
 */
import { describe, expect, it } from "@effect/vitest"
import { runExample as run } from "./helpers.ts"

describe("examples", () => {
  it("quickstart prints the squares", () => {
    expect(run("quickstart.ts")).toBe("[ 1, 4, 9, 16, 25 ]\n144\n")
  })

  it("speedup (npm start) runs the same work on one thread and on the pool, with equal results", () => {
    const out = run("speedup.ts")
    expect(out).toMatch(/one thread: \d+ ms/)
    expect(out).toMatch(/pool\.map {2}: \d+ ms/)
    expect(out).toMatch(/speed-up {2}: \d+\.\d\dx/)
  })
})

/**
 * A newcomer's first mistakes, run as programs: tasks and a program in one
 * file without the main-module guard (a thread bomb, refused), and the same
 * file with the guard (works on every start method).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { Pool } from "../src/index.ts"
import { runExample } from "./helpers.ts"
import * as N from "./fixtures/nested.ts"

const fixture = (file: string) => path.resolve(import.meta.dirname, "fixtures", file)

const runProgram = (file: string, startMethod: string) =>
  spawnSync(process.execPath, [fixture(file)], {
    encoding: "utf8",
    env: { ...process.env, EMP_START_METHOD: startMethod },
    timeout: 60_000
  })

describe("a one-file program without the import.meta.main guard", () => {
  for (const startMethod of ["thread", "process"] as const) {
    it(`Pool.make at a module's top level is refused in the worker that imports it, on ${startMethod}`, () => {
      const { status, stdout, stderr, signal } = runProgram("bomb.ts", startMethod)
      // it ends (no endless chain of pools), with the error that names the module and the fix
      expect(signal).toBeNull()
      expect(status).toBe(1)
      expect(stdout).toBe("")
      expect(stderr).toContain(`Pool.make ran in a worker while it was importing file://${fixture("bomb.ts")}`)
      expect(stderr).toContain("if (import.meta.main)")
      expect(stderr).toContain("WorkerDied")
    }, 60_000)

    it(`Process.start at a module's top level is refused in the worker, which ends before its task runs, on ${startMethod}`, () => {
      const { status, stdout, stderr, signal } = runProgram("bomb-process.ts", startMethod)
      expect(signal).toBeNull()
      // the worker's own start is refused and said on stderr; the worker dies of it, so the main program's process
      // fails with WorkerDied (as Python's child dies of its RuntimeError), and the task never ran
      expect(stderr).toContain(`Process.start ran in a worker while it was importing file://${fixture("bomb-process.ts")}`)
      expect(stderr).toContain("WorkerDied")
      expect(stdout).toBe("")
      expect(status).toBe(1)
    }, 60_000)
  }

  for (const file of ["bomb.ts", "bomb-process.ts"]) {
    it(`on fiber ${file} runs (the task's module is the program, already loaded)`, () => {
      const { status, stdout, stderr } = runProgram(file, "fiber")
      expect(status).toBe(0)
      expect(stderr).toBe("")
      expect(stdout).toMatch(/^(\[ 2, 4, 6 \]|hello world)\n$/)
    })
  }
})

describe("the same program with the guard", () => {
  it("runs on thread, process and fiber", () => {
    expect(runExample("one_file.ts")).toBe(
      "thread [ 2, 4, 6 ]\nprocess [ 2, 4, 6 ]\nfiber [ 2, 4, 6 ]\n"
    )
  })
})

describe("nested parallelism", () => {
  it.live.each(["thread", "process"] as const)("a task may make a pool of its own (%s)", (startMethod) =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ processes: 1, startMethod })
      expect(yield* pool.apply(N.sumOfSquares, [[1, 2, 3], startMethod])).toBe(14)
    }))
})

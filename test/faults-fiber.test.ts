/**
 * The fault table's `fiber` column: a fiber shares the program's thread (as
 * Python's `multiprocessing.dummy` shares its process), so what kills a
 * worker kills the program there. Each row caused for real: the faults that
 * end the program run in a program of their own.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { Pool } from "../src/index.ts"
import * as Elsewhere from "./fixtures/elsewhere.ts"
import * as T from "./fixtures/tasks.ts"

const program = path.resolve(import.meta.dirname, "fixtures", "fiber-fault.ts")

const run = (fault: string, execArgv: ReadonlyArray<string> = []) =>
  spawnSync(process.execPath, [...execArgv, program, fault], { encoding: "utf8", timeout: 60_000 })

describe("faults on fiber that end the program", () => {
  it("process.exit(n) in a task ends the program with code n", () => {
    const { status, stdout } = run("exit")
    expect(stdout).toBe("before\n")
    expect(status).toBe(3)
  })

  it("an uncaught exception thrown from a task's timer ends the program with it", () => {
    const { status, stdout, stderr } = run("timer")
    expect(stdout).toBe("before\n")
    expect(stderr).toContain("Error: thrown later")
    expect(status).toBe(1)
  })

  it("running out of memory ends the program (maxMemoryMb does not apply to a fiber)", () => {
    const { status, signal, stdout, stderr } = run("memory", ["--max-old-space-size=64"])
    expect(stdout).toBe("before\n")
    expect(stderr).toContain("heap out of memory")
    expect(status === 134 || signal === "SIGABRT").toBe(true)
  }, 60_000)

  it("a task in a synchronous loop cannot be interrupted: the call completes when the loop ends", () => {
    const { status, stdout } = run("spin")
    expect(stdout).toBe("before\nSome after the loop\nafter\n")
    expect(status).toBe(0)
  })
})

describe("faults on fiber that fail only the call", () => {
  const make = Pool.make({ processes: 1, startMethod: "fiber" })

  it.live("a task whose module throws at import, or does not define it: the fiber runs the task the program holds", () =>
    Effect.scoped(Effect.gen(function*() {
      // A worker imports the module and looks the name up (TaskModuleLoadError,
      // TaskNotFound); a fiber imports nothing: the program already has the task.
      const pool = yield* make
      expect(yield* pool.apply(Elsewhere.broken, [])).toBe(1)
      expect(yield* pool.apply(Elsewhere.ghost, [])).toBe(1)
    })))

  it.live("an argument or a result a worker could not receive: SerializationError, as on the other methods", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* make
      const argument = yield* Effect.flip(pool.apply(T.identity, [{ callback: () => 1 }]))
      assert(argument._tag === "SerializationError")
      expect(argument.path).toBe("args[0].callback")
      const result = yield* Effect.flip(pool.apply(T.returnsFunction, []))
      assert(result._tag === "SerializationError")
      expect(result.direction).toBe("result")
      expect(yield* pool.apply(T.add, [1, 1])).toBe(2)
    })))

  it.live("an initializer that throws: InitializerFailed from Pool.make", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(
        Pool.make({ processes: 1, startMethod: "fiber", initializer: T.failingInit, initargs: ["no setup today"] })
      ))
      assert(error._tag === "InitializerFailed")
      expect(error.reason).toContain("no setup today")
    }))
})

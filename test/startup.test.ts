/**
 * Start-up: importing the package and running a pool of plain functions
 * loads neither effect/Schema nor effect/Stream nor node:child_process (each
 * is loaded on first use), nor @effect/platform-node; and the error classes,
 * made on first use, are their Schema.TaggedError classes (checked in a
 * fresh process, where no test has loaded Schema first).
 */
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const run = (...args: Array<string>) => {
  const { status, stdout, stderr } = spawnSync(
    process.execPath,
    [path.resolve(import.meta.dirname, "fixtures", "startup.ts"), ...args],
    { encoding: "utf8", timeout: 60_000 }
  )
  expect(stderr).toBe("")
  expect(status).toBe(0)
  return JSON.parse(stdout)
}

describe("start-up", () => {
  it("importing the package and running a pool of 2 loads no Schema, Stream, child_process or platform module", () => {
    const { result, afterImport, afterPool } = run()
    expect(result).toBe(144)
    const none = { schema: false, stream: false, platform: false, childProcess: false }
    expect(afterImport).toMatchObject(none)
    expect(afterPool).toMatchObject(none)
  }, 60_000)

  it("workers use the compile cache the main program turned on (neither a thread nor a child inherits it)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emp-compile-cache-"))
    try {
      const { status, stdout, stderr } = spawnSync(
        process.execPath,
        [path.resolve(import.meta.dirname, "fixtures", "compile-cache.ts"), dir],
        { encoding: "utf8", timeout: 60_000, env: { ...process.env, NODE_COMPILE_CACHE: "" } }
      )
      expect(stderr).toBe("")
      expect(status).toBe(0)
      const { main, thread, child } = JSON.parse(stdout)
      expect(main.startsWith(dir)).toBe(true)
      expect(thread).toBe(main)
      expect(child).toBe(main)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it("what tasks on worker threads print reaches the program's stdout and stderr, in order, none lost at exit", () => {
    const { status, stdout, stderr } = spawnSync(
      process.execPath,
      [path.resolve(import.meta.dirname, "fixtures", "prints.ts")],
      { encoding: "utf8", timeout: 60_000 }
    )
    expect(status).toBe(0)
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}`)
    expect(stdout).toBe([...lines, "last words", "main done", ""].join("\n"))
    expect(stderr).toBe("to stderr\nlast error words\n")
  }, 60_000)

  it("the error classes are Schema.TaggedError classes when first used", () => {
    const { errors } = run("errors")
    expect(errors).toEqual({
      isSchema: true,
      decoded: true,
      instance: true,
      tag: "WorkerDied",
      message: "Worker 1 exited with code 3",
      name: "WorkerDied",
      is: true,
      encoded: { _tag: "WorkerDied", worker: 1, exitCode: 3, resourceLimit: false },
      validates: true,
      caught: "x",
      sameClass: true,
      subclass: true
    })
  }, 60_000)
})

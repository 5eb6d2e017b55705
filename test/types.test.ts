/**
 * What the compiler tells a user who gets a task's types wrong: the files in
 * test/type-errors do not compile, on purpose; this checks the message.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")

describe("type errors", () => {
  it("a handler that needs a service its task does not declare: the message says what to do", () => {
    const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc")
    const { stdout, status } = spawnSync(process.execPath, [tsc, "-p", path.join(root, "test", "type-errors")], {
      encoding: "utf8",
      cwd: root
    })
    expect(status).not.toBe(0)
    expect(stdout).toContain("needs-service.ts")
    expect(stdout).toContain("The handler needs services its task does not declare: add them to Task.make as { services: [TheService] }")
    // one error, a few lines: not screens of Effect's types
    expect(stdout.trim().split("\n").length).toBeLessThanOrEqual(3)
  }, 60_000)
})

/**
 * The API reference in docs/api is generated from the sources' JSDoc
 * (`npm run docs`): it must say what the sources say.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as path from "node:path"

describe("the API reference", () => {
  it("docs/api is what npm run docs generates from src/", () => {
    const script = path.resolve(import.meta.dirname, "..", "scripts", "docs.ts")
    const { status, stdout, stderr } = spawnSync(process.execPath, [script, "--check"], { encoding: "utf8" })
    expect(stderr).toBe("")
    expect(stdout).toMatch(/^docs\/api is up to date \(\d+ pages\)/)
    expect(status).toBe(0)
  })
})

/**
 * The Pool tutorial programs, run as programs with plain `node`, their output
 * checked against what the Python originals print (pids and timings vary).
 */
import { describe, expect, it } from "@effect/vitest"
import { runExample as run, runExampleExit } from "./helpers.ts"

const squares = "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]\n"

describe("Pool examples", () => {
  it("04, 05, 19: map on pools of every size prints the squares", () => {
    expect(run("04_pool_map.ts")).toBe(squares)
    expect(run("05_pool_processes.ts")).toBe(squares)
    expect(run("19_pool_with_map.ts")).toBe(squares)
  })

  it("tracing: the spans tasks make in workers reach the program's tracer, each under its parent", () => {
    expect(run("tracing.ts")).toBe(
      "sizes [19200, 76800]\nmake thumbnails\n  Pool.make\n  Pool.map\n" +
        "    thumbnail width=640\n      decode\n      scale\n    thumbnail width=1280\n      decode\n      scale\n"
    )
  })

  it("06: one pool serves map, then apply_async", () => {
    expect(run("06_pool_apply_async.ts")).toBe(squares + "4\n")
  })

  it("18: apply, map, imap, close, join", () => {
    expect(run("18_pool_api_fragments.ts")).toBe("3\n[0, 1, 4, 9, 16]\n0\n1\n4\n9\n16\n")
  })

  it("20: apply_async results in submission order", () => {
    expect(run("20_pool_apply_async_list.ts")).toBe("APPLE\nBANANA\nCHERRY\nDATE\nELDERBERRY\n")
  })

  it("22: five tasks on four processes, close and join wait for all", () => {
    const lines = run("22_pool_long_time_task.ts").trim().split("\n")
    expect(lines[0]).toMatch(/^Parent process \d+\.$/)
    expect(lines).toContain("Waiting for all subprocesses done...")
    expect(lines.at(-1)).toBe("All subprocesses done.")
    for (let i = 0; i < 5; i++) {
      const started = lines.findIndex((l) => new RegExp(`^Run task ${i} \\(\\d+\\)\\.\\.\\.$`).test(l))
      const ended = lines.findIndex((l) => new RegExp(`^Task ${i} runs \\d+\\.\\d\\d seconds\\.$`).test(l))
      expect(started).toBeGreaterThan(0)
      expect(ended).toBeGreaterThan(started)
    }
    expect(lines).toHaveLength(13)
  })

  it("32: get with a timeout, map, the first imap results, then a timeout that fails the program", () => {
    const { status, stderr, stdout } = runExampleExit("32_pool_get_timeout.ts")
    expect(stdout).toBe("100\n" + squares + "0\n1\n4\n")
    expect(stderr).toMatch(/^TimeoutError: /)
    expect(status).toBe(1)
  })
})

/**
 * No orphans: children of a `process` pool end with their parent, whether the
 * parent is interrupted (its scope closes) or killed outright (each child
 * notices its IPC channel closing and exits by itself).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { spawn } from "node:child_process"
import * as path from "node:path"
import * as readline from "node:readline"
import * as fs from "node:fs"
import { isAlive } from "./helpers.ts"

const describeProcess = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/status`, "utf8").split("\n").filter((l) => /^(Name|State|PPid|Threads)/.test(l)).join("; ")
  } catch {
    return `${pid} gone`
  }
}

const parentScript = path.join(import.meta.dirname, "fixtures", "orphan-parent.ts")

/** Starts the parent program and waits for the pids of its two children. */
const startParent = Effect.acquireRelease(
  Effect.callback<{ parent: ReturnType<typeof spawn>; pids: Array<number> }>((resume) => {
    const parent = spawn(process.execPath, [parentScript], { stdio: ["ignore", "pipe", "inherit"] })
    readline.createInterface({ input: parent.stdout! }).once("line", (line) => {
      resume(Effect.succeed({ parent, pids: JSON.parse(line) }))
    })
  }),
  ({ parent }) => Effect.sync(() => parent.kill("SIGKILL"))
)

const exitOf = (parent: ReturnType<typeof spawn>) =>
  Effect.callback<{ code: number | null; signal: string | null }>((resume) => {
    if (parent.exitCode !== null || parent.signalCode !== null) {
      return resume(Effect.succeed({ code: parent.exitCode, signal: parent.signalCode }))
    }
    parent.once("exit", (code, signal) => resume(Effect.succeed({ code, signal })))
  })

// A process that is not our child cannot be awaited; look at /proc until it is
// gone (bounded: 10 s), which is the event itself, observed.
const awaitGone = (pids: Array<number>) =>
  Effect.suspend(() => pids.some(isAlive) ? Effect.fail("alive" as const) : Effect.void).pipe(
    Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 500 })
  )

describe("orphans", () => {
  it.live("interrupting the main program ends every child before it exits", () =>
    Effect.gen(function*() {
      const { parent, pids } = yield* startParent
      expect(pids).toHaveLength(2)
      expect(pids.every(isAlive)).toBe(true)
      parent.kill("SIGINT")
      yield* exitOf(parent)
      // the scope closed before the parent exited: the children are already gone
      expect(pids.filter(isAlive)).toEqual([])
    }).pipe(Effect.scoped), 30_000)

  it.live("a child whose parent is killed with SIGKILL exits by itself", () =>
    Effect.gen(function*() {
      const { parent, pids } = yield* startParent
      expect(pids.every(isAlive)).toBe(true)
      parent.kill("SIGKILL")
      const exit = yield* exitOf(parent)
      expect(exit.signal).toBe("SIGKILL")
      yield* awaitGone(pids).pipe(Effect.ignore)
      expect(pids.filter(isAlive).map(describeProcess)).toEqual([])
    }).pipe(Effect.scoped), 30_000)
})

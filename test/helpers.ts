/**
 * Test helpers that look at the real machine: worker threads and child
 * processes of this process (from /proc), shared counters, and waiting for a
 * file a task creates (an event, not a sleep).
 */
import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Barrier, type Pool } from "../src/index.ts"
import * as Barriers from "./fixtures/barriers.ts"

/**
 * Worker threads of this process: OS threads named "WorkerThread" by Node.
 * (Counting all threads would also count the libuv pool and V8 helpers,
 * which Node starts lazily at unpredictable moments.)
 */
export const threadCount = (): number =>
  fs.readdirSync("/proc/self/task").filter((tid) => {
    try {
      return fs.readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim() === "WorkerThread"
    } catch {
      return false // the thread ended while we looked
    }
  }).length

/** A counter in shared memory that tasks on any worker thread can update. */
export const makeFlag = (): Int32Array => new Int32Array(new SharedArrayBuffer(4))

/** Pids of the live child processes of this process (read from /proc). */
export const childPids = (): Array<number> => {
  const children: Array<number> = []
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8")
      // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      if (Number(fields[1]) === process.pid && fields[0] !== "Z") children.push(Number(entry))
    } catch {
      // the process ended while we looked
    }
  }
  return children
}

/** Whether a process exists (and is not a zombie). */
export const isAlive = (pid: number): boolean => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z"
  } catch {
    return false
  }
}

export { awaitFile, awaitInDir } from "./support/files.ts"

/**
 * Waits until all `processes` workers of `pool` are up (Pool.make returns with
 * one): as many tasks as workers meet at a barrier, which they pass only when
 * each runs on a worker of its own.
 */
export const allWorkersUp = (pool: Pool.Pool, processes: number) =>
  Effect.gen(function*() {
    const barrier = yield* Barrier.make(processes)
    const inputs = Array.from({ length: processes }, () => [barrier] as const)
    const indexes = yield* pool.starmap(Barriers.waitOnce, inputs, { chunksize: 1 })
    if (indexes.some((i) => typeof i !== "number")) return yield* Effect.die(`a barrier wait failed: ${indexes}`)
  })

/** A fresh temporary directory, removed with the scope. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "emp-test-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** Runs `examples/<file>` with plain `node`, as a user would; its stdout. */
export const runExample = (file: string): string => {
  const root = path.resolve(import.meta.dirname, "..")
  return execFileSync(process.execPath, [path.join(root, "examples", file)], { cwd: root, encoding: "utf8" })
}

/** Runs `examples/<file>` like `runExample`, without failing on a non-zero exit: its outputs and exit code. */
export const runExampleExit = (
  file: string,
  env?: NodeJS.ProcessEnv
): { readonly stdout: string; readonly stderr: string; readonly status: number | null } => {
  const root = path.resolve(import.meta.dirname, "..")
  const r = spawnSync(process.execPath, [path.join(root, "examples", file)], { cwd: root, encoding: "utf8", env })
  return { stdout: r.stdout, stderr: r.stderr, status: r.status }
}

/**
 * Runs `effect` with what is written to this process's stderr kept instead of
 * printed (a crashing child's report, passed through by the pool), and
 * returns it beside the result: a test that crashes a worker on purpose
 * asserts on that output rather than letting it into the test run.
 */
export const captureStderr = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<readonly [A, string], E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const chunks: Array<string> = []
      const write = process.stderr.write
      process.stderr.write = ((chunk: string | Uint8Array) => {
        chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString())
        return true
      }) as typeof process.stderr.write
      return { chunks, write }
    }),
    ({ chunks }) => Effect.map(effect, (a) => [a, chunks.join("")] as const),
    ({ write }) => Effect.sync(() => {
      process.stderr.write = write
    })
  )

/** An installed tracer (Effect's NativeSpan) that keeps every span it makes. */
export const recordingTracer = () => {
  const spans: Array<Tracer.NativeSpan> = []
  // the spans that ended while their parent was still open (threads' clocks differ: no comparing times)
  const endedInsideParent = new Set<Tracer.NativeSpan>()
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      const end = span.end
      span.end = (endTime, exit) => {
        const parent = options.parent
        if (parent._tag === "Some" && parent.value._tag === "Span" && parent.value.status._tag === "Started") {
          endedInsideParent.add(span)
        }
        end.call(span, endTime, exit)
      }
      spans.push(span)
      return span
    }
  })
  return { spans, tracer, endedInsideParent }
}

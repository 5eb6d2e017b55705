/**
 * The entry of every worker thread and child process. It imports Effect
 * submodules only (the `effect` barrel would add ~250 ms to each start),
 * forwards log lines to the main program, and hands request batches to the
 * executor.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as References from "effect/References"
import * as WorkerRunner from "effect/workers/WorkerRunner"
import * as WorkerThreads from "node:worker_threads"
import { findUncloneable } from "./clone.ts"
import { encodeError } from "./wire.ts"
import { type Executor, makeExecutor } from "./executor.ts"
import * as P from "./protocol.ts"
import * as Runner from "./runner.ts"

let executor: Executor | undefined

// Log lines of Effect handlers cross to the main program as data (parts that
// cannot be cloned cross as text). effect/Logger costs ~20 ms to import, so
// it is loaded when the first Effect handler runs: a worker that runs plain
// functions never pays for it.
const loadLoggers = () =>
  import("effect/Logger").then((Logger) => {
    const forward = new Set([Logger.make((options) => {
      const parts = Array.isArray(options.message) ? options.message : [options.message]
      const message = parts.map((part) => findUncloneable(part, "") === undefined ? part : String(part))
      const annotations = options.fiber.getRef(References.CurrentLogAnnotations)
      executor?.log(options.logLevel, message, annotations, options.date.getTime())
    })])
    runFork = Effect.runForkWith(Context.make(References.CurrentLoggers, forward))
    return forward
  })

let loggers: Promise<ReadonlySet<any>> | undefined
let runFork = <A, E>(effect: Effect.Effect<A, E>): Fiber.Fiber<A, E> =>
  Effect.runFork(
    Effect.flatMap(
      Effect.promise(() => loggers ??= loadLoggers()),
      (forward) => Effect.provideService(effect, References.CurrentLoggers, forward)
    )
  )

const main = Effect.gen(function*() {
  const platform = yield* WorkerRunner.WorkerRunnerPlatform
  const runner = yield* platform.start<Array<unknown>, Array<unknown>>()
  const exec = makeExecutor({ post: (batch, transfers) => runner.sendUnsafe(0, batch, transfers), runFork: (effect) => runFork(effect) })
  executor = exec
  yield* runner.run<void, never, never>((_port, batch) => exec.receive(batch))
}).pipe(Effect.provide(Runner.layer))

// A worker thread's uncaught error reaches the parent as an 'error' event; a
// child process has only its exit code, so it sends the error first.
if (process.send !== undefined) {
  process.once("uncaughtException", (e) => {
    const report = [1, [P.FATAL_ID, 0, encodeError(e)]]
    try {
      process.send!(report, undefined, {}, () => process.exit(1))
    } catch {
      process.exit(1)
    }
  })
}

// A child process whose parent died (its IPC channel closed) exits by itself,
// even in the middle of a task: nobody is left to receive the result. A task
// stuck in synchronous code cannot see 'disconnect', so a watchdog thread
// also checks for a new parent pid and ends the process from outside the loop.
if (process.send !== undefined) {
  process.once("disconnect", () => process.exit(0))
  // The parent pid is read here, not in the watchdog: it may boot after the parent died.
  const watchdog = new WorkerThreads.Worker(
    `const { workerData: parent } = require("node:worker_threads")
    const check = () => { if (process.ppid !== parent) process.kill(process.pid, "SIGKILL") }
    check()
    setInterval(check, 200)`,
    { eval: true, workerData: process.ppid, env: {}, execArgv: [], stdout: false, stderr: false }
  )
  watchdog.unref()
}

Effect.runFork(main)

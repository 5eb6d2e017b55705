/**
 * The entry of every worker thread and child process. It speaks the
 * `effect/workers` platform protocol (`[0]` ready and `[1, data]` out;
 * `[0, data]` requests and `[1]` close in) with the main program's
 * `NodeWorker` platform, and hands request batches to the executor.
 *
 * It imports no Effect module at start: `effect/Effect` alone costs ~45 ms
 * per worker, and a worker that runs plain functions never needs it. Effect,
 * Logger and the log forwarding are loaded when a handler first returns an
 * Effect.
 */
import type * as Exit from "effect/Exit"
import { availableParallelism } from "node:os"
import * as WorkerThreads from "node:worker_threads"
import { findUncloneable } from "./clone.ts"
import { type Interrupt, makeExecutor, type Run } from "./executor.ts"
import * as P from "./protocol.ts"
import { withServices } from "./services.ts"
import { encodeError } from "./wire.ts"

const parentPort = WorkerThreads.parentPort
if (parentPort === null && process.send === undefined) {
  throw new Error("effect-multiprocessing: the worker entry runs only in a worker thread or a forked child")
}
const send: (message: unknown, transfers?: ReadonlyArray<unknown>) => void = parentPort !== null
  ? (message, transfers) => parentPort.postMessage(message, transfers as Array<WorkerThreads.Transferable>)
  : (message) => process.send!(message)

// A worker thread gets a channel of its own for requests and replies (see
// backend.ts); the platform's port keeps the lifecycle messages.
const channel: WorkerThreads.MessagePort | undefined = WorkerThreads.workerData?.[P.CHANNEL_KEY]

// -- Effect handlers: the runtime is loaded on first use -----------------------


let run: Run | undefined
let loading: Promise<Run> | undefined

// Log lines of Effect handlers cross to the main program as data; parts that
// cannot be cloned cross as text.
const loadRuntime = (): Promise<Run> =>
  loading ??= Promise.all([
    import("effect/Context"),
    import("effect/Effect"),
    import("effect/Logger"),
    import("effect/References"),
    import("./bootstrap.ts")
  ]).then(([Context, Effect, Logger, References, Bootstrap]) => {
    const forward = Logger.make((options) => {
      const parts = Array.isArray(options.message) ? options.message : [options.message]
      const message = parts.map((part) => findUncloneable(part, "") === undefined ? part : String(part))
      const annotations = options.fiber.getRef(References.CurrentLogAnnotations)
      executor.log(options.logLevel, message, annotations, options.date.getTime())
    })
    // a task's fiber may make pools (nested parallelism): see bootstrap.ts
    const base = Context.add(Context.make(References.CurrentLoggers, new Set([forward])), Bootstrap.InTask, true)
    const runFork = Effect.runForkWith(base)
    run = (effect, onExit, services) => {
      const fiber = services === undefined ? runFork(effect) : Effect.runForkWith(withServices(Context, base, services))(effect)
      fiber.addObserver(onExit)
      return () => fiber.interruptUnsafe()
    }
    return run
  })

// What an Effect interrupted before the runtime was loaded exits with.
const interrupted = { _tag: "Failure", cause: { reasons: [{ _tag: "Interrupt" }] } } as unknown as Exit.Exit<never>

const runEffect: Run = (effect, onExit, services) => {
  if (run !== undefined) return run(effect, onExit, services)
  let interrupt: Interrupt | undefined
  let cancelled = false
  void loadRuntime().then((run) => {
    if (!cancelled) interrupt = run(effect, onExit, services)
  })
  return () => {
    if (interrupt !== undefined) return interrupt()
    if (cancelled) return
    cancelled = true
    onExit(interrupted)
  }
}

// -- the protocol --------------------------------------------------------------

// A thread that waits for the main program's next message (its next task, or
// the answer to a Manager call) polls its channel for a while after posting,
// instead of going to sleep at once. The other side's answer then finds it
// awake: a round trip where one side sleeps costs two wake-ups of an idle CPU
// (~25 µs each here), where neither does, a few µs. With one CPU, polling
// would only delay the main program, so it is off. A child process cannot
// poll its IPC channel.
const SPIN_MS = 0.05
const spins = channel !== undefined && availableParallelism() > 1
let spinning = false
const spin = (port: WorkerThreads.MessagePort) => {
  spinning = true
  try {
    const end = performance.now() + SPIN_MS
    do {
      const message = WorkerThreads.receiveMessageOnPort(port)
      // one message is handled here; what it starts runs once this returns
      if (message !== undefined) return executor.receive(message.message)
    } while (performance.now() < end)
  } finally {
    spinning = false
  }
}

const executor = makeExecutor({
  post: channel !== undefined
    ? (batch, transfers) => {
      channel.postMessage(batch, transfers as Array<WorkerThreads.Transferable>)
      if (spins && !spinning && executor.expecting()) spin(channel)
    }
    : (batch, transfers) => send([1, batch], transfers),
  run: runEffect,
  worker: true
})
channel?.on("message", executor.receive)

const port = (parentPort ?? process) as unknown as NodeJS.EventEmitter
port.on("message", (message: readonly [0, ReadonlyArray<unknown>] | readonly [1]) => {
  if (message[0] === 0) return executor.receive(message[1])
  // close: let the event loop empty so that the worker exits
  channel?.close()
  if (parentPort !== null) parentPort.close()
  else process.channel?.unref()
})
send([0])

// A worker's uncaught error (or unhandled rejection) is sent to the main
// program before it exits: a child process has only its exit code, and a
// thread's 'error' event carries a clone that loses what a getter computed
// (a Schema error's message) and may come after the exit is seen.
process.once("uncaughtException", (e) => {
  if (channel !== undefined) {
    channel.postMessage([P.FATAL_ID, 0, encodeError(e)])
    return process.exit(1)
  }
  const report = [1, [P.FATAL_ID, 0, encodeError(e)]]
  try {
    process.send!(report, undefined, {}, () => process.exit(1))
  } catch {
    process.exit(1)
  }
})

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

/**
 * The entry of every worker thread and child process. It speaks the
 * `effect/workers` platform protocol (`[0]` ready and `[1, data]` out;
 * `[0, data]` requests and `[1]` close in) with the main program's
 * backend (backend.ts), and hands request batches to the executor. A thread
 * skips the ready message: it answers the handshake's ping on its channel
 * as soon as it is up.
 *
 * It imports no Effect module at start: `effect/Effect` alone costs ~45 ms
 * per worker, and a worker that runs plain functions never needs it. Effect
 * and the log forwarding are loaded when a handler first returns an Effect.
 */
import type * as Exit from "effect/Exit"
import type * as Logger from "effect/Logger"
import { availableParallelism } from "node:os"
import * as WorkerThreads from "node:worker_threads"
import { findUncloneable } from "./clone.ts"
import { type Interrupt, makeExecutor, type Run } from "./executor.ts"
import { setFatal } from "./importing.ts"
import { countRead, inbox } from "./inbox.ts"
import { raiseMallocThresholds } from "./mallocWarmup.ts"
import * as P from "./protocol.ts"
import { makeRun } from "./services.ts"
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
    import("effect/References"),
    import("effect/Tracer"),
    import("./bootstrap.ts"),
    import("./relay.ts")
  ]).then(([Context, Effect, References, Tracer, Bootstrap, Relay]) => {
    // What the runtime calls `log` on (all it asks of a logger), made without
    // `Logger.make`: effect/Logger loads 22 more modules of effect (FileSystem,
    // Stream...), ~20 ms of each worker's first Effect task.
    const forward = {
      log: (options) => {
        const parts = Array.isArray(options.message) ? options.message : [options.message]
        const message = parts.map((part) => findUncloneable(part, "") === undefined ? part : String(part))
        const annotations = options.fiber.getRef(References.CurrentLogAnnotations)
        executor.log(options.logLevel, message, annotations, options.date.getTime())
      }
    } as Logger.Logger<unknown, void>
    // a task's fiber may make pools (nested parallelism): see bootstrap.ts
    const base = Context.add(Context.make(References.CurrentLoggers, new Set([forward])), Bootstrap.InTask, true)
    return run = makeRun({ Context, Effect, Tracer }, base, Relay.relayTracer, executor.span)
  })

// What an Effect interrupted before the runtime was loaded exits with.
const interrupted = { _tag: "Failure", cause: { reasons: [{ _tag: "Interrupt" }] } } as unknown as Exit.Exit<never>

const runEffect: Run = (effect, onExit, services, call) => {
  if (run !== undefined) return run(effect, onExit, services, call)
  let interrupt: Interrupt | undefined
  let cancelled = false
  void loadRuntime().then((run) => {
    if (!cancelled) interrupt = run(effect, onExit, services, call)
  })
  return () => {
    if (interrupt !== undefined) return interrupt()
    if (cancelled) return
    cancelled = true
    onExit(interrupted)
  }
}

// -- waiting for the main program (threads) ------------------------------------
//
// A thread that waits for the main program's next message (its next task, or
// the answer to a Manager call) does not go back to its event loop at once
// after posting:
// - Where the main program has a CPU of its own, it polls its channel for
//   50 µs: the answer then finds it awake (a round trip where a side sleeps
//   costs wake-ups of an idle CPU, ~25 µs each here; where neither does, a
//   few µs). A poll that finds nothing makes the next ones rarer (it skips
//   1, 2, 4 ... up to 64 waits; one that finds the message resets that): where
//   the main program takes longer than the poll to answer (large copies, a
//   busy program) polling only takes CPU from it and from V8's concurrent
//   marking (with 1 MiB copies the poll made most processes 2x slower).
// - Then, while nothing is active in this thread but its own message ports
//   (no timer, no I/O, no port of a task's), it sleeps on its doorbell, which
//   the main program rings after each post, and takes the message with
//   `receiveMessageOnPort`. Asleep in its event loop, the thread would be
//   woken by the post itself, while the main program still holds the port's
//   lock: with one CPU that costs two more context switches per message
//   (4 per round trip where piscina has 2; 15-19 µs -> 10-12 µs here).
// - It sleeps for 20 ms at most, in slices of 10 ms (with 1 ms slices V8's
//   timed waits cost more than they save), going back to its event loop
//   between them: a promise settled from another thread (`Atomics.waitAsync`)
//   meanwhile waits at most a slice. piscina's `Atomics.wait` freezes such
//   work until the next task (piscina #331, #346).
const bell: Int32Array | undefined = WorkerThreads.workerData?.[P.BELL_KEY]
// a lock's step done in place reads it: an unread message sends it through the run loop (syncpath.ts)
inbox.bell = bell
const POLL_MS = 0.05
const SLICE_MS = 10
const SLEEP_MS = 20
const polls = availableParallelism() > 1
const MAX_SKIP = 64
let skips = 0 // waits left that do not poll
let backoff = 0 // waits the next fruitless poll skips (0: the last poll found its message)
let waiting = false
let closing = false

/** Takes one message, if there is one: what it starts runs once the caller returns. */
const takeOne = (port: WorkerThreads.MessagePort): boolean => {
  const message = WorkerThreads.receiveMessageOnPort(port)
  if (message === undefined) return false
  countRead()
  executor.receive(message.message)
  return true
}

/** Whether nothing is active here but this thread's own ports (counted once they are open, below). */
const onlyOwnPorts = (): boolean => {
  let ports = 0
  for (const resource of process.getActiveResourcesInfo()) {
    if (resource !== "MessagePort") return false
    ports++
  }
  return ports <= ownPorts
}

// (`waiting` keeps a post made while a taken message is handled from waiting inside this one)
const awaitMain = (port: WorkerThreads.MessagePort, bell: Int32Array): void => {
  if (waiting) return
  waiting = true
  try {
    if (polls) {
      if (skips > 0) skips--
      else {
        const end = performance.now() + POLL_MS
        do {
          if (takeOne(port)) {
            backoff = 0
            return
          }
        } while (performance.now() < end)
        backoff = backoff === 0 ? 1 : Math.min(2 * backoff, MAX_SKIP)
        skips = backoff
      }
    }
  } finally {
    waiting = false
  }
  sleep(port, bell, performance.now() + SLEEP_MS)
}

const sleep = (port: WorkerThreads.MessagePort, bell: Int32Array, until: number): void => {
  if (waiting || closing || !executor.expecting() || !onlyOwnPorts()) return
  waiting = true
  try {
    const seen = Atomics.load(bell, P.BELL_POSTS)
    if (takeOne(port)) return
    Atomics.store(bell, P.BELL_SLEEPING, 1)
    const woken = Atomics.wait(bell, P.BELL_POSTS, seen, SLICE_MS) !== "timed-out"
    Atomics.store(bell, P.BELL_SLEEPING, 0)
    if (woken) {
      takeOne(port)
      return
    }
  } finally {
    waiting = false
  }
  // the next slice after a turn of the event loop (what fell due meanwhile runs first)
  if (performance.now() < until) setImmediate(() => sleep(port, bell, until))
}

// -- the protocol --------------------------------------------------------------

const executor = makeExecutor({
  post: channel !== undefined
    ? (batch, transfers) => {
      channel.postMessage(batch, transfers as Array<WorkerThreads.Transferable>)
      if (!executor.expecting()) return
      try {
        awaitMain(channel, bell!)
      } catch (e) {
        // what a message taken here threw is the worker's uncaught error, as in
        // a 'message' handler: not a failure of this post (which would post the
        // batch again)
        process.nextTick(() => {
          throw e
        })
      }
    }
    : (batch, transfers) => send([1, batch], transfers),
  run: runEffect,
  worker: true
})
channel?.on("message", (batch: ReadonlyArray<unknown>) => {
  countRead()
  executor.receive(batch)
})

const port = (parentPort ?? process) as unknown as NodeJS.EventEmitter
port.on("message", (message: readonly [0, ReadonlyArray<unknown>] | readonly [1]) => {
  countRead() // a thread's doorbell counts these too (backend.ts)
  if (message[0] === 0) return executor.receive(message[1])
  // close: let the event loop empty so that the worker exits
  closing = true
  channel?.close()
  if (parentPort !== null) parentPort.close()
  else process.channel?.unref()
})
// the ports open now are this thread's own (the platform's, the channel, stdio)
const ownPorts = channel === undefined ? 0 : process.getActiveResourcesInfo().filter((resource) => resource === "MessagePort").length
// Ready. A thread knows its name already and answers the handshake's ping
// unasked; a child says it is up and is sent its name.
const ping: P.PingData | undefined = WorkerThreads.workerData?.[P.PING_KEY]
if (channel !== undefined && ping !== undefined) executor.receive([P.OP_PING, P.PING_ID, "", ping])
else send([0])

// A worker's uncaught error (or unhandled rejection) is sent to the main
// program before it exits: a child process has only its exit code, and a
// thread's 'error' event carries a clone that loses what a getter computed
// (a Schema error's message) and may come after the exit is seen.
const fatal = (e: unknown): void => {
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
}
process.once("uncaughtException", fatal)
setFatal(fatal)

// A child process whose parent died (its IPC channel closed) exits by itself,
// even in the middle of a task: nobody is left to receive the result. A task
// stuck in synchronous code cannot see 'disconnect', so a watchdog thread
// also checks for a new parent pid and ends the process from outside the loop.
if (process.send !== undefined) {
  // a child is a process of its own: its copies meet its own allocator (mallocWarmup.ts)
  raiseMallocThresholds()
  process.once("disconnect", () => process.exit(0))
  // The parent pid is read here, not in the watchdog: it may boot after the parent died.
  try {
    const watchdog = new WorkerThreads.Worker(
      `const { workerData: parent } = require("node:worker_threads")
      const check = () => { if (process.ppid !== parent) process.kill(process.pid, "SIGKILL") }
      check()
      setInterval(check, 200)`,
      { eval: true, workerData: process.ppid, env: {}, execArgv: [], stdout: false, stderr: false }
    )
    watchdog.unref()
  } catch (e) {
    // Node's permission model (`--permission` in execArgv) without
    // `--allow-worker` refuses threads: the child runs without its watchdog
    // ('disconnect' still ends it unless a task holds it in synchronous code)
    if ((e as { code?: unknown }).code !== "ERR_ACCESS_DENIED") throw e
  }
}

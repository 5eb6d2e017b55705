/**
 * Start methods as backends: how one worker incarnation of a slot is started,
 * talked to, and ended. `thread` and `process` speak the `effect/workers`
 * platform protocol with the worker entry (`[0]` ready and `[1, data]` out;
 * `[0, data]` requests and `[1]` close in) and keep its lifecycle (a close
 * message, up to 5 s to exit, then terminate / SIGKILL) themselves: the
 * platform modules would load `effect/Schema` (~40 ms) at start-up. `fiber`
 * runs the same executor on the caller's thread.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"
import type * as ChildProcess from "node:child_process"
import * as Module from "node:module"
import * as Path from "node:path"
import * as WorkerThreads from "node:worker_threads"
import type { Transferable } from "node:worker_threads"
import { cloneError, findUncloneable } from "./clone.ts"
import { reviveError } from "./decode.ts"
import { makeExecutor } from "./executor.ts"
import { raiseMallocThresholds } from "./mallocWarmup.ts"
import * as P from "./protocol.ts"
import { relayTracer } from "./relay.ts"
import { makeRun } from "./services.ts"
import type { Death, Link } from "./scheduler.ts"

/**
 * A thread's uncaught error as text. It arrives cloned: an error class whose
 * message is a getter (a Schema tagged error's) keeps only its own fields.
 */
const describeError = (e: Error & { readonly _tag?: string; readonly reason?: unknown }): string =>
  `${e.name ?? e._tag ?? "Error"}: ${e.message ?? (typeof e.reason === "string" ? e.reason : String(e))}`

export interface Backend {
  /**
   * Runs one incarnation of the worker of slot `index`. Calls `up` once the
   * worker is ready and `receive` for each reply batch; returns how the worker
   * ended. Interrupting it retires the worker gracefully.
   */
  readonly incarnate: (
    index: number,
    up: (link: Link) => void,
    receive: (batch: ReadonlyArray<unknown>) => void
  ) => Effect.Effect<Death>
  /**
   * Spawns the workers of slots `0 .. count - 1` now, before their
   * supervisors run: each boots (~25 ms) while the pool is being built, and
   * the slot's first incarnation takes it.
   */
  readonly warm?: (count: number) => void
  /** Ends the workers `warm` spawned that no incarnation took, and waits until they have exited. */
  readonly abandon?: Effect.Effect<void>
  /**
   * Stops at once every worker spawned and not yet exited, ready or still
   * booting (terminate): the incarnations, interrupted after, only wait for
   * the exits, where a booting one would be stopped a few fiber hops later.
   */
  readonly killAll?: () => void
}

export interface SpawnOptions {
  readonly resourceLimits?: WorkerThreads.ResourceLimits | undefined
  /** Old-generation heap limit of each worker, in MiB. */
  readonly maxMemoryMb?: number | undefined
  readonly env?: NodeJS.ProcessEnv | undefined
  readonly execArgv?: ReadonlyArray<string> | undefined
  /** The worker's name, as `Process.current` reports it there (per slot index). */
  readonly name?: ((index: number) => string) | undefined
}

// The worker entry sits beside this module, as .ts in src/ and .js in dist/.
const entry = new URL(`./worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url)

type Raw = WorkerThreads.Worker | ChildProcess.ChildProcess

/**
 * A worker thread's own channel for requests and replies, beside the
 * platform's port (which keeps the lifecycle: ready, close, exit). Batches on
 * it skip the platform's framing and the fiber the platform forks for every
 * message it receives.
 */
const channels = new WeakMap<Raw, { readonly port: WorkerThreads.MessagePort; readonly bell: Int32Array }>()

// What V8 prints when a process runs out of heap (it then aborts).
const heapOutOfMemory = "JavaScript heap out of memory"

/**
 * The directory given to the main program's compile cache (Node names the
 * one it reports after its version, inside the one it was given), or
 * undefined when it has none. A worker does not inherit a cache turned on
 * with `module.enableCompileCache()` (the environment variable it does):
 * the handshake carries it, and the worker turns it on before it imports a
 * task's module (each new worker then compiles effect from the cache: ~10
 * of the ~40 ms its import takes in a fresh thread).
 */
const compileCache = (): string | undefined => {
  const dir = Module.getCompileCacheDir?.()
  return dir === undefined ? undefined : Path.resolve(Path.dirname(dir))
}

const spawnRaw = (kind: "thread" | "process", options: SpawnOptions, ping: P.PingData): Raw => {
  raiseMallocThresholds()
  if (kind === "thread") {
    const limits = options.maxMemoryMb === undefined
      ? options.resourceLimits
      : { ...options.resourceLimits, maxOldGenerationSizeMb: options.maxMemoryMb }
    const { port1, port2 } = new WorkerThreads.MessageChannel()
    const bell = new Int32Array(new SharedArrayBuffer(8))
    const worker = new WorkerThreads.Worker(entry, {
      resourceLimits: limits,
      env: options.env,
      execArgv: options.execArgv as Array<string> | undefined,
      workerData: { [P.CHANNEL_KEY]: port2, [P.BELL_KEY]: bell, [P.PING_KEY]: ping },
      transferList: [port2],
      // Node would pipe them into process.stdout and process.stderr, which
      // makes both streams at the first spawn (~1.3 ms of a cold start): what
      // the worker prints is written there as it comes instead (see `open`)
      stdout: true,
      stderr: true
    })
    channels.set(worker, { port: port1, bell })
    return worker
  }
  // A child starts clean: the parent's Node flags (--inspect, --cpu-prof, test
  // runners' loaders) are not inherited unless given in `execArgv`.
  const execArgv = [...(options.execArgv ?? [])]
  if (options.maxMemoryMb !== undefined) execArgv.push(`--max-old-space-size=${options.maxMemoryMb}`)
  // node:child_process is read on first use (~2-4 ms at start-up that the
  // default `thread` start method does not need).
  const { fork } = process.getBuiltinModule("node:child_process") as typeof ChildProcess
  return fork(entry, {
    serialization: "advanced",
    env: options.env ?? process.env,
    execArgv,
    stdio: ["ignore", "inherit", "pipe", "ipc"]
  })
}

/** Counts a post in a thread's doorbell, and wakes the thread if it sleeps on it (worker.ts). */
const ring = (bell: Int32Array): void => {
  Atomics.add(bell, P.BELL_POSTS, 1)
  if (Atomics.load(bell, P.BELL_SLEEPING) === 1) Atomics.notify(bell, P.BELL_POSTS, 1)
}

/** One worker, spawned as soon as it is opened; `run` is its incarnation. */
interface Opened {
  readonly run: (up: (link: Link) => void, receive: (batch: ReadonlyArray<unknown>) => void) => Effect.Effect<Death>
  /** Ends a worker that no incarnation took; resolves once it has exited. */
  readonly abandon: () => Promise<void>
}

/** `thread` (worker_threads) and `process` (child_process.fork). */
export const workerBackend = (kind: "thread" | "process", options: SpawnOptions): Backend => {
  // what killAll stops: every worker spawned that has not exited
  const live = new Set<() => void>()
  const open = (index: number): Opened => {
    let raw: Raw | undefined
    let exitCode: number | undefined
    let signal: string | undefined
    let error: unknown
    let outOfMemory = false
    let ready = false
    // the 'exit' event: for a child, before 'close' (what a retired worker waits for)
    let gone: Promise<void> = Promise.resolve()
    let channel: WorkerThreads.MessagePort | undefined
    let bell: Int32Array | undefined
    // what the incarnation gives once it runs: the worker may come up (or die) before
    let up: ((link: Link) => void) | undefined
    let receive: ((batch: ReadonlyArray<unknown>) => void) | undefined
    let cameUp: Link | undefined
    let died: (() => void) | undefined
    let dead = false
    // Requests, once the slot is open: straight on the thread's channel; for
    // a child, what `worker.send` would do (a send of `[0, batch]`) without
    // running a fiber for every batch.
    const post = (batch: Array<unknown>, transfers?: ReadonlyArray<unknown>) => {
      if (channel !== undefined) {
        channel.postMessage(batch, transfers as Array<Transferable>)
        ring(bell!)
      } else (raw as ChildProcess.ChildProcess).send([0, batch])
    }
    // Replies: on the thread's channel, or in `[1, batch]` messages from a child.
    const onBatch = (batch: ReadonlyArray<unknown>) => {
      if (batch[0] === P.FATAL_ID) {
        error ??= reviveError(batch[2])
      } else if (!ready && batch[0] === P.PING_ID) {
        ready = true
        const w = raw!
        const identity = "threadId" in w ? { threadId: w.threadId, pid: process.pid } : { threadId: 0, pid: w.pid ?? 0 }
        const link: Link = { post, kill, identity }
        if (up !== undefined) up(link)
        else cameUp = link
      } else {
        receive?.(batch)
      }
    }
    // Process.current's name there
    const name = options.name?.(index) ?? `PoolWorker-${index + 1}`
    const ping = (): P.PingData => [name, compileCache()]
    const spawn = () => {
      const w = spawnRaw(kind, options, ping())
      raw = w
      const link = channels.get(w)
      channel = link?.port
      bell = link?.bell
      channel?.on("message", onBatch)
      w.on("message", (message: readonly [0] | readonly [1, ReadonlyArray<unknown>]) => {
        // a child's ready: the slot opens once a ping has come back, which
        // carries the worker's name (a thread has its name from the start
        // and answers the ping unasked)
        if (message[0] === 0) tell([0, [P.OP_PING, P.PING_ID, "", ping()]])
        else onBatch(message[1])
      })
      // An 'error' (an uncaught exception, a failed spawn, a closed channel)
      // or 'messageerror' comes before the worker has exited: make sure it is
      // gone (its exit is reported once it has exited, whatever ended it).
      const failed = () => {
        if (exitCode === undefined && signal === undefined) kill()
      }
      w.on("error", (e: Error & { code?: string }) => {
        // A thread's 'error' is its uncaught exception; a child's is about the
        // channel (sending to a dead child), which says nothing of why it died.
        if (e.code !== "ERR_IPC_CHANNEL_CLOSED" && e.code !== "EPIPE") error ??= e
        failed()
      })
      w.on("messageerror", failed)
      // A child's 'close' comes after its stderr has been read (where V8
      // reports running out of memory); a thread has only 'exit'.
      const exited = new Promise<void>((resolve) =>
        w.once("threadId" in w ? "exit" : "close", (code: number | null, sig?: NodeJS.Signals | null) => {
          exitCode = code ?? undefined
          signal = sig ?? undefined
          // What a thread posted before it exited (its last replies, its
          // uncaught error) is in the channel already, but its 'message'
          // events may come after this one: take them now, before its
          // death is reported without them.
          if (channel !== undefined) {
            for (let m = WorkerThreads.receiveMessageOnPort(channel); m !== undefined; m = WorkerThreads.receiveMessageOnPort(channel)) {
              onBatch(m.message as ReadonlyArray<unknown>)
            }
          }
          resolve()
        })
      )
      live.add(kill)
      void exited.then(() => {
        live.delete(kill)
        dead = true
        died?.()
      })
      gone = new Promise((resolve) => w.once("exit", () => resolve()))
      // A thread's output (a child's stdout is inherited) is passed through;
      // in stderr, V8's out-of-memory report is noticed.
      w.stdout?.on("data", (chunk: Buffer) => process.stdout.write(chunk))
      w.stderr?.on("data", (chunk: Buffer) => {
        process.stderr.write(chunk)
        if (!outOfMemory && chunk.toString().includes(heapOutOfMemory)) outOfMemory = true
      })
    }
    // ended for good (a thread's terminate, a child's SIGKILL): nothing is asked of it any more,
    // and it is not killed twice (a pool's terminate reaches it by its slot and by killAll)
    let killed = false
    const kill = (signal: NodeJS.Signals = "SIGKILL") => {
      if (raw === undefined || killed) return
      if ("terminate" in raw) {
        killed = true
        void raw.terminate()
      } else {
        killed ||= signal === "SIGKILL"
        raw.kill(signal)
      }
    }
    const death = (): Death => {
      const e = error as (Error & { code?: string }) | undefined
      const resourceLimit = outOfMemory || e?.code === "ERR_WORKER_OUT_OF_MEMORY"
      return {
        exitCode,
        signal,
        resourceLimit,
        reason: e !== undefined ? describeError(e) : outOfMemory ? heapOutOfMemory : undefined,
        atStartup: !ready
      }
    }
    // A lifecycle message to the worker (the ping, the close request).
    const tell = (message: unknown) => {
      try {
        if (raw === undefined) return
        if ("terminate" in raw) {
          raw.postMessage(message)
          // rung like a post on the channel: a thread asleep on its doorbell
          // would read a close request only when its sleep ends (~20 ms)
          if (bell !== undefined) ring(bell)
        } else if (raw.connected) raw.send(message as ChildProcess.Serializable)
      } catch {
        // a worker that is gone; its exit is reported
      }
    }

    try {
      spawn()
    } catch (e) {
      // refused at once (invalid options): it never started
      error ??= e
    }

    return {
      abandon: () => {
        kill()
        channel?.close()
        return gone
      },
      run: (up_, receive_) =>
        Effect.callback<Death>((resume) => {
          up = up_
          receive = receive_
          if (raw === undefined || dead) return resume(Effect.sync(death))
          died = () => resume(Effect.sync(death))
          if (cameUp !== undefined) up_(cameUp)
          // Interrupted (retired, or the pool closing): asked to close, it has 5
          // seconds to exit before it is terminated. One still starting has run
          // nothing of ours or the user's yet: it is stopped at once (a close
          // request would wait for the rest of its ~25 ms boot). One killed
          // already (the pool terminated) is only waited for.
          return Effect.suspend(() =>
            killed ? Effect.promise(() => gone) : Effect.promise(() => {
              if (ready) tell([1])
              else kill()
              return gone
            }).pipe(
              Effect.timeout(5000),
              Effect.catchCause(() =>
                Effect.promise(() => {
                  kill()
                  return gone
                })
              ),
              Effect.asVoid
            )
          )
        }).pipe(Effect.ensuring(Effect.sync(() => channel?.close())))
    }
  }

  // Workers spawned before their slots' supervisors run (`warm`), each taken by its slot's first incarnation.
  const early = new Map<number, Opened>()
  return {
    killAll: () => {
      for (const kill of live) kill()
    },
    warm: (count) => {
      for (let index = 0; index < count; index++) if (!early.has(index)) early.set(index, open(index))
    },
    abandon: Effect.suspend(() => {
      const left = [...early.values()]
      early.clear()
      return left.length === 0 ? Effect.void : Effect.promise(() => Promise.all(left.map((opened) => opened.abandon())))
    }),
    incarnate: (index, up, receive) =>
      Effect.suspend(() => {
        const opened = early.get(index) ?? open(index)
        early.delete(index)
        return opened.run(up, receive)
      })
  }
}

/** `fiber`: the executor on the caller's thread; posting is a function call. */
export const fiberBackend: Backend = {
  incarnate: (_index, up, receive) =>
    Effect.gen(function*() {
      // The supervisor's context, without its span: a handler's spans belong
      // to its caller's trace (the context a call carries), as on a worker.
      const context = Context.omit(Tracer.ParentSpan)(yield* Effect.context<never>())
      // Nothing is cloned, but what a worker could not send back is refused
      // here too, so that code tested on fibers behaves the same on workers.
      const post = (batch: Array<unknown>) => {
        for (let i = 2; i < batch.length; i += P.REPLY_STRIDE) {
          if (findUncloneable(batch[i], "") !== undefined) throw cloneError()
        }
        receive(batch)
      }
      // spans are relayed here too, so that a task's spans reach a tracer
      // installed around the call alone, as from a worker
      const executor = makeExecutor({
        post,
        run: makeRun({ Context, Effect, Tracer }, context, relayTracer, (status, record) => executor.span(status, record))
      })
      up({ post: executor.receive, kill: executor.interruptAll, identity: { threadId: WorkerThreads.threadId, pid: process.pid } })
      return yield* Effect.never
    })
}

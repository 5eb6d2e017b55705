/**
 * Start methods as backends: how one worker incarnation of a slot is started,
 * talked to, and ended. `thread` and `process` go through `effect/workers`
 * (one supervised `Worker` per slot); `fiber` runs the same executor on the
 * caller's thread.
 */
import * as NodeWorker from "@effect/platform-node/NodeWorker"
import * as Effect from "effect/Effect"
import * as Worker from "effect/workers/Worker"
import * as ChildProcess from "node:child_process"
import * as WorkerThreads from "node:worker_threads"
import { findUncloneable } from "./clone.ts"
import { makeExecutor } from "./executor.ts"
import * as P from "./protocol.ts"
import type { Death, Link } from "./scheduler.ts"

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
}

export interface SpawnOptions {
  readonly resourceLimits?: WorkerThreads.ResourceLimits | undefined
  readonly env?: NodeJS.ProcessEnv | undefined
  readonly execArgv?: ReadonlyArray<string> | undefined
}

// The worker entry sits beside this module, as .ts in src/ and .js in dist/.
const entry = new URL(`./worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url)

type Raw = WorkerThreads.Worker | ChildProcess.ChildProcess

const spawnRaw = (kind: "thread" | "process", options: SpawnOptions): Raw =>
  kind === "thread"
    ? new WorkerThreads.Worker(entry, {
      resourceLimits: options.resourceLimits,
      env: options.env,
      execArgv: options.execArgv as Array<string> | undefined
    })
    : ChildProcess.fork(entry, {
      serialization: "advanced",
      env: options.env,
      execArgv: options.execArgv as Array<string> | undefined,
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })

/** `thread` (worker_threads) and `process` (child_process.fork) through `effect/workers`. */
export const workerBackend = (kind: "thread" | "process", options: SpawnOptions): Backend => ({
  incarnate: (index, up, receive) =>
    Effect.suspend(() => {
      let raw: Raw | undefined
      let exitCode: number | undefined
      let signal: string | undefined
      let error: unknown
      let ready = false
      let exited: Promise<void> = Promise.resolve()
      const spawn = () => {
        const w = spawnRaw(kind, options)
        raw = w
        w.once("error", (e) => {
          error ??= e
        })
        exited = new Promise((resolve) =>
          w.once("exit", (code: number | null, sig?: NodeJS.Signals | null) => {
            exitCode = code ?? undefined
            signal = sig ?? undefined
            resolve()
          })
        )
        return w
      }
      const kill = () => {
        if (raw === undefined) return
        if ("terminate" in raw) void raw.terminate()
        else raw.kill("SIGKILL")
      }
      const death = (): Death => {
        const e = error as (Error & { code?: string }) | undefined
        return {
          exitCode,
          signal,
          resourceLimit: e?.code === "ERR_WORKER_OUT_OF_MEMORY",
          reason: e === undefined ? undefined : `${e.name}: ${e.message}`,
          atStartup: !ready
        }
      }
      return Effect.gen(function*() {
        const platform = yield* Worker.WorkerPlatform
        const worker = yield* platform.spawn<Array<unknown>, Array<unknown>>(index)
        const post = (batch: Array<unknown>) => {
          const exit = Effect.runSyncExit(worker.send(batch))
          if (exit._tag === "Failure") throw exit.cause
        }
        // The platform holds messages sent before its port is open and fails
        // the whole worker if one of them cannot be cloned; so the slot opens
        // only once a ping has come back, and then every send is direct.
        yield* worker.run(
          (batch) => {
            if (!ready && batch[0] === P.PING_ID) {
              ready = true
              up({ post, kill })
            } else {
              receive(batch)
            }
            return Effect.void
          },
          { onSpawn: worker.send([P.OP_PING, P.PING_ID, "", undefined]).pipe(Effect.orDie) }
        )
        return death()
      }).pipe(
        // The platform reports an 'error' event before the worker has exited:
        // make sure it is gone, then read its exit code.
        Effect.catch(() =>
          Effect.promise(() => {
            if (exitCode === undefined && signal === undefined) kill()
            return exited
          }).pipe(Effect.map(death))
        ),
        Effect.provide(NodeWorker.layer(spawn))
      )
    })
})

/** `fiber`: the executor on the caller's thread; posting is a function call. */
export const fiberBackend: Backend = {
  incarnate: (_index, up, receive) =>
    Effect.gen(function*() {
      const runFork = Effect.runForkWith(yield* Effect.context<never>())
      // Nothing is cloned, but what a worker could not send back is refused
      // here too, so that code tested on fibers behaves the same on workers.
      const post = (batch: Array<unknown>) => {
        for (let i = 2; i < batch.length; i += P.REPLY_STRIDE) {
          if (findUncloneable(batch[i], "") !== undefined) throw new TypeError("cannot be cloned")
        }
        receive(batch)
      }
      const executor = makeExecutor({ post, runFork })
      up({ post: executor.receive, kill: executor.interruptAll })
      return yield* Effect.never
    })
}

/**
 * The `effect/workers` WorkerRunnerPlatform for Node, lean: the same protocol
 * as `@effect/platform-node/NodeWorkerRunner` (`[0]` ready, `[1, data]` out;
 * `[0, data]` requests and `[1]` close in), without its import of
 * `effect/workers/WorkerError`, which pulls in Schema and costs ~50 ms at
 * every worker start. Our handler is synchronous, so requests are dispatched
 * straight from the port's message event.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as WorkerRunner from "effect/workers/WorkerRunner"
import * as WorkerThreads from "node:worker_threads"

const start = <O, I>(): Effect.Effect<WorkerRunner.WorkerRunner<O, I>> =>
  Effect.sync(() => {
    const parentPort = WorkerThreads.parentPort
    if (parentPort === null && process.send === undefined) {
      throw new Error("effect-multiprocessing: the worker entry runs only in a worker thread or a forked child")
    }
    const sendRaw: (message: unknown, transfers?: ReadonlyArray<unknown>) => void = parentPort !== null
      ? (message, transfers) => parentPort.postMessage(message, transfers as any)
      : (message) => process.send!(message)
    const sendUnsafe = (_port: number, message: O, transfers?: ReadonlyArray<unknown>) => sendRaw([1, message], transfers)
    const run = <A, E, R>(
      handler: (portId: number, message: I) => Effect.Effect<A, E, R> | void
    ): Effect.Effect<void, never, R> =>
      Effect.gen(function*() {
        const runFork = Effect.runForkWith(yield* Effect.context<R>())
        const port = (parentPort ?? process) as unknown as NodeJS.EventEmitter
        yield* Effect.callback<void>((resume) => {
          const onMessage = (message: readonly [0, I] | readonly [1]) => {
            if (message[0] === 0) {
              const result = handler(0, message[1])
              if (result !== undefined) runFork(result)
              return
            }
            // close: let the event loop empty so that the worker exits
            if (parentPort !== null) parentPort.close()
            else process.channel?.unref()
            resume(Effect.void)
          }
          port.on("message", onMessage)
          sendRaw([0])
          return Effect.sync(() => port.off("message", onMessage))
        })
      })
    return {
      run,
      send: (port, message, transfers) => Effect.sync(() => sendUnsafe(port, message, transfers)),
      sendUnsafe
    }
  })

/** The lean Node WorkerRunnerPlatform. */
export const layer: Layer.Layer<WorkerRunner.WorkerRunnerPlatform> = Layer.succeed(
  WorkerRunner.WorkerRunnerPlatform
)({ start })

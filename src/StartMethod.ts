/**
 * Start methods: where a pool's workers run. Python has `fork`, `spawn` and
 * `forkserver` (plus `multiprocessing.dummy` for threads); here:
 *
 * - `thread`: worker_threads, the default. Real parallelism, cheap to start,
 *   shared memory possible.
 * - `process`: child_process.fork with advanced serialization. Isolation: a
 *   crash, a leak or a hung native call cannot touch the main program.
 * - `fiber`: the caller's own thread, like `multiprocessing.dummy`. No
 *   parallelism; for tests and I/O-bound work.
 *
 * The layers below set the start method of every pool made without an
 * explicit `startMethod`, so a suite can run the same program on fibers.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"

/**
 * @since 0.1.0
 * @category models
 */
export type StartMethod = "thread" | "process" | "fiber"

/**
 * The start method of pools made without an explicit `startMethod`.
 *
 * @since 0.1.0
 * @category references
 */
export const CurrentStartMethod: Context.Reference<StartMethod> = Context.Reference<StartMethod>(
  "effect-multiprocessing/StartMethod",
  { defaultValue: () => "thread" }
)

/**
 * Pools default to worker threads.
 *
 * @since 0.1.0
 * @category layers
 */
export const thread: Layer.Layer<never> = Layer.succeed(CurrentStartMethod, "thread")

/**
 * Pools default to child processes.
 *
 * @since 0.1.0
 * @category layers
 */
export const process: Layer.Layer<never> = Layer.succeed(CurrentStartMethod, "process")

/**
 * Pools default to fibers of the caller's thread.
 *
 * @since 0.1.0
 * @category layers
 */
export const fiber: Layer.Layer<never> = Layer.succeed(CurrentStartMethod, "fiber")

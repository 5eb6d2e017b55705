/**
 * effect-multiprocessing: Python's `multiprocessing` on Effect 4.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Barrier from "./Barrier.ts"

/**
 * @since 0.1.0
 */
export * as Cluster from "./Cluster.ts"

/**
 * @since 0.1.0
 */
export * as Condition from "./Condition.ts"

/**
 * @since 0.1.0
 */
export * as Errors from "./errors.ts"

/**
 * @since 0.1.0
 */
export * as Event from "./Event.ts"

/**
 * @since 0.1.0
 */
export * as Lock from "./Lock.ts"

/**
 * @since 0.1.0
 */
export * as Manager from "./Manager.ts"

/**
 * @since 0.1.0
 */
export * as Pipe from "./Pipe.ts"

/**
 * @since 0.1.0
 */
export * as Pool from "./Pool.ts"

/**
 * @since 0.1.0
 */
export * as Process from "./Process.ts"

/**
 * @since 0.1.0
 */
export * as Queue from "./Queue.ts"

/**
 * @since 0.1.0
 */
export * as RLock from "./RLock.ts"

/**
 * @since 0.1.0
 */
export * as Semaphore from "./Semaphore.ts"

/**
 * @since 0.1.0
 */
export * as Shared from "./Shared.ts"

/**
 * @since 0.1.0
 */
export * as StartMethod from "./StartMethod.ts"

/**
 * @since 0.1.0
 */
export * as Task from "./Task.ts"

export {
  BarrierClosed,
  BrokenBarrier,
  InitializerFailed,
  BrokenPipe,
  ClusterCallFailed,
  EventClosed,
  IndexOutOfRange,
  InvalidArgument,
  InvalidPayload,
  LockClosed,
  LockNotHeld,
  ManagerClosed,
  PipeClosed,
  PipeEOF,
  PoolNotRunning,
  QueueEnded,
  QueueShutdown,
  SemaphoreClosed,
  SerializationError,
  SharedClosed,
  TaskError,
  TaskModuleLoadError,
  TaskNotFound,
  TaskTimedOut,
  WorkerDied
} from "./errors.ts"
export type { PoolError } from "./errors.ts"

/**
 * The library's errors: a small closed set, each a `Schema.TaggedError` so that
 * it can be matched with `Effect.catchTag` and survives the crossing from a
 * worker to the main program.
 *
 * Each class is made on a stand-in base and becomes its `Schema.TaggedError`
 * class on first use (the first instance, or the first read of a Schema
 * member such as `ast`): importing the library does not load `effect/Schema`
 * (~40 ms), and a program that meets none of these errors never does.
 *
 * @since 0.1.0
 */
import { TaggedError } from "./internal/lazy.ts"

/**
 * A call was submitted to a pool that is closed, terminated, or broken by a
 * failed initializer. Python: `ValueError("Pool not running")`.
 *
 * @since 0.1.0
 * @category errors
 */
export class PoolNotRunning extends TaggedError<PoolNotRunning>()("PoolNotRunning", (Schema) => ({
  state: Schema.Literals(["closed", "terminated", "broken"])
})) {
  override get message(): string {
    return `Pool not running (${this.state})`
  }
}

/**
 * The worker running a task exited or crashed before the task finished. Only
 * the tasks that were on that worker fail with it; the slot is respawned.
 *
 * @since 0.1.0
 * @category errors
 */
export class WorkerDied extends TaggedError<WorkerDied>()("WorkerDied", (Schema) => ({
  /** Slot index of the worker in its pool. */
  worker: Schema.Number,
  /** Exit code of the thread or process, when it exited with one. */
  exitCode: Schema.optional(Schema.Number),
  /** Signal that ended the process (`"SIGKILL"`...), on the `process` start method. */
  signal: Schema.optional(Schema.String),
  /** True when the worker hit its memory limit (`resourceLimits` / `--max-old-space-size`). */
  resourceLimit: Schema.Boolean,
  /** What the worker reported last: an uncaught exception, an out-of-memory error... */
  reason: Schema.optional(Schema.String),
  /** The task it was running (`module#name`). */
  task: Schema.optional(Schema.String),
  /**
   * Queue items the worker (a child process) had taken in a batch and not yet
   * reported used: they died with it (at most this many; see the README's "Queues").
   */
  heldItems: Schema.optional(Schema.Number),
  /**
   * What the worker held that the main program released when it died, as a
   * robust mutex does (`Lock 3`, `Semaphore 5 (2 permits)`...): Python leaves
   * them held and deadlocks the others.
   */
  released: Schema.optional(Schema.Array(Schema.String))
})) {
  override get message(): string {
    const how = this.signal !== undefined
      ? `killed by ${this.signal}`
      : this.exitCode !== undefined
      ? `exited with code ${this.exitCode}`
      : "died"
    const limit = this.resourceLimit ? " after reaching its memory limit" : ""
    const reason = this.reason !== undefined ? `: ${this.reason}` : ""
    const task = this.task !== undefined ? ` while running ${this.task}` : ""
    const released = this.released !== undefined ? `; released ${this.released.join(", ")}` : ""
    return `Worker ${this.worker} ${how}${limit}${task}${reason}${released}`
  }
}

/**
 * The worker loaded the task's module, but found no task of that name in it.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskNotFound extends TaggedError<TaskNotFound>()("TaskNotFound", (Schema) => ({
  module: Schema.String,
  name: Schema.String
})) {
  override get message(): string {
    return `No task named "${this.name}" in module ${this.module} (is it created with Task.make at the module's top level?)`
  }
}

/**
 * The task's module could not be imported in the worker (it threw at import,
 * or it does not exist).
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskModuleLoadError extends TaggedError<TaskModuleLoadError>()("TaskModuleLoadError", (Schema) => ({
  module: Schema.String,
  name: Schema.String,
  reason: Schema.String,
  remoteStack: Schema.optional(Schema.String),
  /**
   * On a cluster: the task as the caller named it, `<module path relative to
   * its root>#<name>` (then `module` is where the runner looked for it).
   */
  requested: Schema.optional(Schema.String)
})) {
  override get message(): string {
    const requested = this.requested === undefined ? "" : ` (requested as ${this.requested})`
    return `Cannot load task "${this.name}" from ${this.module}${requested}: ${this.reason}`
  }
}

/**
 * The pool's initializer failed in a worker. The pool fails once with this
 * error and stops: it never respawns into the same failure.
 *
 * @since 0.1.0
 * @category errors
 */
export class InitializerFailed extends TaggedError<InitializerFailed>()("InitializerFailed", (Schema) => ({
  task: Schema.String,
  reason: Schema.String,
  remoteStack: Schema.optional(Schema.String)
})) {
  override get message(): string {
    return `Initializer ${this.task} failed: ${this.reason}`
  }
}

/**
 * A value cannot cross to or from a worker (a function, a symbol, a class that
 * structured clone refuses). Nothing was sent; the pool stays usable.
 *
 * @since 0.1.0
 * @category errors
 */
export class SerializationError extends TaggedError<SerializationError>()("SerializationError", (Schema) => ({
  task: Schema.String,
  direction: Schema.Literals(["argument", "result", "error"]),
  /** Where the value sits, e.g. `args[0].callback`. */
  path: Schema.String,
  /** What it is: `function`, `symbol`, `WeakMap`... */
  valueType: Schema.String
})) {
  override get message(): string {
    return `Cannot send the ${this.direction} of ${this.task}: ${this.path} is a ${this.valueType}, which cannot be cloned`
  }
}

/**
 * The arguments do not satisfy the task's `payload` schema; nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidPayload extends TaggedError<InvalidPayload>()("InvalidPayload", (Schema) => ({
  task: Schema.String,
  issue: Schema.String
})) {
  override get message(): string {
    return `Invalid arguments for ${this.task}: ${this.issue}`
  }
}

/**
 * A bad option or a call at the wrong moment (Python's `ValueError`).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidArgument extends TaggedError<InvalidArgument>()("InvalidArgument", (Schema) => ({
  reason: Schema.String
})) {
  override get message(): string {
    return this.reason
  }
}

/**
 * An error thrown (or a Promise rejected) by a task's handler, rebuilt on the
 * caller's side with its name, message, remote stack and the fields that could
 * be cloned. Python re-raises the exception with the worker's traceback.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskError extends TaggedError<TaskError>()("TaskError", (Schema) => ({
  task: Schema.String,
  name: Schema.String,
  reason: Schema.String,
  remoteStack: Schema.optional(Schema.String),
  /** The thrown value's own fields (those that could be cloned), or the value itself if it was not an Error. */
  data: Schema.optional(Schema.Unknown)
})) {
  override get message(): string {
    return `${this.name}: ${this.reason}`
  }
}

/**
 * The queue was ended (`Queue.end`): nothing more can be offered, and once
 * its items are drained `take` fails with this. Python: `ValueError("Queue is
 * closed")` on put; ours lets consumers drain first, like `effect/Queue.end`.
 *
 * @since 0.1.0
 * @category errors
 */
export class QueueEnded extends TaggedError<QueueEnded>()("QueueEnded", () => ({})) {
  override get message(): string {
    return "The queue has ended: no more items will come"
  }
}

/**
 * The queue was shut down (`Queue.shutdown`, or its scope closed): every
 * waiter and every later call fails with this at once.
 *
 * @since 0.1.0
 * @category errors
 */
export class QueueShutdown extends TaggedError<QueueShutdown>()("QueueShutdown", () => ({})) {
  override get message(): string {
    return "The queue has been shut down (Queue.shutdown, or its scope closed)"
  }
}

/**
 * `Pipe.recv` on an end whose peer was closed, once everything the peer sent
 * has been received. Python: `EOFError`.
 *
 * @since 0.1.0
 * @category errors
 */
export class PipeEOF extends TaggedError<PipeEOF>()("PipeEOF", () => ({})) {
  override get message(): string {
    return "End of file: the other end of the pipe was closed and everything it sent has been received"
  }
}

/**
 * `Pipe.send` to an end that was closed. Python: `BrokenPipeError`.
 *
 * @since 0.1.0
 * @category errors
 */
export class BrokenPipe extends TaggedError<BrokenPipe>()("BrokenPipe", () => ({})) {
  override get message(): string {
    return "Broken pipe: the other end of the pipe was closed"
  }
}

/**
 * Any use of a connection end after it was closed (or after the pipe's scope
 * closed). Python: `OSError("handle is closed")`.
 *
 * @since 0.1.0
 * @category errors
 */
export class PipeClosed extends TaggedError<PipeClosed>()("PipeClosed", () => ({})) {
  override get message(): string {
    return "This end of the pipe is closed"
  }
}

/**
 * `Lock.release` of a lock nobody holds. Python: `ValueError("lock released too many times")`.
 *
 * @since 0.1.0
 * @category errors
 */
export class LockNotHeld extends TaggedError<LockNotHeld>()("LockNotHeld", (Schema) => ({
  reason: Schema.String
})) {
  override get message(): string {
    return this.reason
  }
}

/**
 * The lock's scope closed: every waiter and every later call fails with this.
 *
 * @since 0.1.0
 * @category errors
 */
export class LockClosed extends TaggedError<LockClosed>()("LockClosed", () => ({})) {
  override get message(): string {
    return "The lock's scope has closed"
  }
}

/**
 * The event's scope closed: every waiter and every later call fails with this.
 *
 * @since 0.1.0
 * @category errors
 */
export class EventClosed extends TaggedError<EventClosed>()("EventClosed", () => ({})) {
  override get message(): string {
    return "The event's scope has closed"
  }
}

/**
 * The semaphore's scope closed: every waiter and every later call fails with this.
 *
 * @since 0.1.0
 * @category errors
 */
export class SemaphoreClosed extends TaggedError<SemaphoreClosed>()("SemaphoreClosed", () => ({})) {
  override get message(): string {
    return "The semaphore's scope has closed"
  }
}

/**
 * The barrier was broken: aborted, reset, left early by a waiter that timed
 * out, was interrupted or died, or its action failed. Every waiter of the
 * round fails with this, and every later `wait` until `Barrier.reset`.
 * Python: `BrokenBarrierError`.
 *
 * @since 0.1.0
 * @category errors
 */
export class BrokenBarrier extends TaggedError<BrokenBarrier>()("BrokenBarrier", (Schema) => ({
  reason: Schema.String
})) {
  override get message(): string {
    return this.reason
  }
}

/**
 * The barrier's scope closed: every waiter and every later call fails with this.
 *
 * @since 0.1.0
 * @category errors
 */
export class BarrierClosed extends TaggedError<BarrierClosed>()("BarrierClosed", () => ({})) {
  override get message(): string {
    return "The barrier's scope has closed"
  }
}

/**
 * The manager's scope closed: every call on its dicts, lists and namespaces,
 * from any worker, fails with this. Python: the proxy's connection error
 * after `shutdown()`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ManagerClosed extends TaggedError<ManagerClosed>()("ManagerClosed", () => ({})) {
  override get message(): string {
    return "The manager's scope has closed"
  }
}

/**
 * An index outside a shared array or a managed list. Python: `IndexError`.
 *
 * @since 0.1.0
 * @category errors
 */
export class IndexOutOfRange extends TaggedError<IndexOutOfRange>()("IndexOutOfRange", (Schema) => ({
  index: Schema.Number,
  length: Schema.Number
})) {
  override get message(): string {
    return `index ${this.index} is out of range for length ${this.length}`
  }
}

/**
 * The shared value's (or array's, or ref's) scope closed: every later call fails with this.
 *
 * @since 0.1.0
 * @category errors
 */
export class SharedClosed extends TaggedError<SharedClosed>()("SharedClosed", () => ({})) {
  override get message(): string {
    return "The shared value's scope has closed"
  }
}

/**
 * A call did not finish within its `timeout` (a cluster pool's call option);
 * it was interrupted, also on the runner that ran it.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskTimedOut extends TaggedError<TaskTimedOut>()("TaskTimedOut", (Schema) => ({
  task: Schema.String,
  millis: Schema.Number
})) {
  override get message(): string {
    return `${this.task} did not finish within ${this.millis} ms`
  }
}

/**
 * The cluster could not carry a call to a runner or its reply back (storage
 * unreachable, mailbox full...): an `effect/cluster` error, by tag and message.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClusterCallFailed extends TaggedError<ClusterCallFailed>()("ClusterCallFailed", (Schema) => ({
  task: Schema.String,
  /** The cluster error's tag (`PersistenceError`, `MailboxFull`...). */
  clusterError: Schema.String,
  reason: Schema.String
})) {
  override get message(): string {
    return `The cluster could not run ${this.task}: ${this.clusterError}: ${this.reason}`
  }
}

/**
 * Every error the library itself can produce.
 *
 * @since 0.1.0
 * @category errors
 */
export type PoolError =
  | InvalidArgument
  | PoolNotRunning
  | WorkerDied
  | TaskNotFound
  | TaskModuleLoadError
  | InitializerFailed
  | SerializationError
  | InvalidPayload
  | TaskTimedOut
  | ClusterCallFailed

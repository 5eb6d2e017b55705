/**
 * A pool of workers: Python's `multiprocessing.Pool` as a scoped Effect
 * resource. Calls run on worker threads (`thread`, the default), child
 * processes (`process`) or fibers of the caller's thread (`fiber`); results
 * come back in input order, typed failures arrive as themselves, and a worker
 * that dies fails only the tasks it was running.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const pool = yield* Pool.make({ processes: 4 })
 *   const squares = yield* pool.map(square, [1, 2, 3]) // [1, 4, 9]
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import type { SqlClient } from "effect/sql/SqlClient"
import type * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import * as os from "node:os"
import type { ResourceLimits, Transferable } from "node:worker_threads"
import * as Errors from "./errors.ts"
import { type Backend, fiberBackend, workerBackend } from "./internal/backend.ts"
import { guard } from "./internal/bootstrap.ts"
import { checkOptions, isTask, notArray, notIterable, notTask, poolOptionKinds } from "./internal/check.ts"
import { findUncloneable } from "./internal/clone.ts"
import { holdsShared, madeAny, toRemote } from "./internal/handles.ts"
import { Stream as loadStream } from "./internal/lazy.ts"
import { packNumbers } from "./internal/pack.ts"
import { schedulers, workerName } from "./internal/poolInternals.ts"
import { decodeExit, encodePayload } from "./internal/decode.ts"
import * as P from "./internal/protocol.ts"
import { type ExitDone, type Job, makeScheduler, type Scheduler, type Source } from "./internal/scheduler.ts"
import { supervise } from "./internal/supervisor.ts"
import { callsStream } from "./internal/calls.ts"
import { callbackSpan, relayTo, traceParent } from "./internal/callSpan.ts"
import { makeReplay, type RelayTo } from "./internal/relay.ts"
import { CurrentStartMethod, type StartMethod } from "./StartMethod.ts"
import type * as Cluster from "./Cluster.ts"
import type { Any, Task } from "./Task.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options<InitArgs extends ReadonlyArray<any> = ReadonlyArray<any>> {
  /** Number of workers. Default: `os.availableParallelism()`. Python: `processes`. */
  readonly processes?: number | undefined
  /** `"thread"` (default), `"process"` or `"fiber"`. */
  readonly startMethod?: StartMethod | undefined
  /** A task run once in each worker before it takes any work. */
  readonly initializer?: Task<InitArgs, any, any, never> | undefined
  readonly initargs?: InitArgs | undefined
  /** Replace a worker after it has run this many tasks (a chunk of `map` counts as one). */
  readonly maxTasksPerChild?: number | undefined
  /**
   * How long an interrupted task may take to stop before its worker is
   * terminated and replaced (a task stuck in synchronous code). Default: 1 second.
   */
  readonly interruptGracePeriod?: Duration.Input | undefined
  /**
   * Heap limit of each worker in MiB (`resourceLimits.maxOldGenerationSizeMb`
   * for threads, `--max-old-space-size` for processes). A task that goes past
   * it fails with `WorkerDied` (`resourceLimit: true`) and the worker is replaced.
   */
  readonly maxMemoryMb?: number | undefined
  /** Further limits of each worker thread (`thread` start method). */
  readonly resourceLimits?: ResourceLimits | undefined
  /** Environment of each worker. Default: `process.env` (a copy, for threads). */
  readonly env?: NodeJS.ProcessEnv | undefined
  /**
   * Node options of each worker. Threads inherit the main program's by
   * default; child processes start with none but these.
   */
  readonly execArgv?: ReadonlyArray<string> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface MapOptions {
  /**
   * Inputs per message to a worker. Default, as Python: `ceil(n / (4 * processes))`.
   * With 1, each input is its own call, handed to whichever worker is free, as
   * tasks of uneven length want: the fastest way to submit many separate calls
   * at once (no fiber per call, as `Effect.forEach` over `apply` makes).
   */
  readonly chunksize?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ApplyOptions {
  /**
   * Buffers to move to the worker instead of copying them (`thread` start
   * method; a child process copies). They are detached in the caller.
   */
  readonly transfer?: ReadonlyArray<Transferable | ArrayBufferLike> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions {
  /** Inputs per message to a worker. Default, as Python's `imap`: 1. */
  readonly chunksize?: number | undefined
  /** Most chunks in flight at once (backpressure). Default: 16 per worker. */
  readonly window?: number | undefined
}

/**
 * A live worker, for diagnostics (Python: the pids of `pool._pool`).
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkerInfo {
  /** Slot of the worker in the pool (stable across replacements). */
  readonly index: number
  /** Process id: the child's on `process`, the main program's on `thread` and `fiber`. */
  readonly pid: number
  /** `worker_threads` thread id on `thread` (0 elsewhere). */
  readonly threadId: number
}

/**
 * A pool of workers. Python names in brackets.
 *
 * @since 0.1.0
 * @category models
 */
export interface Pool {
  readonly processes: number
  readonly startMethod: StartMethod
  /** The workers running now, once each has started (or the pool stopped first). */
  readonly workers: Effect.Effect<ReadonlyArray<WorkerInfo>>
  /** One call, arguments as a list [`apply`]. */
  readonly apply: <Args extends ReadonlyArray<any>, A, E, R>(
    task: Task<Args, A, E, R>,
    args: NoInfer<Args>,
    options?: ApplyOptions
  ) => Effect.Effect<A, E | Errors.PoolError, R>
  /** One call in the background: a fiber in the pool's scope [`apply_async`]. */
  readonly applyAsync: <Args extends ReadonlyArray<any>, A, E, R>(
    task: Task<Args, A, E, R>,
    args: NoInfer<Args>,
    options?: ApplyOptions
  ) => Effect.Effect<Fiber.Fiber<A, E | Errors.PoolError>, never, R>
  /**
   * The task on every input, results in input order [`map`]. Fails with the
   * first failure and interrupts the rest; with `{ mode: "exit" }` it returns
   * every outcome instead.
   */
  readonly map: {
    <I, A, E, R>(
      task: Task<readonly [I], A, E, R>,
      inputs: Iterable<NoInfer<I>>,
      options?: MapOptions & { readonly mode?: "fail-fast" | undefined }
    ): Effect.Effect<Array<A>, E | Errors.PoolError, R>
    <I, A, E, R>(
      task: Task<readonly [I], A, E, R>,
      inputs: Iterable<NoInfer<I>>,
      options: MapOptions & { readonly mode: "exit" }
    ): Effect.Effect<Array<Exit.Exit<A, E | Errors.PoolError>>, Errors.InvalidArgument, R>
  }
  /** The task on every argument list [`starmap`]. */
  readonly starmap: {
    <Args extends ReadonlyArray<any>, A, E, R>(
      task: Task<Args, A, E, R>,
      inputs: Iterable<NoInfer<Args>>,
      options?: MapOptions & { readonly mode?: "fail-fast" | undefined }
    ): Effect.Effect<Array<A>, E | Errors.PoolError, R>
    <Args extends ReadonlyArray<any>, A, E, R>(
      task: Task<Args, A, E, R>,
      inputs: Iterable<NoInfer<Args>>,
      options: MapOptions & { readonly mode: "exit" }
    ): Effect.Effect<Array<Exit.Exit<A, E | Errors.PoolError>>, Errors.InvalidArgument, R>
  }
  /** Results as a Stream in input order, with a bounded window of work in flight [`imap`]. */
  readonly imap: <I, A, E, R, EI = never, RI = never>(
    task: Task<readonly [I], A, E, R>,
    inputs: Iterable<NoInfer<I>> | Stream.Stream<NoInfer<I>, EI, RI>,
    options?: StreamOptions
  ) => Stream.Stream<A, E | EI | Errors.PoolError, R | RI>
  /** Results as a Stream in completion order [`imap_unordered`]. */
  readonly imapUnordered: <I, A, E, R, EI = never, RI = never>(
    task: Task<readonly [I], A, E, R>,
    inputs: Iterable<NoInfer<I>> | Stream.Stream<NoInfer<I>, EI, RI>,
    options?: StreamOptions
  ) => Stream.Stream<A, E | EI | Errors.PoolError, R | RI>
  /** No new work; what is queued and running finishes, then the workers exit [`close`]. */
  readonly close: Effect.Effect<void>
  /** Waits for the workers of a closed or terminated pool to exit [`join`]. */
  readonly join: Effect.Effect<void, Errors.InvalidArgument>
  /** Stops now: queued and running calls fail with `PoolNotRunning` [`terminate`]. */
  readonly terminate: Effect.Effect<void>
}

/**
 * The pool as a service, for `Pool.layer`.
 *
 * @since 0.1.0
 * @category services
 */
export const Pool: Context.Service<Pool, Pool> = Context.Service<Pool>("effect-multiprocessing/Pool")

// Only what a worker is spawned with: the rest of a user's options (known or not) is not the backend's.
const backendOf = (method: StartMethod, options: Options): Backend =>
  method === "fiber" ? fiberBackend : workerBackend(method, {
    resourceLimits: options.resourceLimits,
    maxMemoryMb: options.maxMemoryMb,
    env: options.env,
    execArgv: options.execArgv,
    name: (options as { readonly [workerName]?: (index: number) => string })[workerName]
  })

const checkPoolOptions = (options: Options): Errors.InvalidArgument | undefined => {
  if ((options?.startMethod as string | undefined) === "cluster") {
    return new Errors.InvalidArgument({
      reason: "Pool.make: \"cluster\" is not a start method of a local pool: a pool on a cluster is Pool.cluster(options) " +
        "or Cluster.layer(options), which need the cluster's SqlClient"
    })
  }
  const wrong = checkOptions("Pool.make", options, poolOptionKinds)
  if (wrong !== undefined) return wrong
  if (options?.initargs !== undefined && options.initializer === undefined) {
    return new Errors.InvalidArgument({ reason: "initargs given without an initializer" })
  }
  return undefined
}

/** A call's task, arguments and options, checked before anything is sent. */
const checkCall = (operation: string, task: unknown, args: unknown, options: unknown): Errors.InvalidArgument | undefined => {
  if (!isTask(task)) return notTask(operation, task)
  if (!Array.isArray(args)) {
    return notArray(operation, "the task's arguments", args, `${operation}(task, [${args === undefined ? "" : "x"}])`)
  }
  return options === undefined ? undefined : checkOptions(operation, options, { transfer: "array" })
}

/** A map's task, inputs and options (each input of a starmap an argument list). */
const checkMap = (operation: string, task: unknown, inputs: unknown, options: unknown, stream: boolean): Errors.InvalidArgument | undefined => {
  if (!isTask(task)) return notTask(operation, task)
  const wrong = notIterable(operation, inputs, stream)
  if (wrong !== undefined) return wrong
  return options === undefined ? undefined : checkOptions(operation, options, stream ? { chunksize: "whole>=1", window: "whole>=1" } : { chunksize: "whole>=1" })
}

/**
 * Starts a pool in the current scope; closing the scope terminates it and
 * every worker. Fails when an option is invalid or the initializer fails.
 *
 * Returns once one worker can take tasks; the others finish starting
 * meanwhile, and tasks wait for them (as Python's `Pool()` returns before its
 * workers are up). With an `initializer`, it returns once every worker has
 * run it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <InitArgs extends ReadonlyArray<any> = []>(
  options?: Options<InitArgs>
) => Effect.Effect<Pool, Errors.InvalidArgument | Errors.PoolError, Scope.Scope> = Effect.fn("Pool.make")(
  function*(options: Options<any> = {}) {
    yield* guard("Pool.make")
    const invalid = checkPoolOptions(options)
    if (invalid) return yield* invalid
    const processes = options.processes ?? os.availableParallelism()
    const startMethod: StartMethod = options.startMethod ?? (yield* CurrentStartMethod)
    const scope = yield* Scope.Scope
    // The workers are spawned first: each boots (~25 ms) while the scheduler
    // and the supervisors' fibers are built (~2 ms of a cold start otherwise).
    // (what no slot took is ended when the scope closes: the finalizer comes first)
    const replay = makeReplay()
    const backend = backendOf(startMethod, options)
    if (backend.abandon !== undefined) yield* Scope.addFinalizer(scope, backend.abandon)
    backend.warm?.(processes)
    const context = yield* Effect.context<never>()
    const runFork = Effect.runForkWith(context)
    const scheduler = makeScheduler({
      processes,
      maxTasksPerChild: options.maxTasksPerChild,
      interruptGrace: Duration.toMillis(options.interruptGracePeriod ?? Duration.seconds(1)),
      initializer: options.initializer && { task: options.initializer, args: options.initargs ?? [] },
      onSpan: replay.receive,
      onWorkerGone: replay.workerGone,
      onLog: (slot, level, [message, annotations]) => {
        runFork(
          Effect.logWithLevel(level as any)(...(message as Array<unknown>)).pipe(
            Effect.annotateLogs({ ...(annotations as Record<string, unknown>), worker: slot })
          )
        )
      }
    })

    // The workers' fibers live in a child scope, and `terminate` is registered
    // after it: closing the pool's scope terminates the pool first, and only
    // then interrupts fibers that would otherwise see their worker end while
    // the pool still runs (and start a new one).
    const workersScope = yield* Scope.fork(scope)
    const supervisor = yield* supervise(scheduler, backend, workersScope)
    const terminate = Effect.suspend(() => {
      scheduler.terminate()
      backend.killAll?.()
      return supervisor.stop
    }).pipe(Effect.withSpan("Pool.terminate"))
    yield* Scope.addFinalizer(scope, terminate)
    yield* scheduler.started

    const pool = makePool(scheduler, {
      processes,
      startMethod,
      scope,
      close: Effect.suspend(() => {
        scheduler.close()
        return Effect.forkIn(Effect.andThen(scheduler.idle, supervisor.stop), scope)
      }).pipe(Effect.asVoid, Effect.withSpan("Pool.close")),
      join: Effect.suspend(() =>
        scheduler.state === "running"
          ? Effect.fail(new Errors.InvalidArgument({ reason: "join() needs close() or terminate() first" }))
          : supervisor.join
      ).pipe(Effect.withSpan("Pool.join")),
      terminate
    })
    schedulers.set(pool, scheduler)
    return pool
  }
)

/**
 * A pool whose workers are effect/cluster runners on other machines (or
 * processes): `Cluster.pool`, under the name a `Pool` user looks for. It has
 * this module's `Pool` interface (plus a `timeout` on every call) and needs
 * the cluster's `SqlClient`; `Cluster.layer` provides it as `Pool.Pool`. See
 * the Cluster module and the README's "Beyond one machine". The cluster
 * implementation is loaded on first use.
 *
 * @since 0.1.0
 * @category constructors
 */
export const cluster = (
  options?: Cluster.Options
): Effect.Effect<Cluster.ClusterPool, Errors.InvalidArgument | Config.ConfigError, Scope.Scope | SqlClient> =>
  Effect.flatMap(Effect.promise(() => import("./Cluster.ts")), (m) => m.pool(options))

/**
 * The pool as a layer: started when the layer is built, terminated when it is
 * released.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <InitArgs extends ReadonlyArray<any> = []>(
  options?: Options<InitArgs>
): Layer.Layer<Pool, Errors.InvalidArgument | Errors.PoolError> => Layer.effect(Pool, make(options))

// -- calls ------------------------------------------------------------------

interface Internals {
  readonly processes: number
  readonly startMethod: StartMethod
  readonly scope: Scope.Scope
  readonly close: Effect.Effect<void>
  readonly join: Effect.Effect<void, Errors.InvalidArgument>
  readonly terminate: Effect.Effect<void>
}

/** What a call carries beside its arguments (`carry` in makePool). */
interface Carry {
  readonly services: ReadonlyArray<unknown>
  readonly relay: RelayTo | undefined
}

const makePool = (scheduler: Scheduler, internals: Internals): Pool => {
  const { processes, startMethod } = internals
  // `fiber` clones nothing, yet must refuse what the other methods refuse.
  const precheck = startMethod === "fiber"

  /**
   * The arguments as they will be sent: encoded by the payload contract, and
   * refused (an error) when they do not satisfy it, or on `fiber` when a
   * worker could not receive them. Nothing is queued for a refused call.
   */
  const prepare = (
    task: Any,
    args: ReadonlyArray<unknown>,
    path: string
  ): ReadonlyArray<unknown> | Errors.PoolError => {
    const encoded = encodePayload(task, args)
    if (!Array.isArray(encoded)) return encoded as Errors.InvalidPayload
    args = encoded
    if (precheck) {
      const bad = findUncloneable(args, path)
      if (bad !== undefined) return new Errors.SerializationError({ task: task.key, direction: "argument", ...bad })
    }
    return args
  }

  // Shared objects cross to a child process as remote handles (see handles.ts).
  const crossing = startMethod === "process" ? toRemote : (data: unknown) => data

  /**
   * The op and data as they are sent: with the task's services attached
   * (`[data, [key, value, ...]]`), and flagged when shared objects are in
   * them. Only tasks with services, or programs with shared objects, pay.
   */
  const seal = (op: number, data: unknown, services: ReadonlyArray<unknown> | undefined): readonly [number, unknown] => {
    let sealed = data
    if (services !== undefined) {
      op |= P.SERVICES_FLAG
      sealed = [data, services]
    }
    if (madeAny && holdsShared(sealed)) return [op | P.SHARED_FLAG, crossing(sealed)]
    return [op, sealed]
  }

  /**
   * What a call carries beside its arguments: `services`, as `[key, value,
   * ...]`, the task's declared services read from the caller's context and
   * the trace context of `parent` (callSpan.ts); and under an installed
   * tracer, `relay`: where the spans its worker relays go (relay.ts).
   * Undefined when there is nothing to carry.
   */
  const carry = (task: Any, fiber: Fiber.Fiber<unknown, unknown>, parent: Tracer.AnySpan | undefined): Carry | undefined => {
    const keys = task?.contract?.services
    const span = traceParent(fiber, parent)
    const none = keys === undefined || keys.length === 0
    if (none && span === undefined) return undefined
    const tracer = span?._tag === "Span" ? relayTo(fiber) : undefined
    // the calls of one caller (a loop, a forEach) share its span: what they carry is made once
    if (none && tracer === undefined && span === lastSpan) return lastCarry
    const services: Array<unknown> = []
    if (!none) for (const key of keys) services.push(key.key, Context.getUnsafe(fiber.context, key))
    if (span === undefined) return { services, relay: undefined }
    const flags = (span.sampled ? P.TRACE_SAMPLED : 0) | (tracer !== undefined ? P.TRACE_RELAY : 0)
    services.push(P.TRACE_KEY, span.traceId, span.spanId, flags)
    const carried = { services, relay: tracer === undefined ? undefined : { span, tracer } }
    if (none && tracer === undefined) {
      lastSpan = span
      lastCarry = carried
    }
    return carried
  }
  let lastSpan: Tracer.AnySpan | undefined
  let lastCarry: Carry | undefined

  /** Runs `f` with what a call carries (`carry`), under the caller's current span. */
  const withCarry = <A, E, R>(
    task: Any,
    f: (carried: Carry | undefined) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E, R> => Effect.withFiber((fiber) => f(carry(task, fiber, fiber.cache.span)))

  /** Prepares and submits one call; `done` gets its outcome (at once, with no job, if it is refused). */
  const submitExit = (
    task: Any,
    args: ReadonlyArray<unknown>,
    carried: Carry | undefined,
    transfer: ReadonlyArray<unknown> | undefined,
    done: ExitDone
  ): Job | undefined => {
    const prepared = prepare(task, args, "args")
    if (!Array.isArray(prepared)) {
      done(Exit.fail(prepared))
      return undefined
    }
    const moved = startMethod === "thread" ? transfer : undefined
    if (carried === undefined && !madeAny) {
      return scheduler.submit(P.OP_CALL, task, prepared, done, moved, undefined, true)
    }
    const [op, data] = seal(P.OP_CALL, prepared, carried?.services)
    return scheduler.submit(op, task, data, done, moved, carried?.relay, true)
  }

  /** Submits one call for a callback's `resume`, and returns the callback's canceller (none if it was refused). */
  const submitCancellable = (
    task: Any,
    args: ReadonlyArray<unknown>,
    carried: Carry | undefined,
    transfer: ReadonlyArray<unknown> | undefined,
    resume: ExitDone
  ): Effect.Effect<void> | undefined => {
    const job = submitExit(task, args, carried, transfer, resume)
    return job === undefined ? undefined : scheduler.cancel(job)
  }

  const call = (task: Any, args: ReadonlyArray<unknown>, carried: Carry | undefined): Effect.Effect<any, any> =>
    Effect.callback((resume) => submitCancellable(task, args, carried, undefined, resume))

  /**
   * Runs chunks of inputs; `fail-fast` fails with the first failure (after
   * interrupting the other chunks), `exit` collects every outcome.
   */
  const chunks = (
    task: Any,
    star: boolean,
    inputs: ReadonlyArray<unknown>,
    size: number,
    exitMode: boolean,
    carried?: Carry
  ): Effect.Effect<Array<any>, any> =>
    Effect.callback((resume) => {
      const results: Array<unknown> = new Array(inputs.length)
      // What is sent, and where its results go: with a payload contract (or on
      // `fiber`) each input is prepared, and in `exit` mode a refused one gets
      // its failure at once and is not sent.
      let sent = inputs
      let slots: Array<number> | undefined
      if (precheck || task.contract?.payload !== undefined) {
        sent = []
        slots = []
        for (let i = 0; i < inputs.length; i++) {
          const prepared = prepare(task, star ? inputs[i] as ReadonlyArray<unknown> : [inputs[i]], `inputs[${i}]`)
          if (!Array.isArray(prepared)) {
            if (!exitMode) return resume(Effect.fail(prepared))
            results[i] = Exit.fail(prepared)
            continue
          }
          ;(sent as Array<unknown>).push(star ? prepared : prepared[0])
          slots.push(i)
        }
      }
      const n = sent.length
      if (n === 0) return resume(Effect.succeed(results))
      const at = slots === undefined ? (k: number) => k : (k: number) => slots![k]
      const services = carried?.services
      const shared = madeAny && holdsShared(sent)
      const sealed = services !== undefined || shared
      const op = star ? (exitMode ? P.OP_STARMAP_EXIT : P.OP_STARMAP) : (exitMode ? P.OP_MAP_EXIT : P.OP_MAP)
      const units = Math.ceil(n / size)
      let pending = units
      let failed = false
      // A unit's outcome: its chunk's values, or the failure of the whole chunk.
      const complete = (unit: number, status: number, value: unknown) => {
        if (failed) return
        const start = unit * size
        const count = Math.min(n, start + size) - start
        if (status === P.S_OK) {
          const values = value as Array<unknown>
          if (exitMode) {
            for (let k = 0; k < count; k++) {
              results[at(start + k)] ??= decodeExit(task, values[2 * k] as number, values[2 * k + 1])
            }
          } else if (task.contract?.success === undefined) {
            for (let k = 0; k < values.length; k++) results[at(start + k)] = values[k]
          } else {
            for (let k = 0; k < values.length; k++) {
              const exit = decodeExit(task, P.S_OK, values[k])
              if (exit._tag === "Failure") {
                failed = true
                return resume(Effect.andThen(cancelAll, exit))
              }
              results[at(start + k)] = exit.value
            }
          }
        } else if (exitMode) {
          // The whole chunk failed (its worker died, its module did not load).
          const exit = decodeExit(task, status, value)
          for (let k = 0; k < count; k++) results[at(start + k)] ??= exit
        } else {
          failed = true
          return resume(Effect.andThen(cancelAll, decodeExit(task, status, value)))
        }
        if (--pending === 0) resume(Effect.succeed(results))
      }
      // Numbers cross packed, and a worker thread gets their buffer moved (see
      // pack.ts), with the services and trace context beside them if any.
      const pack = !star && !precheck && !shared && task.contract?.payload === undefined
      const source: Source = {
        source: true,
        remaining: units,
        next: (make) => {
          const unit = units - source.remaining--
          const start = unit * size
          const end = Math.min(n, start + size)
          const packed = pack ? packNumbers(sent, start, end) : undefined
          const part = packed ?? (size === 1 ? [sent[start]] : sent.slice(start, end))
          // (no destructuring here: its iterator is an allocation per call)
          const sealedPart = sealed ? seal(op, part, services) : undefined
          const transfer = packed !== undefined && startMethod === "thread" ? [packed.buffer] : undefined
          return make(
            sealedPart === undefined ? op : sealedPart[0],
            task,
            sealedPart === undefined ? part : sealedPart[1],
            (status, value) => complete(unit, status, value),
            transfer,
            carried?.relay,
            false
          )
        },
        fail: (error) => {
          while (source.remaining > 0) complete(units - source.remaining--, P.S_LOCAL, error)
        }
      }
      const cancelAll = scheduler.cancelSource(source)
      if (!scheduler.submitSource(source)) return
      return cancelAll
    })

  const chunkSize = (n: number, chunksize: number | undefined): number | Errors.InvalidArgument => {
    if (chunksize === undefined) return Math.max(1, Math.ceil(n / (4 * processes)))
    if (Number.isInteger(chunksize) && chunksize >= 1) return chunksize
    return new Errors.InvalidArgument({ reason: `chunksize must be an integer >= 1, got ${chunksize}` })
  }

  const mapWith = (star: boolean) =>
  (task: Any, inputs: Iterable<unknown>, options?: MapOptions & { readonly mode?: "fail-fast" | "exit" }) =>
    withCarry(task, (carried) =>
      Effect.suspend(() => {
        const operation = star ? "pool.starmap" : "pool.map"
        const wrong = checkMap(operation, task, inputs, options, false)
        if (wrong !== undefined) return Effect.fail(wrong)
        const items = Array.isArray(inputs) ? inputs : Array.from(inputs)
        if (star) {
          for (let i = 0; i < items.length; i++) {
            if (!Array.isArray(items[i])) {
              return Effect.fail(notArray(operation, `each input (the arguments of one call; inputs[${i}])`, items[i], "pool.starmap(task, [[a, b], [c, d]])"))
            }
          }
        }
        const size = chunkSize(items.length, options?.chunksize)
        if (typeof size !== "number") return Effect.fail(size)
        return chunks(task, star, items, size, options?.mode === "exit", carried)
      }))

  const streamWith = (unordered: boolean) =>
  (
    task: Any,
    inputs: Iterable<unknown> | Stream.Stream<unknown, unknown, unknown>,
    options?: StreamOptions
  ): Stream.Stream<any, any, any> => {
    const S = loadStream()
    const wrong = checkMap(unordered ? "pool.imapUnordered" : "pool.imap", task, inputs, options, true)
    if (wrong !== undefined) return S.fail(wrong)
    const window = options?.window ?? 16 * processes
    const size = options?.chunksize ?? 1
    if (!(Number.isInteger(window) && window >= 1) || !(Number.isInteger(size) && size >= 1)) {
      return S.fail(
        new Errors.InvalidArgument({ reason: `window and chunksize must be integers >= 1, got ${window}, ${size}` })
      )
    }
    if (size === 1 && !S.isStream(inputs)) {
      return S.unwrap(withCarry(task, (carried) =>
        Effect.succeed(callsStream({
          inputs,
          window,
          unordered,
          start: (input, done) => submitExit(task, [input], carried, undefined, done),
          cancel: scheduler.cancel
        }))
      ))
    }
    const source = S.isStream(inputs) ? inputs : S.fromIterable(inputs, { chunkSize: window })
    return S.unwrap(withCarry(task, (carried) =>
      Effect.succeed(
        size === 1
          ? S.mapEffect(source, (x) => call(task, [x], carried), { concurrency: window, unordered })
          : source.pipe(
            S.grouped(size),
            S.mapEffect((part) => chunks(task, false, part, size, false, carried), { concurrency: window, unordered }),
            S.flattenIterable
          )
      )
    ))
  }

  // Pool.apply's and applyAsync's registrations, made once (callbackSpan)
  const registerCall = (operation: string) =>
  (
    fiber: Fiber.Fiber<unknown, unknown>,
    parent: Tracer.AnySpan | undefined,
    resume: ExitDone,
    task: Any,
    args: ReadonlyArray<unknown>,
    options: ApplyOptions | undefined
  ) => {
    // a refused call fails the caller (applyAsync: its fiber), as any failure of the task does
    const wrong = checkCall(operation, task, args, options)
    if (wrong !== undefined) return resume(Exit.fail(wrong))
    return submitCancellable(task, args, carry(task, fiber, parent), options?.transfer, resume)
  }
  const applyRegister = registerCall("pool.apply")
  const applyAsyncRegister = registerCall("pool.applyAsync")

  const map = mapWith(false)
  const starmap = mapWith(true)
  const imap = streamWith(false)
  const imapUnordered = streamWith(true)

  return {
    processes,
    startMethod,
    // once every worker has started (Pool.make returns with one)
    workers: Effect.andThen(
      scheduler.allStarted,
      Effect.sync(() =>
        scheduler.slots.flatMap((slot) => slot.link === undefined ? [] : [{ index: slot.index, ...slot.link.identity }])
      )
    ),
    // A span per call, as Effect.fn would make, without its per-call stack
    // capture; not made the parent of the call (nothing runs under it on this
    // side), which spares the fiber a context change per call; and only when a
    // tracer can see it (callSpan.ts).
    apply: ((task: Any, args: ReadonlyArray<unknown>, options?: ApplyOptions) =>
      callbackSpan("Pool.apply", applyRegister, task, args, options)) as Pool["apply"],
    // The same call in a fiber of the pool's scope, started at once: the job
    // is submitted now, as Python's apply_async (a close() right after lets it
    // finish), and an interrupt right after this returns finds the canceller
    // installed. Its span ends with the call, as apply's does.
    applyAsync: ((task: Any, args: ReadonlyArray<unknown>, options?: ApplyOptions) =>
      Effect.forkIn(
        callbackSpan("Pool.applyAsync", applyAsyncRegister, task, args, options),
        internals.scope,
        { startImmediately: true }
      )) as Pool["applyAsync"],
    map: Effect.fn("Pool.map")(function*(task: Any, inputs: Iterable<unknown>, options?: any) {
      return yield* map(task, inputs, options)
    }) as unknown as Pool["map"],
    starmap: Effect.fn("Pool.starmap")(function*(task: Any, inputs: Iterable<unknown>, options?: any) {
      return yield* starmap(task, inputs, options)
    }) as unknown as Pool["starmap"],
    imap: ((task: Any, inputs: any, options?: StreamOptions) =>
      loadStream().withSpan(imap(task, inputs, options), "Pool.imap")) as Pool["imap"],
    imapUnordered: ((task: Any, inputs: any, options?: StreamOptions) =>
      loadStream().withSpan(imapUnordered(task, inputs, options), "Pool.imapUnordered")) as Pool["imapUnordered"],
    close: internals.close,
    join: internals.join,
    terminate: internals.terminate
  }
}

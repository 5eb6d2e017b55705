/**
 * One task on a worker of its own: Python's `multiprocessing.Process`, as a
 * scoped handle with Fiber's names (`join`, `await`, `interrupt`) and Python's
 * (`name`, `pid`, `isAlive`, `exitCode`, `terminate`, `kill`). The worker
 * exits when its task ends; its outcome — the task's value, its typed
 * failure with the remote stack, or how the worker died — reaches `join`.
 * Nothing is only printed.
 *
 * ```ts
 * const p = yield* Process.start(greet, ["bob"])
 * yield* p.join
 * console.log(yield* p.exitCode) // Option.some(0)
 * ```
 *
 * When the scope closes, daemons are terminated and the others are waited
 * for, as Python does at exit; if the scope closes because of a failure or
 * an interruption, every process is interrupted (Python would wait, and hang
 * on a child that never ends).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as os from "node:os"
import type * as Errors from "./errors.ts"
import { guard } from "./internal/bootstrap.ts"
import { checkOptions, isTask, notArray, notTask, processOptionKinds } from "./internal/check.ts"
import { holderExited } from "./internal/handles.ts"
import * as Identity from "./internal/identity.ts"
import { schedulers, workerName } from "./internal/poolInternals.ts"
import * as Pool from "./Pool.ts"
import type { StartMethod } from "./StartMethod.ts"
import type { Task } from "./Task.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends
  Pick<Pool.Options, "startMethod" | "interruptGracePeriod" | "maxMemoryMb" | "resourceLimits" | "env" | "execArgv">
{
  /** Default: `Process-1`, `Process-2`, ... from one counter. */
  readonly name?: string | undefined
  /** Terminated (not waited for) when the scope closes. Default: false. */
  readonly daemon?: boolean | undefined
}

/**
 * A running (or finished) process. Python names in brackets.
 *
 * @since 0.1.0
 * @category models
 */
export interface Process<A, E> {
  readonly name: string
  readonly daemon: boolean
  readonly startMethod: StartMethod
  /** The worker's process id: the child's on `process`, the main program's on `thread` and `fiber` [`pid`]. */
  readonly pid: Effect.Effect<number>
  /** The worker's `worker_threads` id on `thread` (0 on `process`; the caller's on `fiber`). */
  readonly threadId: Effect.Effect<number>
  /**
   * The task's value, or its failure, once the worker has exited; again the
   * same outcome when joined again [`join`].
   */
  readonly join: Effect.Effect<A, E | Errors.PoolError>
  /** The task's outcome as an Exit, once the worker has exited. */
  readonly await: Effect.Effect<Exit.Exit<A, E | Errors.PoolError>>
  /** Interrupts the task in its worker (its finalizers run); returns once the worker has exited. */
  readonly interrupt: Effect.Effect<void>
  /** Whether the worker has not exited yet [`is_alive`]. */
  readonly isAlive: Effect.Effect<boolean>
  /**
   * None while running; then 0 after success, 1 after a failure, n after
   * `process.exit(n)`, -15 after `terminate` (or `interrupt`), -9 after
   * `kill`, -N when a signal N ended a child [`exitcode`].
   */
  readonly exitCode: Effect.Effect<Option.Option<number>>
  /** Ends the worker (SIGTERM to a child; a thread is terminated); returns once it has exited [`terminate`]. */
  readonly terminate: Effect.Effect<void>
  /** Ends the worker (SIGKILL to a child; a thread is terminated); returns once it has exited [`kill`]. */
  readonly kill: Effect.Effect<void>
}

/**
 * The number of CPUs this program may use (`os.availableParallelism()`). Python: `cpu_count()`.
 *
 * @since 0.1.0
 * @category getters
 */
export const cpuCount: Effect.Effect<number> = Effect.sync(() => os.availableParallelism())

/**
 * Who runs the calling code: the main program (`MainProcess`), or a worker
 * with its name (`Process-1`, `PoolWorker-2`, ...). `ppid` is the parent
 * program's pid (for a worker thread, the program it runs in). Python:
 * `current_process()`, `os.getpid()`, `os.getppid()`.
 *
 * @since 0.1.0
 * @category getters
 */
export const current: Effect.Effect<Identity.Identity> = Effect.sync(Identity.current)

let counter = 0

const signalNumber = (signal: string | undefined): number | undefined =>
  signal === undefined ? undefined : (os.constants.signals as Record<string, number>)[signal]

/** The exit code a finished task leaves, as Python would report it. */
const codeOf = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit)) return 0
  for (const reason of exit.cause.reasons) {
    if (reason._tag === "Fail" && (reason.error as any)?._tag === "WorkerDied") {
      const died = reason.error as Errors.WorkerDied
      const signal = signalNumber(died.signal)
      return signal !== undefined ? -signal : died.exitCode ?? 1
    }
  }
  return Cause.hasInterruptsOnly(exit.cause) ? -15 : 1
}

/**
 * Starts `task(...args)` on a new worker of its own, in the current scope.
 * Python: `Process(target=task, args=args).start()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start: <Args extends ReadonlyArray<any>, A, E, R>(
  task: Task<Args, A, E, R>,
  args: NoInfer<Args>,
  options?: Options
) => Effect.Effect<Process<A, E>, Errors.InvalidArgument | Errors.PoolError, Scope.Scope | R> = Effect.fn("Process.start")(
  function*(task: Task<any, any, any, any>, args: ReadonlyArray<unknown>, options: Options = {}) {
    yield* guard("Process.start")
    const wrong = !isTask(task)
      ? notTask("Process.start", task)
      : !Array.isArray(args)
      ? notArray("Process.start", "the task's arguments", args, "Process.start(task, [x])")
      : checkOptions("Process.start", options, processOptionKinds)
    if (wrong !== undefined) return yield* Effect.fail(wrong)
    const name = options.name ?? `Process-${++counter}`
    const scope = yield* Scope.Scope
    // The worker lives in a scope of its own, closed after the finalizer below has run.
    const own = yield* Scope.fork(scope)
    const pool = yield* Pool.make({
      processes: 1,
      startMethod: options.startMethod,
      interruptGracePeriod: options.interruptGracePeriod,
      maxMemoryMb: options.maxMemoryMb,
      resourceLimits: options.resourceLimits,
      env: options.env,
      execArgv: options.execArgv,
      [workerName]: () => name
    } as Pool.Options).pipe(Scope.provide(own))
    const slot = schedulers.get(pool)!.slots[0]
    const identity = slot.link!.identity
    const fiber = yield* pool.applyAsync(task, args as any)
    // Python: the process ends when its target returns.
    yield* pool.close
    const exited = Deferred.makeUnsafe<void>()
    // A process's exit closes the pipe ends it was given, as Python's closes its fds.
    const exit = Effect.sync(() => holderExited(args))
    yield* Effect.forkIn(Effect.andThen(pool.join, Effect.andThen(exit, Deferred.succeed(exited, undefined))), own)
    let signalled: number | undefined

    const end = (signal: NodeJS.Signals, code: number) =>
      Effect.suspend(() => {
        if (slot.link !== undefined && !Deferred.isDoneUnsafe(exited)) {
          signalled = code
          slot.link.kill(signal)
        }
        return Deferred.await(exited)
      })

    const outcome = Effect.flatMap(Fiber.await(fiber), (exit) => Effect.as(Deferred.await(exited), exit))

    const handle: Process<any, any> = {
      name,
      daemon: options.daemon === true,
      startMethod: pool.startMethod,
      pid: Effect.succeed(identity.pid),
      threadId: Effect.succeed(identity.threadId),
      // as Python's join: the worker has exited too (isAlive false, exitCode set)
      join: Effect.flatten(outcome),
      await: outcome,
      interrupt: Effect.andThen(Fiber.interrupt(fiber), Deferred.await(exited)).pipe(Effect.withSpan("Process.interrupt")),
      isAlive: Effect.sync(() => !Deferred.isDoneUnsafe(exited)),
      exitCode: Effect.sync(() => {
        if (!Deferred.isDoneUnsafe(exited)) return Option.none()
        if (signalled !== undefined) return Option.some(signalled)
        const exit = fiber.pollUnsafe()
        return Option.some(exit === undefined ? 1 : codeOf(exit))
      }),
      terminate: end("SIGTERM", -15).pipe(Effect.withSpan("Process.terminate")),
      kill: end("SIGKILL", -9).pipe(Effect.withSpan("Process.kill"))
    }

    // A scope that ends in failure or interruption does not wait for anyone:
    // Python joins its children even then, and hangs where one never ends.
    yield* Scope.addFinalizerExit(scope, (exit) =>
      Exit.isFailure(exit)
        ? handle.interrupt
        : handle.daemon
        ? handle.terminate
        : Effect.andThen(Fiber.await(fiber), Deferred.await(exited)))
    return handle
  }
) as any

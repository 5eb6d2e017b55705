/**
 * A task: a function that a pool can run in a worker. It is referenced by the
 * URL of the module that defines it and by its name, never by its source, so
 * a worker finds it by importing that module (lazily, once) and the main
 * program holds the very same object with its types.
 *
 * ```ts
 * // tasks.ts: import the Task subpath, not the package root, which every
 * // worker importing this module would then load whole
 * import * as Task from "effect-multiprocessing/Task"
 *
 * export const square = Task.make(import.meta.url, "square", (x: number) => x * x)
 * ```
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { Transferable } from "node:worker_threads"
import type { TaskError } from "./errors.ts"
import { register } from "./internal/registry.ts"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-multiprocessing/Task")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * Optional Schema contract of a task. `payload` describes the argument list
 * (a `Schema.Tuple`): it is checked and encoded before anything is sent, and
 * decoded in the worker. `success` and `error` encode the result and the
 * typed failure in the worker and decode them on the caller's side, so that a
 * `Schema.TaggedError` arrives as an instance of its own class.
 *
 * @since 0.1.0
 * @category models
 */
export interface Contract {
  readonly payload?: Schema.Codec<any, any> | undefined
  readonly success?: Schema.Codec<any, any> | undefined
  readonly error?: Schema.Codec<any, any> | undefined
  /**
   * Services the handler needs (`yield* Jobs`). A call then requires them in
   * its own context; the pool sends each one's value to the worker, which
   * provides it to the handler. A shared object (Queue, Pipe end...) arrives
   * as the same object; any other value is copied.
   */
  readonly services?: ReadonlyArray<Context.Key<any, any>> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Task<in out Args extends ReadonlyArray<any>, out A, out E, out R = never> {
  readonly [TypeId]: TypeId
  /** URL of the module that defines the task (`import.meta.url`). */
  readonly module: string
  readonly name: string
  /** `module#name`, as errors and spans show it. */
  readonly key: string
  readonly handler: (...args: Args) => unknown
  readonly contract: Contract | undefined
  /** Phantom fields for type inference. */
  readonly "~A"?: A
  readonly "~E"?: E
  readonly "~R"?: R
}

/**
 * Any task.
 *
 * @since 0.1.0
 * @category models
 */
export type Any = Task<any, any, any, any>

/**
 * The success type of a handler's result: the value, the Promise's value, or
 * the Effect's success.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Success<Out> = [Out] extends [never] ? never
  : [Out] extends [Effect.Effect<infer A, infer _E, infer _R>] ? Untransferred<A>
  : Untransferred<Awaited<Out>>

/**
 * A result to be moved, not copied, to the caller: see `transfer`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Transferred<A> {
  readonly [TransferTypeId]: TransferTypeId
  readonly value: A
  readonly transferList: ReadonlyArray<Transferable | ArrayBufferLike>
}

/**
 * @since 0.1.0
 * @category type ids
 */
export const TransferTypeId: unique symbol = Symbol.for("effect-multiprocessing/Transfer") as any

/**
 * @since 0.1.0
 * @category type ids
 */
export type TransferTypeId = typeof TransferTypeId

/**
 * @since 0.1.0
 * @category type-level
 */
export type Untransferred<A> = A extends Transferred<infer B> ? B : A

/**
 * Returns `value` to the caller moving the buffers of `transferList` instead
 * of copying them (thread start method; a child process copies). The caller
 * receives `value` itself; the worker's buffers are detached.
 *
 * ```ts
 * export const double = Task.make(import.meta.url, "double", (xs: Float64Array) => {
 *   for (let i = 0; i < xs.length; i++) xs[i] *= 2
 *   return Task.transfer(xs, [xs.buffer])
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const transfer = <A>(value: A, transferList: ReadonlyArray<Transferable | ArrayBufferLike>): Transferred<A> => ({
  [TransferTypeId]: TransferTypeId,
  value,
  transferList
})

/**
 * @since 0.1.0
 * @category guards
 */
export const isTransferred = (u: unknown): u is Transferred<unknown> =>
  typeof u === "object" && u !== null && TransferTypeId in u

/**
 * The failure type of a handler's result: an Effect's typed failure, or a
 * `TaskError` for what a plain function throws or a Promise rejects with.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Failure<Out> = [Out] extends [never] ? TaskError
  : [Out] extends [Effect.Effect<infer _A, infer E, infer _R>] ? E
  : TaskError

/**
 * @since 0.1.0
 * @category type-level
 */
export type Args<T> = T extends Task<infer Args, infer _A, infer _E, infer _R> ? Args : never

/**
 * The services declared by a contract's `services`.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Services<S extends ReadonlyArray<any>> = [S[number]] extends [never] ? never
  : S[number] extends Context.Key<infer I, any> ? I
  : never

/**
 * Effect handlers run in a worker, where only the services the task declares
 * (`contract.services`) exist.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Handler<Args extends ReadonlyArray<any>, Out, R = never> = [Out] extends [never] ? (...args: Args) => Out
  : [Out] extends [Effect.Effect<infer _A, infer _E, infer HR>] ? [HR] extends [R] ? (...args: Args) => Out
    : MissingServices
  : (...args: Args) => Out

/**
 * What the compiler reports for an Effect handler that needs services its
 * task does not declare: the expected type is this sentence.
 *
 * @since 0.1.0
 * @category type-level
 */
export type MissingServices =
  "The handler needs services its task does not declare: add them to Task.make as { services: [TheService] }, or provide them inside the handler (Effect.provideService)"

/**
 * Defines a task. Call it at the top level of a module, with that module's
 * `import.meta.url`, and export the result: a worker imports the module and
 * looks the task up by name.
 *
 * The handler takes the task's arguments and returns a value, a Promise or an
 * Effect (whose interruption, logs and typed failures reach the caller).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <
  const Args extends ReadonlyArray<any>,
  Out,
  const S extends ReadonlyArray<Context.Key<any, any>> = readonly []
>(
  module: string,
  name: string,
  handler: Handler<Args, Out, Services<S>> & ((...args: Args) => Out),
  contract?: Contract & { readonly services?: S | undefined }
): Task<Args, Success<Out>, Failure<Out>, Services<S>> => {
  const task: Task<Args, Success<Out>, Failure<Out>, Services<S>> = {
    [TypeId]: TypeId,
    module,
    name,
    key: `${module}#${name}`,
    handler: handler as (...args: Args) => unknown,
    contract
  }
  register(task)
  return task
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isTask = (u: unknown): u is Any => typeof u === "object" && u !== null && TypeId in u

/**
 * Two connected ends that send values to each other: Python's
 * `multiprocessing.Pipe` and its `Connection`s. Each end may go to a different
 * worker (as a task argument), or stay in the main program; messages arrive
 * in order. A simplex pipe (`{ duplex: false }`) gives `[reader, writer]`, and
 * sending on the reader (or receiving on the writer) does not compile.
 *
 * ```ts
 * const [parent, child] = yield* Pipe.make<string>()
 * yield* pool.apply(greet, [child])        // the task does Pipe.send(conn, "hello")
 * const message = yield* Pipe.recv(parent) // "hello"
 * ```
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Errors from "./errors.ts"
import { decode, encode, isEncoded } from "./internal/codec.ts"
import { R_BROKEN, R_EOF, R_INVALID, R_OK, type SharedObject } from "./internal/handles.ts"
import * as C from "./internal/pipe.ts"
import { request } from "./internal/request.ts"

/**
 * A connection end that receives `In` and sends `Out`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Connection<in out In, in out Out> {
  readonly "~emp": string
  readonly id: number
  readonly readable: boolean
  readonly writable: boolean
  readonly "~In"?: (_: In) => In
  readonly "~Out"?: (_: Out) => Out
}

/**
 * An end of a duplex pipe: it sends and receives.
 *
 * @since 0.1.0
 * @category models
 */
export interface Duplex<A> extends Connection<A, A> {
  readonly readable: true
  readonly writable: true
}

/**
 * The receiving end of a simplex pipe.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reader<A> extends Connection<A, never> {
  readonly readable: true
  readonly writable: false
}

/**
 * The sending end of a simplex pipe.
 *
 * @since 0.1.0
 * @category models
 */
export interface Writer<A> extends Connection<never, A> {
  readonly readable: false
  readonly writable: true
}

/**
 * @since 0.1.0
 * @category errors
 */
export type PipeError = Errors.PipeEOF | Errors.BrokenPipe | Errors.PipeClosed

const core = (self: Connection<any, any>): SharedObject => self as unknown as SharedObject

const failed = (status: number, value?: unknown): Effect.Effect<never, PipeError | Errors.InvalidArgument> =>
  Effect.fail(
    status === R_EOF
      ? new Errors.PipeEOF()
      : status === R_BROKEN
      ? new Errors.BrokenPipe()
      : status === R_INVALID
      ? new Errors.InvalidArgument({ reason: String(value) })
      : new Errors.PipeClosed()
  )

/**
 * A new pipe: two connected ends, closed when the scope closes. Python:
 * `Pipe()`, `Pipe(duplex=False)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  <A = unknown>(options: { readonly duplex: false }): Effect.Effect<readonly [Reader<A>, Writer<A>], never, Scope.Scope>
  <A = unknown>(options?: { readonly duplex?: true | undefined }): Effect.Effect<
    readonly [Duplex<A>, Duplex<A>],
    never,
    Scope.Scope
  >
} = Effect.fn("Pipe.make")(function*(options?: { readonly duplex?: boolean | undefined }) {
  return yield* Effect.acquireRelease(
    Effect.sync(() => C.ConnectionCore.pair(options?.duplex !== false)),
    ([a, b]) =>
      Effect.sync(() => {
        a.shutdown()
        b.shutdown()
      })
  )
}) as any

/**
 * Sends a value to the other end. Python: `send`; a closed peer gives
 * `BrokenPipe`, a closed end `PipeClosed`, a value that cannot be copied a
 * `SerializationError` (nothing is sent).
 *
 * @since 0.1.0
 * @category sending
 */
export const send: {
  <A>(value: A): <I>(self: Connection<I, A> & { readonly writable: true }) => Effect.Effect<void, PipeError | Errors.SerializationError | Errors.InvalidArgument>
  <I, A>(self: Connection<I, A> & { readonly writable: true }, value: A): Effect.Effect<void, PipeError | Errors.SerializationError | Errors.InvalidArgument>
} = dual(2, <A>(self: Connection<any, A>, value: A) =>
  Effect.suspend((): Effect.Effect<void, PipeError | Errors.SerializationError | Errors.InvalidArgument> => {
    const bytes = encode(value, "value")
    if (!isEncoded(bytes)) {
      return Effect.fail(new Errors.SerializationError({ task: "Pipe.send", direction: "argument", ...bytes }))
    }
    return request(core(self), C.C_SEND, bytes, (status, v) => status === R_OK ? Effect.void : failed(status, v))
  }))

/**
 * Receives the next value, waiting for one. Once the peer is closed and
 * everything it sent was received: `PipeEOF`. An interrupted `recv` receives
 * nothing. Python: `recv`.
 *
 * @since 0.1.0
 * @category receiving
 */
export const recv = <A, O>(
  self: Connection<A, O> & { readonly readable: true }
): Effect.Effect<A, PipeError | Errors.InvalidArgument> =>
  request(
    core(self),
    C.C_RECV,
    undefined,
    (status, value) => status === R_OK ? Effect.sync(() => decode(value as Uint8Array) as A) : failed(status, value)
  )

/**
 * Whether `recv` would return at once (a value is there, or end-of-file).
 * Without a timeout it does not wait; with one it waits up to that long
 * (`Duration.infinity`: until then). Python: `poll(timeout)`.
 *
 * @since 0.1.0
 * @category receiving
 */
export const poll: {
  (timeout?: Duration.Input): <I, O>(self: Connection<I, O> & { readonly readable: true }) => Effect.Effect<boolean, PipeError | Errors.InvalidArgument>
  <I, O>(self: Connection<I, O> & { readonly readable: true }, timeout?: Duration.Input): Effect.Effect<boolean, PipeError | Errors.InvalidArgument>
} = dual((args) => typeof args[0] === "object" && args[0] !== null && "~emp" in args[0], (self: Connection<any, any>, timeout?: Duration.Input) => {
  const ready = (wait: boolean) =>
    request(core(self), C.C_POLL, wait, (status, value) => status === R_OK ? Effect.succeed(value as boolean) : failed(status, value))
  if (timeout === undefined) return ready(false)
  const duration = Duration.fromInputUnsafe(timeout)
  if (Duration.isZero(duration)) return ready(false)
  return ready(true).pipe(Effect.timeoutOption(duration), Effect.map(Option.getOrElse(() => false)))
})

/**
 * Closes this end: the peer receives what was sent, then `PipeEOF`; its sends
 * fail with `BrokenPipe`; any further use of this end fails with `PipeClosed`.
 * Python: `close`.
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const close = <I, O>(self: Connection<I, O>): Effect.Effect<void> =>
  request(core(self), C.C_CLOSE, undefined, () => Effect.void).pipe(Effect.withSpan("Pipe.close"))

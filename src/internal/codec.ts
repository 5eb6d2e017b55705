/**
 * How errors cross the worker boundary. Structured clone keeps an Error's
 * message and stack but drops its class and fields, so errors travel as plain
 * records and are rebuilt on the caller's side.
 */
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as Errors from "../errors.ts"
import type { Any } from "../Task.ts"
import { findUncloneable } from "./clone.ts"
import * as P from "./protocol.ts"

/** An error as it crosses: enough to rebuild a faithful copy. */
export interface EncodedError {
  readonly "~error": 1
  readonly name: string
  readonly message: string
  readonly stack: string | undefined
  readonly props: Record<string, unknown> | undefined
}

const isEncodedError = (u: unknown): u is EncodedError =>
  typeof u === "object" && u !== null && (u as any)["~error"] === 1

/** Encodes an Error (keeping its cloneable own fields); other values pass as they are if they clone. */
export const encodeError = (e: unknown): unknown => {
  if (!(e instanceof Error)) {
    return findUncloneable(e, "error") === undefined ? e : { "~error": 1, name: "Error", message: String(e) }
  }
  let props: Record<string, unknown> | undefined
  for (const k of Object.keys(e)) {
    if (k === "stack" || k === "message") continue
    const v = (e as any)[k]
    if (findUncloneable(v, k) !== undefined) continue
    ;(props ??= {})[k] = k === "cause" ? encodeError(v) : v
  }
  return { "~error": 1, name: e.name, message: e.message, stack: e.stack, props } satisfies EncodedError
}

/** Rebuilds an error encoded by `encodeError`: an `Error` with the remote name, message, stack and fields. */
export const reviveError = (u: unknown): unknown => {
  if (!isEncodedError(u)) return u
  const err = new Error(u.message)
  Object.defineProperty(err, "name", { value: u.name, writable: true, configurable: true, enumerable: false })
  err.stack = u.stack
  if (u.props) {
    for (const k of Object.keys(u.props)) {
      ;(err as any)[k] = k === "cause" ? reviveError(u.props[k]) : u.props[k]
    }
  }
  return err
}

/** A thrown error as the caller sees it: a `TaskError` with the remote name, message and stack. */
export const toTaskError = (task: string, u: unknown): Errors.TaskError => {
  if (isEncodedError(u)) {
    return new Errors.TaskError({
      task,
      name: u.name,
      reason: u.message,
      remoteStack: u.stack,
      data: u.props
    })
  }
  return new Errors.TaskError({ task, name: "Error", reason: String(u), data: u })
}

/** Library errors cross as `[tag, fields]`. */
export type EncodedLibError = readonly [tag: string, fields: Record<string, unknown>]

const libErrors: Record<string, new(fields: any) => Errors.PoolError> = {
  PoolNotRunning: Errors.PoolNotRunning,
  WorkerDied: Errors.WorkerDied,
  TaskNotFound: Errors.TaskNotFound,
  TaskModuleLoadError: Errors.TaskModuleLoadError,
  InitializerFailed: Errors.InitializerFailed,
  SerializationError: Errors.SerializationError,
  InvalidPayload: Errors.InvalidPayload
}

export const encodeLibError = (e: Errors.PoolError): EncodedLibError => {
  const { _tag, ...fields } = e as any
  return [_tag, fields]
}

export const reviveLibError = (u: EncodedLibError): Errors.PoolError => {
  const Ctor = libErrors[u[0]]
  return Ctor ? new Ctor(u[1]) : new Errors.TaskError({ task: "?", name: u[0], reason: JSON.stringify(u[1]) }) as any
}

/** A reply, as the caller's Exit. The hot case (a plain success) allocates one Exit. */
export const decodeExit = (task: Any, status: number, value: unknown): Exit.Exit<any, any> => {
  switch (status) {
    case P.S_OK: {
      const schema = task.contract?.success
      if (schema === undefined) return Exit.succeed(value)
      return Schema.decodeUnknownExit(schema)(value).pipe((exit) =>
        exit._tag === "Success" ? exit : Exit.die(exit.cause)
      )
    }
    case P.S_FAIL: {
      const schema = task.contract?.error
      if (schema !== undefined) {
        const decoded = Schema.decodeUnknownExit(schema)(value)
        if (decoded._tag === "Success") return Exit.fail(decoded.value)
      }
      return Exit.fail(reviveError(value))
    }
    case P.S_DIE:
      return Exit.die(reviveError(value))
    case P.S_THROWN:
      return Exit.fail(toTaskError(task.key, value))
    case P.S_LIB:
      return Exit.fail(reviveLibError(value as EncodedLibError))
    case P.S_LOCAL:
      return Exit.fail(value)
    case P.S_CHUNK_FAIL: {
      const [, s, v] = value as [number, number, unknown]
      return decodeExit(task, s, v)
    }
    default:
      return Exit.interrupt()
  }
}

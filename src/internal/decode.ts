/**
 * How replies become the caller's Exits, main side: errors rebuilt from their
 * encodings, library errors as their classes, contracts decoded.
 */
import * as Exit from "effect/Exit"
import * as Errors from "../errors.ts"
import type { Any } from "../Task.ts"
import { Schema as loadSchema } from "./lazy.ts"
import * as P from "./protocol.ts"
import { type EncodedLibError, isEncodedError } from "./wire.ts"

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

const libErrors: Record<string, new(fields: any) => Errors.PoolError | Errors.QueueEnded | Errors.QueueShutdown> = {
  PoolNotRunning: Errors.PoolNotRunning,
  WorkerDied: Errors.WorkerDied,
  TaskNotFound: Errors.TaskNotFound,
  TaskModuleLoadError: Errors.TaskModuleLoadError,
  InitializerFailed: Errors.InitializerFailed,
  SerializationError: Errors.SerializationError,
  InvalidPayload: Errors.InvalidPayload,
  // a pipelined offer refused after its task's last queue call (see remote.ts)
  QueueEnded: Errors.QueueEnded,
  QueueShutdown: Errors.QueueShutdown
}

export const reviveLibError = (u: EncodedLibError): Errors.PoolError => {
  const Ctor = libErrors[u[0]]
  return Ctor ? new Ctor(u[1]) as Errors.PoolError : new Errors.TaskError({ task: "?", name: u[0], reason: JSON.stringify(u[1]) }) as any
}

/** A reply, as the caller's Exit. The hot case (a plain success) allocates one Exit. */
export const decodeExit = (task: Any, status: number, value: unknown): Exit.Exit<any, any> => {
  switch (status) {
    case P.S_OK: {
      const schema = task.contract?.success
      if (schema === undefined) return Exit.succeed(value)
      return loadSchema().decodeUnknownExit(schema)(value).pipe((exit) =>
        exit._tag === "Success" ? exit : Exit.die(exit.cause)
      )
    }
    case P.S_FAIL: {
      const schema = task.contract?.error
      if (schema !== undefined) {
        const decoded = loadSchema().decodeUnknownExit(schema)(value)
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

/** A call's arguments as they are sent: encoded by the task's payload contract, or refused with InvalidPayload. */
export const encodePayload = (task: Any, args: ReadonlyArray<unknown>): ReadonlyArray<unknown> | Errors.InvalidPayload => {
  const payload = task.contract?.payload
  if (payload === undefined) return args
  const exit = loadSchema().encodeUnknownExit(payload)(args)
  return exit._tag === "Failure"
    ? new Errors.InvalidPayload({ task: task.key, issue: String(exit.cause) })
    : exit.value as ReadonlyArray<unknown>
}

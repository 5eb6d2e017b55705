/**
 * Checks of what a caller passes to the public calls, before anything is
 * sent: a plain function where a Task is expected, arguments that are not an
 * array, an option of the wrong type. JavaScript callers and `any` reach
 * these; each answer says what was given and what to write instead.
 */
import * as Duration from "effect/Duration"
import { InvalidArgument } from "../errors.ts"
import { TypeId } from "../Task.ts"
import { Stream as loadStream } from "./lazy.ts"

/** Where a map's inputs are neither an iterable nor (for a stream operation) a Stream. */
export const notIterable = (operation: string, inputs: unknown, stream: boolean): InvalidArgument | undefined =>
  typeof inputs === "string" ||
    (typeof inputs === "object" && inputs !== null && Symbol.iterator in inputs) ||
    (stream && loadStream().isStream(inputs))
    ? undefined
    : new InvalidArgument({
      reason: `${operation} expects its inputs as an array or another iterable${stream ? " (or a Stream)" : ""}, got ${describe(inputs)}`
    })

/** A value as a message names it: `a function (double)`, `the number 2`, `an object`. */
export const describe = (u: unknown): string => {
  if (u === null) return "null"
  switch (typeof u) {
    case "undefined":
      return "undefined"
    case "function":
      return u.name ? `a function (${u.name})` : "a function"
    case "string":
      return `the string ${JSON.stringify(u.length > 40 ? `${u.slice(0, 40)}...` : u)}`
    case "number":
    case "bigint":
    case "boolean":
      return `the ${typeof u} ${String(u)}`
    case "symbol":
      return "a symbol"
  }
  if (Array.isArray(u)) return "an array"
  const name = Object.getPrototypeOf(u)?.constructor?.name
  return name && name !== "Object" ? `a ${name}` : "an object"
}

export const isTask = (u: unknown): boolean =>
  typeof u === "object" && u !== null && (u as any)[TypeId] === TypeId

export const notTask = (operation: string, u: unknown): InvalidArgument =>
  new InvalidArgument({
    reason: `${operation} expects a Task, got ${describe(u)}. Make one with ` +
      "`export const name = Task.make(import.meta.url, \"name\", handler)` at the top level of a module: " +
      "a worker finds it by its module and name, so a plain function cannot be sent."
  })

export const notArray = (operation: string, what: string, u: unknown, example: string): InvalidArgument =>
  new InvalidArgument({ reason: `${operation} expects ${what} as an array, got ${describe(u)}: write ${example}` })

const isOptions = (u: unknown): u is Record<string, unknown> =>
  u === undefined || (typeof u === "object" && u !== null && !Array.isArray(u))

const wholeAtLeast = (u: unknown, min: number) => typeof u === "number" && Number.isSafeInteger(u) && u >= min

const isDuration = (u: unknown): boolean => {
  if (u === undefined) return true
  try {
    Duration.fromInputUnsafe(u as Duration.Input)
    return true
  } catch {
    return false
  }
}

type OptionKind = "whole>=1" | "number>0" | "boolean" | "string" | "array" | "object" | "duration" | "task" | "startMethod"

/** What each option of `Pool.make` must be. */
export const poolOptionKinds = {
  processes: "whole>=1",
  startMethod: "startMethod",
  initializer: "task",
  initargs: "array",
  maxTasksPerChild: "whole>=1",
  interruptGracePeriod: "duration",
  maxMemoryMb: "number>0",
  resourceLimits: "object",
  env: "object",
  execArgv: "array"
} as const satisfies Record<string, OptionKind>

/** What each option of `Process.start` must be: the pool options it takes, a name and daemon. */
export const processOptionKinds = {
  startMethod: poolOptionKinds.startMethod,
  interruptGracePeriod: poolOptionKinds.interruptGracePeriod,
  maxMemoryMb: poolOptionKinds.maxMemoryMb,
  resourceLimits: poolOptionKinds.resourceLimits,
  env: poolOptionKinds.env,
  execArgv: poolOptionKinds.execArgv,
  name: "string",
  daemon: "boolean"
} as const satisfies Record<string, OptionKind>

/**
 * The first wrong option: each named option must have the type given
 * (`whole>=1`, `number>0`, `boolean`, `string`, `array`, `object`,
 * `duration`, `task`, `startMethod`), or be absent.
 */
export const checkOptions = (
  operation: string,
  options: unknown,
  spec: Record<string, OptionKind>
): InvalidArgument | undefined => {
  if (!isOptions(options)) {
    return new InvalidArgument({ reason: `${operation} expects its options as an object, got ${describe(options)}` })
  }
  if (options === undefined) return undefined
  for (const key in spec) {
    const value = options[key]
    if (value === undefined) continue
    const kind = spec[key]
    const ok = kind === "whole>=1"
      ? wholeAtLeast(value, 1)
      : kind === "number>0"
      ? typeof value === "number" && value > 0 && Number.isFinite(value)
      : kind === "boolean"
      ? typeof value === "boolean"
      : kind === "string"
      ? typeof value === "string"
      : kind === "array"
      ? Array.isArray(value)
      : kind === "object"
      ? typeof value === "object" && value !== null && !Array.isArray(value)
      : kind === "duration"
      ? isDuration(value)
      : kind === "task"
      ? isTask(value)
      : value === "thread" || value === "process" || value === "fiber"
    if (!ok) {
      const expected = kind === "whole>=1"
        ? "a whole number >= 1"
        : kind === "number>0"
        ? "a number > 0"
        : kind === "duration"
        ? "a duration (\"1 second\", a number of milliseconds...)"
        : kind === "task"
        ? "a Task (made with Task.make)"
        : kind === "startMethod"
        ? "\"thread\", \"process\" or \"fiber\""
        : kind === "array" || kind === "object"
        ? `an ${kind}`
        : `a ${kind}`
      return new InvalidArgument({ reason: `${operation}: the option ${key} must be ${expected}, got ${describe(value)}` })
    }
  }
  return undefined
}

/**
 * How values cross the worker boundary, worker side. Structured clone keeps
 * an Error's message and stack but drops its class and fields, so errors
 * travel as plain records and are rebuilt by the caller (decode.ts). Nothing
 * here imports Schema or the error classes: a worker starts without them.
 */
import { findUncloneable } from "./clone.ts"

/** An error as it crosses: enough to rebuild a faithful copy. */
export interface EncodedError {
  readonly "~error": 1
  readonly name: string
  readonly message: string
  readonly stack: string | undefined
  readonly props: Record<string, unknown> | undefined
}

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

/** Library errors cross as `[tag, fields]`, built without their classes. */
export type EncodedLibError = readonly [tag: string, fields: Record<string, unknown>]

/** Thrown inside the executor for a library error; it crosses as its encoding. */
export class LibFailure {
  readonly encoded: EncodedLibError
  constructor(tag: string, fields: Record<string, unknown>) {
    this.encoded = [tag, fields]
  }
}

export const isEncodedError = (u: unknown): u is EncodedError =>
  typeof u === "object" && u !== null && (u as any)["~error"] === 1

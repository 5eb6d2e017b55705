/**
 * A shared object's request as an Effect: interruptible, and an interrupted
 * request returns only once it has been withdrawn (so it consumed nothing).
 */
import * as Effect from "effect/Effect"
import type { SharedObject } from "./handles.ts"

export const request = <A, E>(
  object: SharedObject,
  op: number,
  data: unknown,
  onReply: (status: number, value: unknown) => Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  Effect.suspend(() => {
    // Most requests are answered at once (a lock taken, an item there): then
    // no callback is registered at all.
    let status = -1
    let value: unknown
    let resume: ((effect: Effect.Effect<A, E>) => void) | undefined
    const cancel = object.request(op, data, (s, v) => {
      if (resume !== undefined) return resume(onReply(s, v))
      status = s
      value = v
    })
    if (status !== -1) return onReply(status, value)
    return Effect.callback<A, E>((r) => {
      if (status !== -1) return r(onReply(status, value))
      resume = r
      if (cancel !== undefined) return Effect.callback<void>((ack) => cancel(() => ack(Effect.void)))
    })
  })

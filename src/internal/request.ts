/**
 * A shared object's request as an Effect: interruptible, and an interrupted
 * request returns only once it has been withdrawn (so it consumed nothing).
 */
import * as Effect from "effect/Effect"
import type { SharedObject } from "./handles.ts"

/** What `requestNow` returns when the object answered at once; the answer is in `answered`. */
export const ANSWERED: unique symbol = Symbol("effect-multiprocessing/answered")

/** The answer of the last request answered at once (read it before making another). */
export const answered = { status: 0, value: undefined as unknown }

/**
 * Makes the request now. Most are answered at once (a lock taken, an item
 * there): then no callback is registered at all, and the answer is in
 * `answered`. Otherwise, the Effect that waits for the answer and then is
 * `onReply` of it.
 */
export const requestNow = <A, E>(
  object: SharedObject,
  op: number,
  data: unknown,
  onReply: (status: number, value: unknown) => Effect.Effect<A, E>
): Effect.Effect<A, E> | typeof ANSWERED => {
  let status = -1
  let value: unknown
  let resume: ((effect: Effect.Effect<A, E>) => void) | undefined
  const cancel = object.request(op, data, (s, v) => {
    if (resume !== undefined) return resume(onReply(s, v))
    status = s
    value = v
  })
  if (status !== -1) {
    answered.status = status
    answered.value = value
    return ANSWERED
  }
  return Effect.callback<A, E>((r) => {
    if (status !== -1) return r(onReply(status, value))
    resume = r
    if (cancel !== undefined) return Effect.callback<void>((ack) => cancel(() => ack(Effect.void)))
  })
}

export const request = <A, E>(
  object: SharedObject,
  op: number,
  data: unknown,
  onReply: (status: number, value: unknown) => Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  Effect.suspend(() => {
    const waiting = requestNow(object, op, data, onReply)
    return waiting === ANSWERED ? onReply(answered.status, answered.value) : waiting
  })

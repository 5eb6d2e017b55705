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
  Effect.callback<A, E>((resume) => {
    const cancel = object.request(op, data, (status, value) => resume(onReply(status, value)))
    if (cancel !== undefined) return Effect.callback<void>((ack) => cancel(() => ack(Effect.void)))
  })

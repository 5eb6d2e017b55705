/**
 * What a call carries beside its arguments, as it arrives in a worker
 * (`[key, value, ...]`): the task's declared services, and last, the caller's
 * trace context (`TRACE_KEY`: see protocol.ts), added to the context its
 * handler runs in, the latter as the parent span of what the handler traces,
 * with the `relay` tracer of request `call` when the caller asked for the
 * spans (relay.ts).
 * Context is passed in: the worker entry loads it lazily.
 */
import type * as ContextModule from "effect/Context"
import type * as Tracer from "effect/Tracer"
import { TRACE_KEY, TRACE_RELAY, TRACE_SAMPLED } from "./protocol.ts"

// Effect's keys of the parent span and the tracer (`Tracer.ParentSpanKey`, `Tracer.TracerKey`)
const PARENT_SPAN_KEY = "effect/Tracer/ParentSpan"
const TRACER_KEY = "effect/Tracer"

export const withServices = <R>(
  Context: typeof ContextModule,
  base: ContextModule.Context<R>,
  services: ReadonlyArray<unknown>,
  call: number,
  relay: (call: number, parent: Tracer.AnySpan) => Tracer.Tracer
): ContextModule.Context<R> => {
  let context: ContextModule.Context<any> = base
  for (let i = 0; i < services.length; i += 2) {
    if (services[i] === TRACE_KEY) {
      // last: the key, traceId, spanId, flags
      const flags = services[i + 3] as number
      // what `Tracer.externalSpan` makes
      const parent: Tracer.ExternalSpan = {
        _tag: "ExternalSpan",
        traceId: services[i + 1] as string,
        spanId: services[i + 2] as string,
        sampled: (flags & TRACE_SAMPLED) !== 0,
        annotations: Context.empty()
      }
      context = Context.addUnsafe(context, PARENT_SPAN_KEY, parent)
      if (flags & TRACE_RELAY) context = Context.addUnsafe(context, TRACER_KEY, relay(call, parent))
      break
    }
    context = Context.addUnsafe(context, services[i] as string, services[i + 1])
  }
  return context
}

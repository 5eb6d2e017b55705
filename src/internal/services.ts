/**
 * What a call carries beside its arguments, as it arrives in a worker
 * (`[key, value, ...]`): the task's declared services, and the caller's trace
 * context (`TRACE_KEY`), added to the context its handler runs in, the latter
 * as the parent span of what the handler traces, and with the `relay` tracer
 * when the caller asked for the spans (relay.ts). Context is passed in: the
 * worker entry loads it lazily.
 */
import type * as ContextModule from "effect/Context"
import type * as Tracer from "effect/Tracer"
import { TRACE_KEY } from "./protocol.ts"

// Effect's keys of the parent span and the tracer (`Tracer.ParentSpanKey`, `Tracer.TracerKey`)
const PARENT_SPAN_KEY = "effect/Tracer/ParentSpan"
const TRACER_KEY = "effect/Tracer"

export const withServices = <R>(
  Context: typeof ContextModule,
  base: ContextModule.Context<R>,
  services: ReadonlyArray<unknown>,
  relay: () => Tracer.Tracer
): ContextModule.Context<R> => {
  let context: ContextModule.Context<any> = base
  for (let i = 0; i < services.length; i += 2) {
    if (services[i] === TRACE_KEY) {
      const [traceId, spanId, sampled, relayed] = services[i + 1] as readonly [string, string, boolean, boolean]
      // what `Tracer.externalSpan` makes
      const parent = { _tag: "ExternalSpan", traceId, spanId, sampled, annotations: Context.empty() }
      context = Context.addUnsafe(context, PARENT_SPAN_KEY, parent)
      if (relayed) context = Context.addUnsafe(context, TRACER_KEY, relay())
    } else {
      context = Context.addUnsafe(context, services[i] as string, services[i + 1])
    }
  }
  return context
}

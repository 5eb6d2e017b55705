/**
 * What a call carries beside its arguments, as it arrives in a worker
 * (`[key, value, ...]`): the task's declared services, and the caller's trace
 * context (`TRACE_KEY`), added to the context its handler runs in, the latter
 * as the parent span of what the handler traces. Context is passed in: the
 * worker entry loads it lazily.
 */
import type * as ContextModule from "effect/Context"
import { TRACE_KEY } from "./protocol.ts"

/** Effect's key of the parent span (`Tracer.ParentSpanKey`; effect/Tracer is not loaded here for it). */
const PARENT_SPAN_KEY = "effect/Tracer/ParentSpan"

export const withServices = <R>(
  Context: typeof ContextModule,
  base: ContextModule.Context<R>,
  services: ReadonlyArray<unknown>
): ContextModule.Context<R> => {
  let context: ContextModule.Context<any> = base
  for (let i = 0; i < services.length; i += 2) {
    if (services[i] === TRACE_KEY) {
      const [traceId, spanId, sampled] = services[i + 1] as readonly [string, string, boolean]
      // what `Tracer.externalSpan` makes
      const parent = { _tag: "ExternalSpan", traceId, spanId, sampled, annotations: Context.empty() }
      context = Context.addUnsafe(context, PARENT_SPAN_KEY, parent)
    } else {
      context = Context.addUnsafe(context, services[i] as string, services[i + 1])
    }
  }
  return context
}

/**
 * How a worker runs an Effect handler, with what its call carries beside its
 * arguments (`[key, value, ...]`): the task's declared services, and last,
 * the caller's trace context (`TRACE_KEY`: see protocol.ts), added to the
 * context the handler runs in, the latter as the parent span of what the
 * handler traces, with a tracer that relays its spans when the caller asked
 * for them (relay.ts). The same on a worker and on the `fiber` backend.
 *
 * Effect's modules are passed in: the worker entry imports none at start and
 * loads them with the first Effect handler.
 */
import type * as ContextModule from "effect/Context"
import type * as EffectModule from "effect/Effect"
import type * as TracerModule from "effect/Tracer"
import type { Run } from "./executor.ts"
import { TRACE_KEY, TRACE_RELAY, TRACE_SAMPLED } from "./protocol.ts"
import type { relayTracer, Send } from "./relay.ts"

/** The modules of effect a handler runs with. */
export interface Modules {
  readonly Context: typeof ContextModule
  readonly Effect: typeof EffectModule
  readonly Tracer: typeof TracerModule
}

/** `base` with what a call carries (`services`); a relaying tracer is made by `relay` for request `call`. */
const withServices = (
  { Context, Tracer }: Modules,
  base: ContextModule.Context<never>,
  services: ReadonlyArray<unknown>,
  call: number,
  relay: (call: number, parent: TracerModule.AnySpan) => TracerModule.Tracer
): ContextModule.Context<never> => {
  let context = base as ContextModule.Context<any>
  for (let i = 0; i < services.length; i += 2) {
    if (services[i] === TRACE_KEY) {
      // last: the key, traceId, spanId, flags
      const flags = services[i + 3] as number
      const parent = Tracer.externalSpan({
        traceId: services[i + 1] as string,
        spanId: services[i + 2] as string,
        sampled: (flags & TRACE_SAMPLED) !== 0
      })
      context = Context.add(context, Tracer.ParentSpan, parent)
      if (flags & TRACE_RELAY) context = Context.add(context, Tracer.Tracer, relay(call, parent))
      break
    }
    context = Context.addUnsafe(context, services[i] as string, services[i + 1])
  }
  return context
}

/**
 * Runs each handler's Effect in a fiber of its own with `base` (plus what its
 * call carries), reports its Exit to `onExit`, and returns its interrupt.
 * Relayed spans go out through `send` (the executor's).
 */
export const makeRun = (
  modules: Modules,
  base: ContextModule.Context<never>,
  relayWith: typeof relayTracer,
  send: Send
): Run => {
  const runFork = modules.Effect.runForkWith(base)
  const relay = (call: number, parent: TracerModule.AnySpan) => relayWith(send, call, parent)
  return (effect, onExit, services, call) => {
    const fiber = services === undefined
      ? runFork(effect)
      : modules.Effect.runForkWith(withServices(modules, base, services, call, relay))(effect)
    fiber.addObserver(onExit)
    return () => fiber.interruptUnsafe()
  }
}

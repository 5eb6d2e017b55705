/**
 * The span of one call (`Pool.apply`, `Pool.applyAsync`), made only when a
 * tracer could see it.
 *
 * Effect's default tracer (`Tracer.nativeTracer`) keeps its spans in memory
 * and exports none; Effect documents comparing against it to skip work only a
 * tracing backend could observe. A call's span is nobody's parent (nothing
 * runs under it on this side), so under the native tracer it is invisible;
 * and making it took half of what a call cost when thousands are submitted
 * at once (bench 1a). Any installed tracer gets every span, as before.
 *
 * Either way the call carries its trace context to the worker, where an
 * Effect handler runs under it: spans made there join the caller's trace
 * (and, under an installed tracer, are relayed back to it: relay.ts).
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

/**
 * One call as an `Effect.callback` whose `register` also gets the fiber and
 * the span the call's work belongs under: the span `name` (not made the
 * current span) under an installed tracer, ended with the call's exit; the
 * caller's under the native tracer, where `name` is not made. One effect per
 * call, with no `Effect.withFiber` around it and no closure of the caller's:
 * `register` is made once and gets the call's `x`, `y` and `z` (100,000 calls
 * at once ran 5-9% faster for each of the two).
 */
export const callbackSpan = <A, E, X, Y, Z>(
  name: string,
  register: (
    fiber: Fiber.Fiber<unknown, unknown>,
    parent: Tracer.AnySpan | undefined,
    resume: (effect: Effect.Effect<A, E>) => void,
    x: X,
    y: Y,
    z: Z
  ) => Effect.Effect<void> | void,
  x: X,
  y: Y,
  z: Z
): Effect.Effect<A, E> =>
  Effect.callback<A, E>((resume) => {
    const fiber = Fiber.getCurrent()!
    if (fiber.getRef(Tracer.Tracer) === Tracer.nativeTracer) return register(fiber, fiber.cache.span, resume, x, y, z)
    resume(Effect.useSpan(name, (span) => Effect.callback<A, E>((resume) => register(fiber, span, resume, x, y, z))))
  })

/**
 * The span whose trace context a call carries to its worker: `span`, or its
 * nearest ancestor whose propagation is not disabled (as Effect picks a new
 * span's parent); none with tracing disabled.
 */
export const traceParent = (
  fiber: Fiber.Fiber<unknown, unknown>,
  span: Tracer.AnySpan | undefined
): Tracer.AnySpan | undefined => {
  if (!fiber.cache.tracerEnabled) return undefined
  while (span !== undefined && Context.get(span.annotations, Tracer.DisablePropagation)) {
    span = span._tag === "Span" ? Option.getOrUndefined(span.parent) : undefined
  }
  return span
}

/** The tracer spans relayed from a worker go to: the caller's, unless it is the native one (which nobody sees). */
export const relayTo = (fiber: Fiber.Fiber<unknown, unknown>): Tracer.Tracer | undefined => {
  const tracer = fiber.getRef(Tracer.Tracer)
  return tracer === Tracer.nativeTracer ? undefined : tracer
}

/**
 * The span of one call (`Pool.apply`, `Pool.applyAsync`), made only when a
 * tracer could see it.
 *
 * Effect's default tracer (`Tracer.nativeTracer`) keeps its spans in memory
 * and exports none; Effect documents comparing against it to skip work only a
 * tracing backend could observe. A call's span is nobody's parent (nothing
 * runs under it on this side), so under the native tracer it is invisible,
 * and making it cost half of what a call costs when thousands are submitted
 * at once (bench 1a). Any installed tracer gets every span, as before.
 */
import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"

/** `evaluate()` inside a span named `name` (not made the current span), or plainly under the native tracer. */
export const callSpan = <A, E, R>(name: string, evaluate: () => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) =>
    fiber.getRef(Tracer.Tracer) === Tracer.nativeTracer ? evaluate() : Effect.useSpan(name, evaluate)
  )

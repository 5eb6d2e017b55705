/**
 * Tracing across workers: the spans a task makes in its worker join the
 * caller's trace, and under an installed tracer they come back to it, each
 * under its parent, with its attributes and outcome (as a worker's log lines
 * reach the main program's logger). Python's multiprocessing has no tracing;
 * with OpenTelemetry there, each child exports its own spans and the trace
 * context is passed by hand.
 *
 * The tracer here keeps what it is given and prints the tree; in production it
 * would be a tracer layer (e.g. @effect/opentelemetry's) provided to the whole
 * program. Nothing is installed in the workers.
 *
 * Run: `node examples/tracing.ts`.
 */
import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"
import { Pool, Task } from "../src/index.ts"

export const thumbnail = Task.make(import.meta.url, "thumbnail", (width: number) =>
  Effect.gen(function*() {
    yield* Effect.annotateCurrentSpan("width", width)
    const pixels = yield* Effect.sync(() => width * width * 3 / 4).pipe(Effect.withSpan("decode"))
    return yield* Effect.sync(() => Math.round(pixels / 16)).pipe(Effect.withSpan("scale"))
  }).pipe(Effect.withSpan("thumbnail")))

if (import.meta.main) {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })

  const program = Effect.gen(function*() {
    const pool = yield* Pool.make({ processes: 2 })
    return yield* pool.map(thumbnail, [640, 1280])
  }).pipe(Effect.withSpan("make thumbnails"), Effect.scoped, Effect.withTracer(tracer))

  Effect.runPromise(program).then((sizes) => {
    console.log(`sizes [${sizes.join(", ")}]`)
    // the tree under the program's span: children by width (they ran at once), else in the order they started
    const width = (span: Tracer.NativeSpan) => Number(span.attributes.get("width") ?? 0)
    const children = (parent: Tracer.NativeSpan) =>
      spans
        .filter((span) => span.parent._tag === "Some" && span.parent.value === parent)
        .sort((a, b) => width(a) - width(b) || Number(a.startTime - b.startTime))
    const print = (span: Tracer.NativeSpan, depth: number) => {
      const ended = span.status._tag === "Ended" ? "" : " (still open)"
      console.log(`${"  ".repeat(depth)}${span.name}${width(span) === 0 ? "" : ` width=${width(span)}`}${ended}`)
      for (const child of children(span)) print(child, depth + 1)
    }
    print(spans.find((span) => span.name === "make thumbnails")!, 0)
  })
}

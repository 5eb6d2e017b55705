/**
 * Waiting for something a task did, on any start method: tasks log a line,
 * the test's logger records it, and the test waits for that line (an event,
 * not a sleep). Provide `signals.layer` around the pool.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

export const makeSignals = () => {
  const seen: Array<string> = []
  const waiting = new Map<string, Deferred.Deferred<string>>()
  const logger = Logger.make((options) => {
    const parts = Array.isArray(options.message) ? options.message : [options.message]
    const line = parts.map(String).join(" ")
    seen.push(line)
    for (const [prefix, deferred] of waiting) {
      if (line.startsWith(prefix)) Deferred.doneUnsafe(deferred, Effect.succeed(line))
    }
  })
  return {
    layer: Logger.layer([logger]) as Layer.Layer<never>,
    seen,
    /** The first line that starts with `prefix`, once it has been logged. */
    line: (prefix: string): Effect.Effect<string> =>
      Effect.suspend(() => {
        const found = seen.find((l) => l.startsWith(prefix))
        if (found !== undefined) return Effect.succeed(found)
        let deferred = waiting.get(prefix)
        if (deferred === undefined) {
          deferred = Deferred.makeUnsafe<string>()
          waiting.set(prefix, deferred)
        }
        return Deferred.await(deferred)
      })
  }
}

/**
 * Does not compile, on purpose: the handler needs a service its task does
 * not declare. test/types.test.ts checks what the compiler says.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { Task } from "../../src/index.ts"

class Jobs extends Context.Service<Jobs, { readonly n: number }>()("app/Jobs") {}

export const producer = Task.make(import.meta.url, "producer", (n: number) =>
  Effect.gen(function*() {
    const jobs = yield* Jobs
    return jobs.n + n
  }))

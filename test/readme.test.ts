/**
 * The README's "Testing your code" snippet, as written there (with this
 * repository's import paths): a user's unit test of a task on the `fiber`
 * start method.
 */
import { expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Pool } from "../src/index.ts"
import { square } from "./fixtures/tasks.ts"

it.effect("squares", () =>
  Effect.scoped(Effect.gen(function*() {
    const pool = yield* Pool.make({ processes: 2, startMethod: "fiber" })
    expect(yield* pool.map(square, [1, 2, 3])).toEqual([1, 4, 9])
  })))

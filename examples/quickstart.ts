/**
 * The README's first example: square numbers on a pool of worker threads.
 * Run it with `node examples/quickstart.ts`.
 */
import * as Effect from "effect/Effect"
import { Pool } from "../src/index.ts"
import { square } from "./tasks.ts"

const program = Effect.gen(function*() {
  const pool = yield* Pool.make({ processes: 2 })
  const squares = yield* pool.map(square, [1, 2, 3, 4, 5])
  console.log(squares) // [ 1, 4, 9, 16, 25 ]
  console.log(yield* pool.apply(square, [12])) // 144
})

Effect.runPromise(Effect.scoped(program))

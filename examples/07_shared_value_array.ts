/**
 * Shared values and arrays made with Python's typecodes, and the error a
 * nested list gives. Python's version (tutorial program 07):
 *
 * ```python
 * import multiprocessing as mp
 *
 * value1 = mp.Value('i', 0)
 * value2 = mp.Value('d', 3.14)
 * array = mp.Array('i', [1, 2, 3, 4])
 * print(value1.value, value2.value, array[:])
 *
 * array = mp.Array('i', [[1, 2], [3, 4]])  # TypeError: 'list' object cannot be interpreted as an integer
 * ```
 *
 * Ours ends the same way: the nested list fails with a typed
 * `InvalidArgument`, printed, and the program exits with code 1.
 *
 * Run: `node examples/07_shared_value_array.ts`.
 */
import * as Effect from "effect/Effect"
import { Shared } from "../src/index.ts"

const program = Effect.gen(function*() {
  const value1 = yield* Shared.value("i", 0)
  const value2 = yield* Shared.value("d", 3.14)
  const array = yield* Shared.array("i", [1, 2, 3, 4])
  console.log(yield* Shared.get(value1), yield* Shared.get(value2), `[${(yield* Shared.toArray(array)).join(", ")}]`)

  // the types already refuse this; a JavaScript caller gets the typed error
  yield* Shared.array("i", [[1, 2], [3, 4]] as unknown as Array<number>)
})

Effect.runPromise(Effect.scoped(program)).catch((error) => {
  console.error(`${error._tag}: ${error.message}`)
  process.exitCode = 1
})

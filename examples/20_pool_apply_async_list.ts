/**
 * Tutorial 20: a list of `apply_async` results, read in submission order.
 *
 * ```python
 * import time
 * from multiprocessing import Pool
 *
 * def process_data(data):
 *     time.sleep(1)  # simulate a slow operation
 *     return data.upper()
 *
 * if __name__ == '__main__':
 *     with Pool(processes=3) as pool:
 *         data_list = ['apple', 'banana', 'cherry', 'date', 'elderberry']
 *         results = [pool.apply_async(process_data, args=(data,)) for data in data_list]
 *         final_results = [result.get() for result in results]
 *         for result in final_results:
 *             print(result)
 * ```
 *
 * Run: `node examples/20_pool_apply_async_list.ts` (the slow operation is 100 ms here).
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { Pool, Task } from "../src/index.ts"

export const processData = Task.make(
  import.meta.url,
  "processData",
  (data: string) => Effect.as(Effect.sleep("100 millis"), data.toUpperCase())
)

if (import.meta.main) {
  const program = Effect.scoped(Effect.gen(function*() {
    const pool = yield* Pool.make({ processes: 3 })
    const dataList = ["apple", "banana", "cherry", "date", "elderberry"]
    const results = yield* Effect.forEach(dataList, (data) => pool.applyAsync(processData, [data]))
    const finalResults = yield* Effect.forEach(results, Fiber.join) // get(), in submission order
    for (const result of finalResults) console.log(result)
  }))
  Effect.runPromise(program)
}

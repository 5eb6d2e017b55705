/**
 * Tasks and the program in one file: the program runs only when this file is
 * the one Node was started with (`import.meta.main`), not when a worker
 * imports the file to find `double`. Python's `if __name__ == "__main__":`.
 * Without the guard, each worker would run the program too; the library
 * refuses that with an `InvalidArgument` that names the fix.
 *
 * Run: `node examples/one_file.ts` (on each start method in turn).
 */
import * as Task from "../src/Task.ts"

export const double = Task.make(import.meta.url, "double", (x: number) => x * 2)

if (import.meta.main) {
  // Imported under the guard: a worker imports this file to find `double`,
  // and needs neither Effect nor the rest of the library for it.
  const Effect = await import("effect/Effect")
  const { Pool } = await import("../src/index.ts")
  const program = Effect.gen(function*() {
    for (const startMethod of ["thread", "process", "fiber"] as const) {
      const doubled = yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* Pool.make({ processes: 2, startMethod })
        return yield* pool.map(double, [1, 2, 3])
      }))
      console.log(startMethod, doubled)
    }
  })
  await Effect.runPromise(program)
}

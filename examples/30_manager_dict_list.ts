/**
 * A dict and a list that live in the main program, filled by 10 processes.
 * Python's version (tutorial program 30):
 *
 * ```python
 * from multiprocessing import Process, Manager
 *
 * def f(d, l, n):
 *     d[n] = '1'
 *     d['2'] = 2
 *     d[0.25] = None
 *     l.append(n)
 *     print(l)
 *
 * if __name__ == '__main__':
 *     with Manager() as manager:
 *         d = manager.dict()
 *         l = manager.list(range(5))
 *         p_list = []
 *         for i in range(10):
 *             p = Process(target=f, args=(d, l, i))
 *             p.start()
 *             p_list.append(p)
 *         for res in p_list:
 *             res.join()
 *         print(d)
 *         print(l)
 * ```
 *
 * Each process prints the list as it saw it after its own append; then the
 * dict (keys 0..9 -> '1', '2' -> 2, 0.25 -> None) and the list (0..4, then
 * 0..9 in the order the processes appended). Printed the way Python prints
 * them.
 *
 * Run: `node examples/30_manager_dict_list.ts`.
 */
import * as Effect from "effect/Effect"
import { Manager, Process, Task } from "../src/index.ts"

/** A value as Python's print shows it. */
const repr = (x: unknown): string =>
  x === null || x === undefined ? "None" : typeof x === "string" ? `'${x}'` : String(x)

const list = (xs: ReadonlyArray<unknown>) => `[${xs.map(repr).join(", ")}]`

export const f = Task.make(
  import.meta.url,
  "f",
  (d: Manager.Dict<Manager.Key, unknown>, l: Manager.List<number>, n: number) =>
    Effect.gen(function*() {
      yield* Manager.set(d, n, "1")
      yield* Manager.set(d, "2", 2)
      yield* Manager.set(d, 0.25, null)
      yield* Manager.push(l, n)
      console.log(list(yield* Manager.toArray(l)))
    })
)

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const manager = yield* Manager.make()
    const d = yield* Manager.dict<Manager.Key, unknown>(manager)
    const l = yield* Manager.list(manager, [0, 1, 2, 3, 4])
    const pList = []
    for (let i = 0; i < 10; i++) pList.push(yield* Process.start(f, [d, l, i], { startMethod: "process" }))
    for (const res of pList) yield* res.join
    const entries = yield* Manager.entries(d)
    console.log(`{${entries.map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(", ")}}`)
    console.log(list(yield* Manager.toArray(l)))
  })
  Effect.runPromise(Effect.scoped(program))
}

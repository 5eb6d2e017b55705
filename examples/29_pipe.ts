/**
 * Tutorial 29: a pipe between two processes.
 *
 * ```python
 * from multiprocessing import Process, Pipe
 *
 * def s(conn):
 *     conn.send('hello, how do you do')
 *     conn.close()
 *
 * def r(conn):
 *     print(conn.recv())
 *
 * if __name__ == '__main__':
 *     conn1, conn2 = Pipe()
 *     p1 = Process(target=s, args=(conn1,))
 *     p2 = Process(target=r, args=(conn2,))
 *     p1.start()
 *     p2.start()
 * ```
 *
 * Run: `node examples/29_pipe.ts`.
 */
import * as Effect from "effect/Effect"
import { Pipe, Process, Task } from "../src/index.ts"

export const s = Task.make(import.meta.url, "s", (conn: Pipe.Duplex<string>) =>
  Effect.andThen(Pipe.send(conn, "hello, how do you do"), Pipe.close(conn)))

export const r = Task.make(
  import.meta.url,
  "r",
  (conn: Pipe.Duplex<string>) => Effect.map(Pipe.recv(conn), (message) => console.log(message))
)

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const [conn1, conn2] = yield* Pipe.make<string>()
    yield* Process.start(s, [conn1], { startMethod: "process" })
    yield* Process.start(r, [conn2], { startMethod: "process" })
  })
  Effect.runPromise(Effect.scoped(program))
}

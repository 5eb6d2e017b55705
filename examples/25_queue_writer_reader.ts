/**
 * Tutorial 25: a writer and an endless reader over one queue; the reader is
 * terminated at the end.
 *
 * ```python
 * from multiprocessing import Process, Queue
 * import os, time, random
 *
 * def write(q):
 *     print('Process to write: %s' % os.getpid())
 *     for value in ['A', 'B', 'C']:
 *         print('Put %s to queue...' % value)
 *         q.put(value)
 *         time.sleep(random.random())
 *
 * def read(q):
 *     print('Process to read: %s' % os.getpid())
 *     while True:
 *         value = q.get(True)
 *         print('Get %s from queue.' % value)
 *
 * if __name__ == '__main__':
 *     q = Queue()
 *     pw = Process(target=write, args=(q,))
 *     pr = Process(target=read, args=(q,))
 *     pw.start()
 *     pr.start()
 *     pw.join()
 *     pr.terminate()
 * ```
 *
 * In Python the last "Get" is printed only if the writer's final random
 * sleep gives the reader time before `terminate()`. Ours does not leave it to
 * chance: the queue is joinable, the reader marks each item done after
 * printing it, and the parent waits for that (`Queue.join`) before it
 * terminates the reader.
 *
 * Run: `node examples/25_queue_writer_reader.ts`.
 */
import * as Effect from "effect/Effect"
import { Process, Queue, Task } from "../src/index.ts"

export const write = Task.make(import.meta.url, "write", (q: Queue.Queue<string>) =>
  Effect.gen(function*() {
    console.log(`Process to write: ${process.pid}`)
    for (const value of ["A", "B", "C"]) {
      console.log(`Put ${value} to queue...`)
      yield* Queue.offer(q, value)
      yield* Effect.sleep(Math.random() * 50) // time.sleep(random.random()), shortened
    }
  }))

export const read = Task.make(import.meta.url, "read", (q: Queue.Queue<string>) =>
  Effect.gen(function*() {
    console.log(`Process to read: ${process.pid}`)
    while (true) {
      const value = yield* Queue.take(q) // get(True)
      console.log(`Get ${value} from queue.`)
      yield* Queue.taskDone(q)
    }
  }))

if (import.meta.main) {
  const program = Effect.gen(function*() {
    const q = yield* Queue.make<string>({ joinable: true })
    const pw = yield* Process.start(write, [q], { startMethod: "process" })
    const pr = yield* Process.start(read, [q], { startMethod: "process" })
    yield* pw.join
    yield* Queue.join(q) // every item read and printed
    yield* pr.terminate
  })
  Effect.runPromise(Effect.scoped(program))
}

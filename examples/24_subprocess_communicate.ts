/**
 * Tutorial 24: a child with stdin / stdout / stderr pipes, fed an input, its
 * output and return code read (`Popen(...).communicate(input)`).
 *
 * ```python
 * import subprocess
 *
 * print('$ tr a-z A-Z')
 * p = subprocess.Popen(['tr', 'a-z', 'A-Z'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
 * output, err = p.communicate(b'set q=mx\npython.org\nexit\n')
 * print(output.decode('utf-8'))
 * print('Exit code:', p.returncode)
 * ```
 *
 * Effect's own `effect/process`: the input is a Stream piped into stdin, the
 * output a Stream read to the end, the exit code an Effect; the child is
 * killed if the scope ends first.
 *
 * Run: `node examples/24_subprocess_communicate.ts`.
 */
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Effect from "effect/Effect"
import { ChildProcess, ChildProcessSpawner } from "effect/process"
import * as Stream from "effect/Stream"

const program = Effect.gen(function*() {
  const spawner = yield* ChildProcessSpawner.ChildProcessSpawner
  console.log("$ tr a-z A-Z")
  const input = Stream.make(new TextEncoder().encode("set q=mx\npython.org\nexit\n"))
  const p = yield* spawner.spawn(ChildProcess.make("tr", ["a-z", "A-Z"], { stdin: input })) // Popen with pipes
  const chunks = yield* Stream.runCollect(p.stdout) // communicate(): the whole output
  const output = Buffer.concat(Array.from(chunks)).toString("utf8")
  const returncode = yield* p.exitCode
  console.log(output)
  console.log("Exit code:", returncode)
})

Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(NodeServices.layer)))

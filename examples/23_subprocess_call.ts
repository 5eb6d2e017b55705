/**
 * Tutorial 23: run a command and get its exit code (`subprocess.call`).
 *
 * ```python
 * import subprocess
 *
 * print('$ echo www.python.org')
 * r = subprocess.call(['echo', 'www.python.org'])
 * print('Exit code:', r)
 * ```
 *
 * Subprocesses are Effect's own: `effect/process` ChildProcess with
 * `@effect/platform-node`'s NodeChildProcessSpawner (this library adds
 * nothing here). A command that does not exist is a typed `PlatformError`,
 * and a timeout is `Effect.timeout` (the child is killed when the scope ends).
 *
 * Run: `node examples/23_subprocess_call.ts`.
 */
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Effect from "effect/Effect"
import { ChildProcess, ChildProcessSpawner } from "effect/process"

const program = Effect.gen(function*() {
  const spawner = yield* ChildProcessSpawner.ChildProcessSpawner
  console.log("$ echo www.python.org")
  const r = yield* spawner.exitCode(ChildProcess.make("echo", ["www.python.org"], { stdout: "inherit" }))
  console.log("Exit code:", r)
  // not in the Python: a command that does not exist, and one that takes too long
  const missing = yield* Effect.flip(spawner.exitCode(ChildProcess.make("no-such-command", [])))
  console.log("no-such-command:", missing._tag)
  const slow = yield* Effect.flip(spawner.exitCode(ChildProcess.make("sleep", ["10"])).pipe(Effect.timeout("100 millis")))
  console.log("sleep 10:", slow._tag)
})

Effect.runPromise(program.pipe(Effect.provide(NodeServices.layer)))

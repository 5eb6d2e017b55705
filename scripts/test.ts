/**
 * `npm test`'s runner: `vitest run`, and once more for a test file whose
 * worker process died of a V8 fatal error rather than of a failing test.
 *
 * Node 24's V8 can abort a process that creates and terminates many worker
 * threads: "Check failed: jit_page.has_value()" (SIGTRAP), in its JIT-page
 * registry (nodejs/node#64500 and its kin). The fault tests do exactly that,
 * and about one full run in ten lost its fault-test file to it here. Such a
 * file is run again, once, and said loudly; a failing test is never retried.
 */
import { spawn } from "node:child_process"
import * as path from "node:path"

const vitest = path.resolve(import.meta.dirname, "..", "node_modules", "vitest", "vitest.mjs")

const run = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env) =>
  new Promise<{ readonly code: number; readonly out: string }>((resolve) => {
    const child = spawn(process.execPath, [vitest, "run", ...args], { stdio: ["inherit", "pipe", "pipe"], env })
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk
      process.stdout.write(chunk)
    })
    child.stderr.on("data", (chunk: Buffer) => {
      out += chunk
      process.stderr.write(chunk)
    })
    child.on("close", (code) => resolve({ code: code ?? 1, out }))
  })

const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "")

const first = await run(process.argv.slice(2))
if (first.code === 0) process.exit(0)
const out = plain(first.out)
const crashed = [...out.matchAll(/Worker exited unexpectedly with signal (SIGTRAP|SIGABRT|SIGSEGV|SIGILL)[^\n]*while running test file (\S+)/g)]
  .map((m) => m[2]!)
const failedTests = /Tests\s+\d+ failed/.test(out)
if (crashed.length === 0 || failedTests) process.exit(first.code)
const files = [...new Set(crashed)]
console.error(
  `\nnpm test: the worker process running ${files.join(", ")} died of a signal, not of a failing test ` +
    "(V8's JIT-page check, see scripts/test.ts). Running that file again, once.\n"
)
const again = await run(files, { ...process.env, EMP_TEST_RETRY: "1" })
process.exit(again.code)

/**
 * The same Pool on a cluster, all on this machine: PostgreSQL, two runners started from the command line, and a
 * program whose pool comes from `Cluster.layer` instead of `Pool.layer`.
 *
 * On several machines: start PostgreSQL once, run `npx effect-multiprocessing runner --root <project> --host <this
 * machine>` on each machine with `DATABASE_URL` set, and give the program the same `DATABASE_URL`. This example uses
 * `DATABASE_URL` if it is set, and otherwise starts a temporary server of its own (PostgreSQL's `initdb` and
 * `pg_ctl` must be installed: `scripts/postgres.sh`).
 */
import { PgClient } from "@effect/sql-pg"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"
import * as readline from "node:readline"
import * as Postgres from "../test/support/postgres.ts"
import { Cluster, Pool } from "../src/index.ts"
import { square } from "./tasks.ts"

const root = path.resolve(import.meta.dirname, "..")

// Settings every node of the cluster shares: effect/cluster reads them from the environment. Short intervals make
// a small demo start quickly; a runner that dies is replaced after SHARD_LOCK_EXPIRATION.
const settings = {
  SHARD_LOCK_EXPIRATION: "10 seconds",
  REFRESH_ASSIGNMENTS_INTERVAL: "1 second",
  ENTITY_MESSAGE_POLL_INTERVAL: "1 second",
  ENTITY_REPLY_POLL_INTERVAL: "100 millis",
  SEND_RETRY_INTERVAL: "100 millis"
}
Object.assign(process.env, settings)

/** `effect-multiprocessing runner` (here `node src/bin.ts runner`), stopped with the scope. */
const runner = (url: string, port: number) =>
  Effect.acquireRelease(
    Effect.callback<ChildProcess, Error>((resume) => {
      const child = spawn(
        process.execPath,
        [path.join(root, "src", "bin.ts"), "runner", "--root", root, "--host", "127.0.0.1", "--port", String(port), "--processes", "1"],
        { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, DATABASE_URL: url } }
      )
      readline.createInterface({ input: child.stdout! }).on("line", (line) => {
        if (line.startsWith("effect-multiprocessing runner ready")) resume(Effect.succeed(child))
      })
      child.once("exit", (code) => resume(Effect.fail(new Error(`the runner on port ${port} exited with ${code}`))))
    }),
    (child) =>
      Effect.callback<void>((resume) => {
        if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
        child.once("exit", () => resume(Effect.void))
        child.kill("SIGTERM")
      })
  )

// The program: the same as with a local pool.
const program = Effect.gen(function*() {
  const pool = yield* Pool.Pool
  console.log(yield* pool.map(square, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
  console.log(yield* pool.apply(square, [12]))
})

const main = Effect.gen(function*() {
  const url = process.env.DATABASE_URL ?? (yield* Postgres.start({ database: "demo" })).url
  yield* Effect.all([runner(url, yield* Postgres.freePort()), runner(url, yield* Postgres.freePort())], {
    concurrency: "unbounded"
  })
  const Sql = PgClient.layer({ url: Redacted.make(url) })
  yield* program.pipe(Effect.provide(Cluster.layer({ root }).pipe(Layer.provide(Sql))))
}).pipe(Effect.scoped)

if (import.meta.main) await Effect.runPromise(main)

/**
 * The Pool on effect/cluster runners: a temporary Postgres, two runner
 * processes on loopback (test/fixtures/cluster-runner.ts), and a client pool
 * in this process. The runners name tasks from a root of their own (a
 * directory that links only cluster-tasks.ts), so client and runners see the
 * same modules at different absolute paths.
 */
import { PgClient } from "@effect/sql-pg"
import { assert, describe, expect, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { SqlClient } from "effect/sql/SqlClient"
import * as Stream from "effect/Stream"
import type { ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Cluster, Errors } from "../src/index.ts"
import { shardingConfig } from "./fixtures/cluster-config.ts"
import { here } from "./fixtures/cluster-client-only.ts"
import { add, boom, crash, echo, pid, Refused, refuse, sleepy, square } from "./fixtures/cluster-tasks.ts"
import * as Postgres from "./support/postgres.ts"
import { startRunner } from "./support/runner.ts"

const repo = path.resolve(import.meta.dirname, "..")

/** The runners' root: a directory of its own holding (a link to) cluster-tasks.ts only. */
const runnerRoot = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emp-cluster-root-"))
    fs.mkdirSync(path.join(dir, "test", "fixtures"), { recursive: true })
    fs.symlinkSync(path.join(repo, "test", "fixtures", "cluster-tasks.ts"), path.join(dir, "test", "fixtures", "cluster-tasks.ts"))
    return dir
  }),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const Env = Layer.unwrap(Effect.gen(function*() {
  const pg = yield* Postgres.start({ database: "cluster" })
  const root = yield* runnerRoot
  const ports = [yield* Postgres.freePort(), yield* Postgres.freePort()]
  // one runner as the tests' fixture, one from the command line (the one a kill test spares)
  const runners = yield* Effect.all([startRunner(ports[0]!, pg.url, root, "fixture"), startRunner(ports[1]!, pg.url, root, "bin")], {
    concurrency: "unbounded"
  })
  const Sql = PgClient.layer({ url: Redacted.make(pg.url), maxConnections: 10 })
  return Cluster.layer({ root: repo, shardingConfig, runners: 2 }).pipe(
    Layer.provideMerge(Sql),
    Layer.merge(Layer.succeed(Runners)(runners))
  )
}))

/** The runner processes. */
class Runners extends Context.Service<Runners, ReadonlyArray<ChildProcess>>()("test/Runners") {}

layer(Env, { excludeTestServices: true, timeout: 60_000 })("Cluster", (it) => {
  describe("pool on two runners", () => {
    it.effect("apply runs a task on a runner, and calls spread over both runners", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        expect(yield* pool.apply(add, [1, 2])).toBe(3)
        const pids = yield* pool.map(pid, Array.from({ length: 64 }, (_, i) => i), { chunksize: 1 })
        expect(new Set(pids)).toEqual(new Set((yield* Runners).map((r) => r.pid)))
      }), 60_000)

    it.effect("map of 1,000 items, in input order; starmap; values cross as with local workers", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const xs = Array.from({ length: 1000 }, (_, i) => i)
        expect(yield* pool.map(square, xs)).toEqual(xs.map((x) => x * x))
        expect(yield* pool.starmap(add, [[1, 2], [3, 4], [5, 6]])).toEqual([3, 7, 11])
        const value = { n: 2n ** 70n, m: new Map([["a", new Date(0)]]), bytes: new Float64Array([1.5, 2.5]) }
        expect(yield* pool.apply(echo, [value])).toEqual(value)
      }), 60_000)

    it.effect("a thrown error arrives with its class name, message, fields and remote stack; a typed one as its class", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const thrown = yield* Effect.flip(pool.map(boom, Array.from({ length: 100 }, (_, i) => i)))
        assert.instanceOf(thrown, Errors.TaskError)
        expect(thrown.name).toBe("RangeError")
        expect(thrown.reason).toBe("unlucky 13")
        expect(thrown.data).toEqual({ code: 42 })
        expect(thrown.remoteStack).toContain("cluster-tasks.ts")
        expect(thrown.task).toBe(boom.key)

        const typed = yield* Effect.flip(pool.apply(refuse, ["no"]))
        assert.instanceOf(typed, Refused)
        expect(typed.why).toBe("no")

        const exits = yield* pool.map(boom, [12, 13, 14], { mode: "exit", chunksize: 3 })
        expect(exits.map(Exit.isSuccess)).toEqual([true, false, true])
      }), 60_000)

    it.effect("a task that ends its worker fails with WorkerDied; the runner keeps serving", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const died = yield* Effect.flip(pool.apply(crash, []))
        assert.instanceOf(died, Errors.WorkerDied)
        expect(died.exitCode).toBe(3)
        expect(yield* pool.map(square, [1, 2, 3])).toEqual([1, 4, 9])
      }), 60_000)

    it.effect("a module the runner does not have fails with TaskModuleLoadError naming both sides' view", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const error = yield* Effect.flip(pool.apply(here, [1]))
        assert.instanceOf(error, Errors.TaskModuleLoadError)
        expect(error.requested).toBe("test/fixtures/cluster-client-only.ts#here")
        expect(error.module).toMatch(/emp-cluster-root-.*[/\\]test[/\\]fixtures[/\\]cluster-client-only\.ts$/)
        expect(error.message).toContain("requested as test/fixtures/cluster-client-only.ts#here")
      }), 60_000)

    it.effect("a timeout fails the call with TaskTimedOut and interrupts the task on its runner", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const marker = path.join(os.tmpdir(), `emp-cluster-interrupt-${process.pid}-${Date.now()}`)
        const error = yield* Effect.flip(pool.apply(sleepy, [60_000, marker], { timeout: "1 second" }))
        assert.instanceOf(error, Errors.TaskTimedOut)
        // the runner writes the marker when its worker's fiber is interrupted
        yield* Effect.sync(() => fs.existsSync(marker)).pipe(
          Effect.flatMap((there) => there ? Effect.void : Effect.fail("not yet")),
          Effect.retry({ schedule: Schedule.spaced("50 millis"), times: 200 })
        )
        fs.rmSync(marker, { force: true })
      }), 60_000)

    it.effect("imap, imapUnordered and applyAsync", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const xs = Array.from({ length: 300 }, (_, i) => i)
        expect(yield* Stream.runCollect(pool.imap(square, xs, { chunksize: 50 }))).toEqual(xs.map((x) => x * x))
        const unordered = yield* Stream.runCollect(pool.imapUnordered(square, Stream.fromIterable(xs)))
        expect([...unordered].sort((a, b) => a - b)).toEqual(xs.map((x) => x * x))
        const fiber = yield* pool.applyAsync(add, [20, 22])
        expect(yield* Fiber.join(fiber)).toBe(42)
      }), 60_000)

    it.effect("the cluster's storage does not grow over 20 maps (their messages leave no rows behind)", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const sql = yield* SqlClient
        const rows = Effect.map(
          sql<{ readonly n: string }>`select (select count(*) from cluster_messages) + (select count(*) from cluster_replies) as n`,
          (result) => Number(result[0]!.n)
        )
        const xs = Array.from({ length: 200 }, (_, i) => i)
        yield* pool.map(square, xs) // the tables exist from here on
        const before = yield* rows
        for (let k = 0; k < 20; k++) expect(yield* pool.map(square, xs)).toEqual(xs.map((x) => x * x))
        expect(yield* rows).toBe(before)
      }), 60_000)

    // last: it kills a runner and closes the pool
    it.effect("a runner killed during a map: its chunks run again on the other one and the map completes; then close", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const [victim, survivor] = yield* Runners
        const xs = Array.from({ length: 64 }, (_, i) => i)
        const fiber = yield* Effect.forkChild(pool.map(pid, xs, { chunksize: 1 }))
        victim!.kill("SIGKILL")
        const pids = yield* Fiber.join(fiber)
        expect(pids).toHaveLength(64)
        // after the kill, only the survivor serves
        expect(new Set(yield* pool.map(pid, xs, { chunksize: 1 }))).toEqual(new Set([survivor!.pid]))
        yield* pool.close
        yield* pool.join
        const refused = yield* Effect.flip(pool.apply(add, [1, 2]))
        assert.instanceOf(refused, Errors.PoolNotRunning)
        expect(refused.state).toBe("closed")
      }), 60_000)
  })
})

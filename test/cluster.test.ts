/**
 * The Pool on effect/cluster runners: a temporary Postgres, two runner
 * processes on loopback (test/fixtures/cluster-runner.ts), and a client pool
 * in this process. The runners name tasks from a root of their own (a
 * directory that links only cluster-tasks.ts), so client and runners see the
 * same modules at different absolute paths.
 */
import { PgClient } from "@effect/sql-pg"
import { assert, describe, expect, it, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Latch from "effect/Latch"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { SqlClient } from "effect/sql/SqlClient"
import * as Stream from "effect/Stream"
import type { ChildProcess } from "node:child_process"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as v8 from "node:v8"
import { Cluster, Errors, Pool, Task } from "../src/index.ts"
import { decodeReply, makeLedger, PoolEntity } from "../src/internal/cluster.ts"
import { againWhenMoved } from "../src/internal/clusterClient.ts"
import { shardingConfig } from "./fixtures/cluster-config.ts"
import { here } from "./fixtures/cluster-client-only.ts"
import {
  add,
  boom,
  crash,
  echo,
  held,
  pid,
  Refused,
  refuse,
  sleepy,
  square,
  traceIdThere,
  where
} from "./fixtures/cluster-tasks.ts"
import { awaitFile, awaitInDir } from "./support/files.ts"
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
    Layer.merge(Layer.succeed(Runners)(runners)),
    Layer.merge(Layer.succeed(Setup)({ url: pg.url, root }))
  )
}))

/** The runner processes. */
class Runners extends Context.Service<Runners, ReadonlyArray<ChildProcess>>()("test/Runners") {}

/** The Postgres url and the runners' root, for a runner started by a test. */
class Setup extends Context.Service<Setup, { readonly url: string; readonly root: string }>()("test/Setup") {}

/** Waits until `holds()` is true of the markers in `dir` (an event on the directory); fails after 60 s naming `what`. */
const until = (dir: string, what: string, holds: () => boolean) =>
  awaitInDir(dir, holds).pipe(
    Effect.timeout("60 seconds"),
    Effect.mapError(() => new Error(`still waiting for ${what}`))
  )

/** Waits until the runner `runner` holds shards: a map of 64 one-input chunks (over every entity id) reaches it. */
const servedBy = (pool: Cluster.ClusterPool, runner: number) =>
  pool.map(pid, Array.from({ length: 64 }, (_, i) => i), { chunksize: 1 }).pipe(
    Effect.flatMap((pids) => pids.includes(runner) ? Effect.void : Effect.fail(new Error(`runner ${runner} serves no shard yet`))),
    Effect.retry({ schedule: Schedule.spaced("100 millis"), times: 600 })
  )

/** A directory for `held`'s markers, removed at the end of the test. */
const markers = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "emp-cluster-held-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)
const startedOn = (dir: string, pid: number | undefined) =>
  fs.readdirSync(dir).filter((f) => f.startsWith("start-") && f.endsWith(`-${pid}`)).map((f) => Number(f.split("-")[1]))

class Config extends Context.Service<Config, { readonly factor: number }>()("test/Config") {}
/** A task that declares a service: a cluster pool refuses it (never a runner has it). */
const scaled = Task.make(import.meta.url, "scaled", (x: number) =>
  Effect.gen(function*() {
    return x * (yield* Config).factor
  }), { services: [Config] })

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
        yield* awaitFile(marker)
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

    it.effect("the caller's trace context reaches the task on its runner (effect/cluster carries it in each message)", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const caller = yield* Effect.currentSpan
        expect(yield* pool.apply(traceIdThere, [0])).toBe(caller.traceId)
        expect(yield* pool.map(traceIdThere, [1, 2, 3], { chunksize: 1 })).toEqual([1, 2, 3].map(() => caller.traceId))
      }).pipe(Effect.withSpan("caller")), 60_000)

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

    it.effect("a task that declares services is refused at the call with InvalidArgument, by every operation", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const calls: ReadonlyArray<Effect.Effect<unknown, unknown, Config>> = [
          Effect.flip(pool.apply(scaled, [1])),
          Effect.flatMap(pool.applyAsync(scaled, [1]), (fiber) => Effect.flip(Fiber.join(fiber))),
          Effect.flip(pool.map(scaled, [1, 2])),
          Effect.flip(Stream.runCollect(pool.imap(scaled, [1, 2]))),
          Effect.flip(Stream.runCollect(pool.imapUnordered(scaled, [1, 2])))
        ]
        for (const call of calls) {
          const error = yield* call.pipe(Effect.provideService(Config, { factor: 2 }))
          assert.instanceOf(error, Errors.InvalidArgument)
          expect(error.reason).toContain(`${scaled.key} declares services, which cannot reach another machine`)
        }
      }), 60_000)

    it.effect("transfer is accepted and ignored: the buffer is copied, as to a child process, and stays usable", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const bytes = new Uint8Array([1, 2, 3])
        expect(yield* pool.apply(echo, [bytes], { transfer: [bytes.buffer] })).toEqual(bytes)
        expect(bytes.byteLength).toBe(3) // a local thread pool would have detached it
        const wrong = yield* Effect.flip(pool.apply(echo, [bytes], { transfer: bytes.buffer as any }))
        assert.instanceOf(wrong, Errors.InvalidArgument)
      }), 60_000)

    it.effect("a chunk has a stable id: of two real replies to one chunk the second is dropped, a reply to another chunk is refused", () =>
      Effect.gen(function*() {
        // effect/cluster resolves each request once, so no second reply ever reaches a pool's call (the SIGSTOP
        // test below shows it): here the same chunk goes to the runners as two messages, as a re-delivery would,
        // and both real replies meet the ledger every call of a pool delivers through
        const { clientLayer } = yield* Effect.promise(() => import("../src/internal/clusterNode.ts"))
        const client = yield* PoolEntity.client.pipe(Effect.provideContext(yield* Layer.build(clientLayer({ shardingConfig }))))
        const ledger = makeLedger("test.1")
        const request = (index: number, xs: ReadonlyArray<number>) => ({
          chunk: ledger.id(index),
          task: "test/fixtures/cluster-tasks.ts#where",
          op: "map" as const,
          exit: false,
          data: new Uint8Array(v8.serialize(xs))
        })
        const replies = yield* Effect.all([client("1").Run(request(0, [7, 8])), client("2").Run(request(0, [7, 8]))], {
          concurrency: 2
        })
        const [[status, value, echoed], [, , again]] = replies.map(decodeReply)
        expect(status).toBe(0)
        expect((value as Array<[number, number]>).map(([i]) => i)).toEqual([7, 8])
        expect(echoed).toBe("test.1.0")
        expect(ledger.accept(0, echoed)).toBe("first")
        expect(ledger.accept(0, again)).toBe("duplicate")
        const [, , other] = decodeReply(yield* client("3").Run(request(1, [9])))
        expect(ledger.accept(2, other)).toBe("foreign") // chunk 1's reply, offered as chunk 2's
        expect(ledger.accept(1, other)).toBe("first")
        expect(ledger.dropped()).toBe(2)
      }).pipe(Effect.scoped), 60_000)

    it.effect("two pools in this program (one from Pool.cluster) and a client in another process share the cluster without taking each other's replies", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        // made through Pool.cluster, the name a Pool user looks for (Cluster.pool underneath)
        const other = yield* Pool.cluster({ root: repo, shardingConfig, runners: 2 })
        const { url } = yield* Setup
        const xs = Array.from({ length: 400 }, (_, i) => i)
        // the other process maps `add` over [i, 1000000]: a reply of its own taken by a pool here would show
        const child = Effect.callback<string, Error>((resume) => {
          const proc = spawn(process.execPath, [path.join(repo, "test", "fixtures", "cluster-client.ts"), url, repo], {
            stdio: ["ignore", "pipe", "pipe"]
          })
          let out = ""
          let err = ""
          proc.stdout.on("data", (d) => (out += d))
          proc.stderr.on("data", (d) => (err += d))
          proc.once("exit", (code) => resume(code === 0 ? Effect.succeed(out) : Effect.fail(new Error(`client exited ${code}: ${err}`))))
          return Effect.sync(() => proc.kill("SIGKILL"))
        })
        const [squares, added, streamed, theirs] = yield* Effect.all([
          pool.map(square, xs, { chunksize: 4 }),
          other.starmap(add, xs.map((x) => [x, -1000] as const), { chunksize: 4 }),
          Stream.runCollect(other.imap(square, xs.map((x) => -x), { chunksize: 4 })),
          child
        ], { concurrency: "unbounded" })
        expect(squares).toEqual(xs.map((x) => x * x))
        expect(added).toEqual(xs.map((x) => x - 1000))
        expect(streamed).toEqual(xs.map((x) => x * x))
        expect(JSON.parse(theirs)).toEqual(xs.map((x) => x + 1_000_000))
      }).pipe(Effect.scoped), 60_000)

    it.effect("a runner frozen (SIGSTOP) mid-chunk: its chunks run again on the other runner, each result arrives once and in order; its late copy is never delivered", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const [victim, survivor] = yield* Runners
        const dir = yield* markers
        const xs = Array.from({ length: 16 }, (_, i) => [i, dir] as const)
        const fiber = yield* Effect.forkChild(Stream.runCollect(pool.imap(held, xs, { chunksize: 1, window: 16 })))
        // every input waits for <dir>/go: freeze the victim while it holds some of them
        yield* until(dir, "an input started on the victim", () => startedOn(dir, victim!.pid).length > 0)
        victim!.kill("SIGSTOP")
        const frozen = startedOn(dir, victim!.pid)
        fs.writeFileSync(path.join(dir, "go"), "")
        const results = yield* Fiber.join(fiber).pipe(Effect.ensuring(Effect.sync(() => victim!.kill("SIGCONT"))))
        // each input once, in order; the frozen ones answered by the survivor, where they ran again (at least once)
        expect(results.map(([i]) => i)).toEqual(xs.map(([i]) => i))
        for (const i of frozen) {
          expect(results[i]![1]).toBe(survivor!.pid)
          expect(fs.existsSync(path.join(dir, `start-${i}-${survivor!.pid}`))).toBe(true)
        }
        // resumed, the victim ends its copies; their replies go nowhere: a later call gets only its own
        yield* until(dir, "the victim's late copies", () => frozen.every((i) => fs.existsSync(path.join(dir, `end-${i}-${victim!.pid}`))))
        const ys = Array.from({ length: 64 }, (_, i) => i)
        expect((yield* Stream.runCollect(pool.imap(where, ys, { chunksize: 1 }))).map(([i]) => i)).toEqual(ys)
      }).pipe(Effect.scoped), 60_000)

    // it kills a runner: the tests after it run on one runner
    it.effect("a runner killed during a map: its chunks run again on the other one and the map completes", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const [victim, survivor] = yield* Runners
        const xs = Array.from({ length: 64 }, (_, i) => i)
        // the victim, frozen and resumed by the test before, serves again once it holds shards anew
        yield* servedBy(pool, victim!.pid!)
        const fiber = yield* Effect.forkChild(pool.map(pid, xs, { chunksize: 1 }))
        victim!.kill("SIGKILL")
        const pids = yield* Fiber.join(fiber)
        expect(pids).toHaveLength(64)
        // after the kill, only the survivor serves
        expect(new Set(yield* pool.map(pid, xs, { chunksize: 1 }))).toEqual(new Set([survivor!.pid]))
      }), 60_000)

    it.effect("a runner that joins mid-map receives shards: it runs some of the map's inputs, each result arrives once and in order", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const [, survivor] = yield* Runners
        const { root, url } = yield* Setup
        expect(new Set(yield* pool.map(pid, [1, 2, 3, 4], { chunksize: 1 }))).toEqual(new Set([survivor!.pid]))
        // the map's inputs go on until the newcomer has run one of them (or the test times out)
        let newcomer: number | undefined
        let seen = false
        const inputs = Stream.unfold(0, (i) => Effect.sync(() => seen ? undefined : [i, i + 1] as const))
        const fiber = yield* Effect.forkChild(
          pool.imap(where, inputs, { chunksize: 1, window: 4 }).pipe(
            Stream.tap(([, pid]) => Effect.sync(() => void (seen ||= pid === newcomer))),
            Stream.runCollect
          )
        )
        const joined = yield* startRunner(yield* Postgres.freePort(), url, root, "fixture")
        newcomer = joined.pid
        const results = yield* Fiber.join(fiber)
        expect(results.map(([i]) => i)).toEqual(results.map((_, i) => i))
        expect(results.some(([, pid]) => pid === newcomer)).toBe(true)
        expect(results[0]![1]).toBe(survivor!.pid)
      }).pipe(Effect.scoped), 60_000)

    it.effect("chunks in flight where their shard moves to a runner that joins run on the newcomer; the map completes, each result once and in order", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const { root, url } = yield* Setup
        const dir = yield* markers
        // every input holds its thread until `go`, so the map's 16 chunks (sent at once) are all in flight,
        // running or queued, when the newcomer joins: what it runs was sent to another runner first (a
        // queued one is handed over; a running one is interrupted there after entityTerminationTimeout,
        // 2 s in the tests, and sent again by the pool: see againWhenMoved below)
        const xs = Array.from({ length: 16 }, (_, i) => [i, dir] as const)
        const fiber = yield* Effect.forkChild(pool.map(held, xs, { chunksize: 1 }))
        yield* until(dir, "inputs running", () => fs.readdirSync(dir).some((f) => f.startsWith("start-")))
        const joined = yield* startRunner(yield* Postgres.freePort(), url, root, "fixture")
        yield* until(dir, "an input on the newcomer", () => startedOn(dir, joined.pid).length >= 1)
        fs.writeFileSync(path.join(dir, "go"), "")
        const results = yield* Fiber.join(fiber)
        expect(results.map(([i]) => i)).toEqual(xs.map(([i]) => i))
        expect(results.some(([, p]) => p === joined.pid)).toBe(true)
      }).pipe(Effect.scoped), 60_000)

    it.effect("a runner stopped (SIGTERM) while it runs chunks: they are interrupted there, the pool sends them again, and the map completes on the other runner, each result once and in order", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        const { root, url } = yield* Setup
        const dir = yield* markers
        const stopping = yield* startRunner(yield* Postgres.freePort(), url, root, "fixture")
        yield* servedBy(pool, stopping.pid!)
        // every input holds its thread until `go`, written once the runner has exited: what it ran cannot
        // have finished there
        const xs = Array.from({ length: 16 }, (_, i) => [i, dir] as const)
        const fiber = yield* Effect.forkChild(pool.map(held, xs, { chunksize: 1 }))
        yield* until(dir, "an input running on the runner to stop", () => startedOn(dir, stopping.pid).length >= 1)
        const gone = Effect.callback<void>((resume) => {
          if (stopping.exitCode !== null || stopping.signalCode !== null) return resume(Effect.void)
          stopping.once("exit", () => resume(Effect.void))
        })
        stopping.kill("SIGTERM")
        yield* gone
        fs.writeFileSync(path.join(dir, "go"), "")
        const results = yield* Fiber.join(fiber)
        expect(results.map(([i]) => i)).toEqual(xs.map(([i]) => i))
        expect(results.every(([, p]) => p !== stopping.pid)).toBe(true)
        // (without the pool's re-send the map failed here with an interrupt)
      }).pipe(Effect.scoped), 60_000)

    // last: it closes the pool
    it.effect("close: calls are refused", () =>
      Effect.gen(function*() {
        const pool = yield* Cluster.ClusterPool
        yield* pool.close
        yield* pool.join
        const refused = yield* Effect.flip(pool.apply(add, [1, 2]))
        assert.instanceOf(refused, Errors.PoolNotRunning)
        expect(refused.state).toBe("closed")
      }), 60_000)
  })
})

// The client's answer to a call effect/cluster ends with an interrupt of its own (the chunk's runner
// gave up its shard while running it): caused here by a real Effect interrupted from inside, since
// which shards move to a newcomer, and so whether a running chunk is among them, is effect/cluster's.
describe("againWhenMoved", () => {
  it.live("sends a call again after an interrupt that is not the caller's, until it completes", () =>
    Effect.gen(function*() {
      let attempts = 0
      const call = Effect.suspend(() => ++attempts < 3 ? Effect.interrupt : Effect.succeed("done"))
      expect(yield* againWhenMoved(call)).toBe("done")
      expect(attempts).toBe(3)
    }))

  it.live("a failure is not sent again; a call interrupted every time ends interrupted after 20 more tries", () =>
    Effect.gen(function*() {
      let failed = 0
      const failure = yield* Effect.flip(againWhenMoved(Effect.suspend(() => (failed++, Effect.fail("no")))))
      expect([failure, failed]).toEqual(["no", 1])
      let interrupted = 0
      const exit = yield* Effect.exit(againWhenMoved(Effect.suspend(() => (interrupted++, Effect.interrupt))))
      expect(Exit.hasInterrupts(exit)).toBe(true)
      expect(interrupted).toBe(21)
    }), 30_000)

  it.live("the caller's own interrupt stops it", () =>
    Effect.gen(function*() {
      let attempts = 0
      const started = Latch.makeUnsafe(false)
      const fiber = yield* Effect.forkChild(againWhenMoved(Effect.suspend(() => (attempts++, Effect.andThen(started.open, Effect.never)))))
      yield* started.await
      yield* Fiber.interrupt(fiber)
      expect(attempts).toBe(1)
    }))
})

/**
 * `node bench/cluster.ts`: a cluster pool on two local runners (a temporary
 * Postgres, test/fixtures/cluster-runner.ts): p50/p90 of one apply, items/s
 * of a map of 100,000 small items at several chunk sizes, and a CPU-bound map
 * beside a local pool of 2 on the same cores.
 *
 * `node bench/cluster.ts --json <what>` measures one figure in this fresh
 * process for `npm run bench` (scenarios 11m, 11c, 11a; bench/run.ts) and
 * prints it as the last line, `{ value, check }`: `map` (items/s of a map of
 * 100,000 on the cluster), `map-local` (the same on a local pool of 2),
 * `cpu` / `cpu-local` (ms of the CPU-bound map), `apply` (p50 µs of one apply).
 */
import { NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as os from "node:os"
import * as path from "node:path"
import { Cluster, Pool } from "../src/index.ts"
import { shardingConfig } from "../test/fixtures/cluster-config.ts"
import { add, countPrimes, square } from "../test/fixtures/cluster-tasks.ts"
import * as Postgres from "../test/support/postgres.ts"
import { startRunner } from "../test/support/runner.ts"

const repo = path.resolve(import.meta.dirname, "..")

const pct = (xs: Array<number>, p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * xs.length)]!

const [flag, what] = process.argv.slice(2)
const json = flag === "--json"
const xs = Array.from({ length: 100_000 }, (_, i) => i)
const limit = 400_000
const inputs = Array.from({ length: 16 }, (_, i) => limit + i)

/** The median rate of 5 maps of `xs` after one warm-up map. */
const mapRate = (map: (xs: Array<number>) => Effect.Effect<Array<number>, unknown>) =>
  Effect.gen(function*() {
    yield* map(xs)
    const rates: Array<number> = []
    let check = 0
    for (let r = 0; r < 5; r++) {
      const s = performance.now()
      const ys = yield* map(xs)
      rates.push(xs.length / ((performance.now() - s) / 1000))
      check = ys[99_999]!
    }
    return { value: pct(rates, 0.5), check }
  })

/** The time of the CPU-bound map after one warm-up map; check: how many results. */
const cpuMs = (map: (xs: Array<number>) => Effect.Effect<Array<number>, unknown>) =>
  Effect.gen(function*() {
    yield* map(inputs)
    const s = performance.now()
    const counts = yield* map(inputs)
    return { value: performance.now() - s, check: counts.length }
  })

// the local-pool figures need no cluster
const local = (what: string) =>
  Effect.gen(function*() {
    const pool = yield* Pool.make({ processes: 2 })
    return what === "map-local"
      ? yield* mapRate((xs) => pool.map(square, xs))
      : yield* cpuMs((xs) => pool.map(countPrimes, xs, { chunksize: 1 }))
  }).pipe(Effect.scoped)

const main = Effect.gen(function*() {
  if (json && (what === "map-local" || what === "cpu-local")) {
    const result = yield* local(what)
    return yield* Effect.sync(() => console.log(JSON.stringify(result)))
  }
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`)
  const pg = yield* Postgres.start({ database: "bench" })
  const ports = [yield* Postgres.freePort(), yield* Postgres.freePort()]
  yield* Effect.all(ports.map((p) => startRunner(p, pg.url, repo, "fixture")), { concurrency: "unbounded" })
  // The SqlClient must outlive the pool: built in this scope, not with Effect.provide around Cluster.pool.
  const sql = yield* Layer.build(PgClient.layer({ url: Redacted.make(pg.url), maxConnections: 10 }))
  const pool = yield* Cluster.pool({ root: repo, shardingConfig }).pipe(Effect.provideContext(sql))
  console.log(`runners seen: ${pool.processes}`)
  // warm-up: the first call to each entity id waits for its shard's assignment
  yield* Effect.forEach(Array.from({ length: 64 }, (_, i) => i), (i) => pool.apply(add, [i, 1]), { concurrency: 64 })
  if (json) {
    const result = what === "map"
      ? yield* mapRate((xs) => pool.map(square, xs))
      : what === "cpu"
      ? yield* cpuMs((xs) => pool.map(countPrimes, xs, { chunksize: 1 }))
      : yield* Effect.gen(function*() {
        const lat: Array<number> = []
        for (let i = 0; i < 500; i++) {
          const s = performance.now()
          yield* pool.apply(add, [i, 1])
          lat.push(performance.now() - s)
        }
        return { value: pct(lat, 0.5) * 1000, check: lat.length }
      })
    return yield* Effect.sync(() => console.log(JSON.stringify(result)))
  }
  const lat: Array<number> = []
  for (let i = 0; i < 500; i++) {
    const s = performance.now()
    yield* pool.apply(add, [i, 1])
    lat.push(performance.now() - s)
  }
  console.log(`apply: p50 ${pct(lat, 0.5).toFixed(2)} ms, p90 ${pct(lat, 0.9).toFixed(2)} ms`)
  for (const chunksize of [undefined, 1000, 5000]) {
    const rates: Array<number> = []
    for (let r = 0; r < 5; r++) {
      const s = performance.now()
      const ys = yield* pool.map(square, xs, { chunksize })
      rates.push(100_000 / ((performance.now() - s) / 1000))
      if (ys[99_999] !== 99_999 ** 2) throw new Error("wrong result")
    }
    console.log(`map of 100,000, chunksize ${chunksize ?? "default (n / 8 runners)"}: median ${pct(rates, 0.5).toFixed(0)} items/s`)
  }
  // CPU-bound: 16 prime counts, on the cluster (2 runners of 2 threads) and on a local pool of 2 in this process,
  // one after the other on the same 2 cores; each timed after a warm-up map
  const timeMap = (run: Effect.Effect<Array<number>, unknown>) =>
    Effect.gen(function*() {
      yield* run
      const s = performance.now()
      const counts = yield* run
      return { ms: performance.now() - s, sum: counts.reduce((a, b) => a + b, 0) }
    })
  const onCluster = yield* timeMap(pool.map(countPrimes, inputs, { chunksize: 1 }))
  const localPool = yield* Pool.make({ processes: 2 })
  const onLocal = yield* timeMap(localPool.map(countPrimes, inputs, { chunksize: 1 }))
  if (onCluster.sum !== onLocal.sum) throw new Error("cluster and local results differ")
  console.log(
    `CPU-bound map of 16 x countPrimes(${limit}): cluster ${onCluster.ms.toFixed(0)} ms, local pool of 2 ` +
      `${onLocal.ms.toFixed(0)} ms: the cluster at ${(onLocal.ms / onCluster.ms).toFixed(2)}x the local pool's speed`
  )
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)

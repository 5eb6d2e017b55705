#!/usr/bin/env node
/**
 * The command line: `npx effect-multiprocessing runner` starts a cluster
 * runner (`Cluster.runner`) with its storage in PostgreSQL, for programs that
 * use `Cluster.layer`. Settings come from flags, else from the environment
 * (Effect `Config`): `DATABASE_URL`, `RUNNER_HOST`, `RUNNER_PORT`,
 * `RUNNER_PROCESSES`, `RUNNER_ROOT`, and effect/cluster's own
 * (`SHARD_LOCK_EXPIRATION`, `SHARDS_PER_GROUP`...). Needs `@effect/sql-pg`
 * installed beside the library.
 *
 * @since 0.1.0
 */
import type * as ConfigT from "effect/Config"
import type * as EffectT from "effect/Effect"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { parseArgs } from "node:util"

const usage = `usage: effect-multiprocessing runner [options]
  --tasks <module>      a task module to load at start (repeatable): a runner that cannot load it does not start
  --root <dir>          the directory tasks are named from, as in the programs' Cluster.layer (env RUNNER_ROOT; default: .)
  --host <host>         the address other nodes reach this runner at (env RUNNER_HOST; default: localhost)
  --port <port>         (env RUNNER_PORT; default: 34431)
  --processes <n>       workers of the runner's pool (env RUNNER_PROCESSES; default: one per core)
  --database-url <url>  PostgreSQL for the cluster's storage (env DATABASE_URL)
Sharding settings come from effect/cluster's environment variables (SHARD_LOCK_EXPIRATION="10 seconds", ...).`

const fail = (message: string): never => {
  process.stderr.write(`effect-multiprocessing: ${message}\n\n${usage}\n`)
  process.exit(2)
}

let parsed: ReturnType<typeof parse>
const parse = () =>
  parseArgs({
    allowPositionals: true,
    options: {
      tasks: { type: "string", multiple: true },
      root: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      processes: { type: "string" },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h" }
    }
  })
try {
  parsed = parse()
} catch (e) {
  fail((e as Error).message)
}
const { positionals, values: flags } = parsed!
if (flags.help === true) {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}
if (positionals[0] !== "runner" || positionals.length !== 1) fail(`unknown command: ${positionals.join(" ") || "(none)"}`)

// Loaded after the arguments are checked: `--help` and a typo cost no Effect start-up.
const [Config, Effect, Layer, Redacted, { NodeRuntime }, { Cluster }] = await Promise.all([
  import("effect/Config"),
  import("effect/Effect"),
  import("effect/Layer"),
  import("effect/Redacted"),
  import("@effect/platform-node"),
  import("./index.ts")
])
const { PgClient } = await import("@effect/sql-pg").catch(() =>
  fail("the runner stores the cluster in PostgreSQL through @effect/sql-pg: npm install @effect/sql-pg")
)

/** A flag, else the environment variable through Config, else the default. */
const setting = <A>(
  flag: string | undefined,
  parse: (text: string) => A,
  config: ConfigT.Config<A>
): EffectT.Effect<A, ConfigT.ConfigError> => flag !== undefined ? Effect.succeed(parse(flag)) : config

const count = (name: string) => (text: string): number => {
  const n = Number(text)
  return Number.isInteger(n) && n > 0 ? n : fail(`--${name} must be a positive whole number, got ${text}`)
}

const main = Effect.gen(function*() {
  const url = yield* setting(flags["database-url"], (s) => s, Config.String("DATABASE_URL"))
  const root = path.resolve(yield* setting(flags.root, (s) => s, Config.String("RUNNER_ROOT").pipe(Config.withDefault("."))))
  const host = yield* setting(flags.host, (s) => s, Config.String("RUNNER_HOST").pipe(Config.withDefault("localhost")))
  const port = yield* setting(flags.port, count("port"), Config.Int("RUNNER_PORT").pipe(Config.withDefault(34431)))
  const processes = yield* setting<number | undefined>(
    flags.processes,
    count("processes"),
    Config.Int("RUNNER_PROCESSES").pipe(Config.withDefault(undefined))
  )
  // the task modules named on the command line load now, or the runner does not start
  for (const module of flags.tasks ?? []) {
    yield* Effect.tryPromise({
      try: () => import(pathToFileURL(path.resolve(module)).href),
      catch: (e) => new Error(`cannot load --tasks ${module}: ${e instanceof Error ? e.message : String(e)}`)
    })
  }
  const runner = Cluster.runner({ root, host, port, pool: processes === undefined ? {} : { processes } }).pipe(
    Layer.provide(PgClient.layer({ url: Redacted.make(url) }))
  )
  yield* Layer.build(runner)
  yield* Effect.sync(() => process.stdout.write(`effect-multiprocessing runner ready on ${host}:${port} (root ${root})\n`))
  return yield* Effect.never
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)

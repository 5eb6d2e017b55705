/**
 * A cluster runner process for the tests and bench/cluster.ts, on a
 * temporary PostgreSQL (postgres.ts), with the sharding settings of
 * fixtures/cluster-config.ts.
 */
import * as Effect from "effect/Effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"
import * as readline from "node:readline"
import { shardingConfig } from "../fixtures/cluster-config.ts"

const repo = path.resolve(import.meta.dirname, "..", "..")

/** effect/cluster's environment variables for the shared sharding settings (`shardLockExpiration` -> `SHARD_LOCK_EXPIRATION`). */
const shardingEnv = Object.fromEntries(
  Object.entries(shardingConfig).map(([key, value]) => [key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase(), String(value)])
)

/**
 * A runner process: the test fixture (which also stops when its stdin
 * closes), or the command line `effect-multiprocessing runner` (src/bin.ts,
 * with its settings from flags and the environment). Its release stops it
 * (SIGTERM, then SIGKILL after 10 s) and waits for its exit.
 */
export const startRunner = (port: number, url: string, root: string, how: "fixture" | "bin") =>
  Effect.acquireRelease(
    Effect.callback<ChildProcess, Error>((resume) => {
      const argv = how === "fixture"
        ? [path.join(repo, "test", "fixtures", "cluster-runner.ts"), String(port), url, root]
        : [
          path.join(repo, "src", "bin.ts"),
          "runner",
          "--root",
          root,
          "--host",
          "127.0.0.1",
          "--port",
          String(port),
          "--processes",
          "2",
          "--tasks",
          path.join(root, "test", "fixtures", "cluster-tasks.ts")
        ]
      const child = spawn(process.execPath, argv, {
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...process.env, ...shardingEnv, DATABASE_URL: url }
      })
      let stderr = ""
      child.stderr!.on("data", (d) => (stderr += d))
      readline.createInterface({ input: child.stdout! }).on("line", (line) => {
        if (line.startsWith("READY") || line.startsWith("effect-multiprocessing runner ready")) resume(Effect.succeed(child))
      })
      child.once("exit", (code, signal) => resume(Effect.fail(new Error(`runner ${port} exited ${code} ${signal}: ${stderr}`))))
    }),
    (child) =>
      Effect.callback<void>((resume) => {
        if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
        const kill = setTimeout(() => child.kill("SIGKILL"), 10_000)
        child.once("exit", () => {
          clearTimeout(kill)
          resume(Effect.void)
        })
        child.kill("SIGTERM")
      })
  )

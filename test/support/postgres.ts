/**
 * A throw-away PostgreSQL server for tests, as a scoped Effect resource.
 *
 * `Postgres.start()` makes a temporary directory, runs `initdb` (trust
 * authentication, superuser `postgres`), starts the server with `pg_ctl start
 * -w` on a free loopback port (its Unix socket in the temporary directory too),
 * creates a database and returns how to reach it. Closing the scope stops the
 * server with `pg_ctl stop -m immediate` and removes the directory.
 *
 * PostgreSQL refuses to run as root. When this process is root, the server
 * programs run as the `postgres` user (spawned with its uid and gid) and the
 * directory is handed to that user; otherwise they run as the current user.
 * The programs are found on PATH, else in the newest /usr/lib/postgresql/N/bin.
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { execFile, execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"

export interface Postgres {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly database: string
  /** `postgres://user@host:port/database` (trust auth: no password). */
  readonly url: string
  /** The temporary directory holding the data directory, socket and log. */
  readonly dir: string
  /** The postmaster's pid. */
  readonly pid: number
}

export interface Options {
  /** Database to create. Default `"test"`. */
  readonly database?: string | undefined
  /**
   * Server settings (`-c name=value`). Default: durability off (`fsync`,
   * `synchronous_commit`, `full_page_writes`), which a throw-away server does
   * not need. Pass `{}` for the stock settings.
   */
  readonly settings?: Readonly<Record<string, string>> | undefined
}

export class PostgresError extends Error {
  override readonly name = "PostgresError"
}

const fastSettings: Readonly<Record<string, string>> = {
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off"
}

const onPath = (name: string): string | undefined => {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue
    const file = path.join(dir, name)
    try {
      fs.accessSync(file, fs.constants.X_OK)
      return file
    } catch {
      // not here
    }
  }
  return undefined
}

/** The directory holding initdb, pg_ctl, createdb (PATH first, then Debian's layout). */
export const binDir = (): string => {
  const found = onPath("initdb")
  if (found !== undefined) return path.dirname(fs.realpathSync(found))
  const root = "/usr/lib/postgresql"
  const versions = fs.existsSync(root)
    ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a))
    : []
  if (versions.length === 0) {
    throw new PostgresError("initdb not found on PATH nor in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
  }
  return path.join(root, versions[0]!, "bin")
}

/** uid/gid to run the server programs as: the `postgres` user when we are root, else ourselves. */
const serverUser = (): { readonly uid: number; readonly gid: number } | undefined => {
  if (process.getuid?.() !== 0) return undefined
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim())
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim())
    return { uid, gid }
  } catch {
    throw new PostgresError("running as root and there is no 'postgres' user to run the server as")
  }
}

const run = (
  file: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly as?: { readonly uid: number; readonly gid: number } | undefined }
): Effect.Effect<string, PostgresError> =>
  Effect.callback<string, PostgresError>((resume) => {
    const child = execFile(
      file,
      args,
      {
        cwd: options.cwd,
        encoding: "utf8",
        env: { ...process.env, LC_ALL: "C", PGTZ: "UTC" },
        ...(options.as === undefined ? {} : { uid: options.as.uid, gid: options.as.gid })
      },
      (error, stdout, stderr) => {
        if (error === null) resume(Effect.succeed(stdout))
        else {
          resume(Effect.fail(
            new PostgresError(`${path.basename(file)} ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`)
          ))
        }
      }
    )
    return Effect.sync(() => {
      child.kill("SIGKILL")
    })
  })

/** A port nobody listens on right now (the kernel's pick for port 0 on loopback). */
export const freePort = (host = "127.0.0.1"): Effect.Effect<number, PostgresError> =>
  Effect.callback<number, PostgresError>((resume) => {
    const server = net.createServer()
    server.unref()
    server.once("error", (error) => resume(Effect.fail(new PostgresError(`no free port: ${error.message}`))))
    server.listen(0, host, () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resume(Effect.succeed(port)))
    })
  })

const isAlive = (pid: number): boolean => {
  try {
    // A zombie (exited, not yet reaped by whoever inherited it) is not running.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
  } catch {
    // no /proc entry: gone (or no /proc at all: ask the kernel with signal 0)
  }
  if (fs.existsSync("/proc/self/stat")) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Whether the process pid is still running (a zombie counts as gone). */
export const processAlive = isAlive

/**
 * Starts a temporary PostgreSQL server; the scope stops it and removes its
 * directory.
 */
export const start = (options: Options = {}): Effect.Effect<Postgres, PostgresError, Scope.Scope> => {
  const database = options.database ?? "test"
  const settings = options.settings ?? fastSettings
  const host = "127.0.0.1"
  const user = "postgres"

  const acquire = Effect.gen(function*() {
    const bin = yield* Effect.try({ try: binDir, catch: (e) => e as PostgresError })
    const as = yield* Effect.try({ try: serverUser, catch: (e) => e as PostgresError })
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emp-pg-"))
    if (as !== undefined) fs.chownSync(dir, as.uid, as.gid)
    const data = path.join(dir, "data")
    const log = path.join(dir, "server.log")
    const cleanup = Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))

    const started = Effect.gen(function*() {
      yield* run(path.join(bin, "initdb"), [
        "-D",
        data,
        "-U",
        user,
        "--auth-local=trust",
        "--auth-host=trust",
        "-E",
        "UTF8",
        "--no-locale",
        "--no-sync",
        "--no-instructions"
      ], { cwd: dir, as })
      // The kernel's free port can be taken before the server binds it: try a few.
      const port = yield* Effect.gen(function*() {
        const port = yield* freePort(host)
        const serverOptions = [
          `-h ${host}`,
          `-p ${port}`,
          `-k ${dir}`,
          ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)
        ].join(" ")
        yield* run(path.join(bin, "pg_ctl"), ["start", "-w", "-t", "60", "-D", data, "-l", log, "-o", serverOptions], {
          cwd: dir,
          as
        }).pipe(
          Effect.mapError((e) =>
            new PostgresError(`${e.message}\n--- server.log ---\n${fs.existsSync(log) ? fs.readFileSync(log, "utf8") : ""}`)
          )
        )
        return port
      }).pipe(Effect.retry({ times: 2 }))
      const pid = Number(fs.readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0])
      // pg_ctl -w already waited for the server to accept connections; this bounded poll
      // only covers a server that answers on its socket before its TCP listener is up.
      yield* run(path.join(bin, "pg_isready"), ["-h", host, "-p", String(port), "-U", user, "-t", "5"], { cwd: dir })
        .pipe(Effect.retry({ schedule: Schedule.spaced("100 millis"), times: 50 }))
      yield* run(path.join(bin, "createdb"), ["-h", host, "-p", String(port), "-U", user, database], { cwd: dir })
      return { port, pid }
    })

    const { pid, port } = yield* started.pipe(
      Effect.onError(() =>
        stopServer(bin, data, dir, as).pipe(Effect.andThen(cleanup))
      )
    )
    const pg: Postgres = {
      host,
      port,
      user,
      database,
      url: `postgres://${user}@${host}:${port}/${database}`,
      dir,
      pid
    }
    return { pg, bin, data, as }
  })

  return Effect.acquireRelease(
    acquire,
    ({ as, bin, data, pg }) =>
      stopServer(bin, data, pg.dir, as, pg.pid).pipe(
        Effect.andThen(Effect.sync(() => fs.rmSync(pg.dir, { recursive: true, force: true })))
      )
  ).pipe(Effect.map(({ pg }) => pg))
}

/**
 * `pg_ctl stop -m immediate -w`; if that fails (server already gone, or
 * pg_ctl broken) and the postmaster is still there, SIGKILL it. Never fails.
 */
const stopServer = (
  bin: string,
  data: string,
  dir: string,
  as: { readonly uid: number; readonly gid: number } | undefined,
  pid?: number
): Effect.Effect<void> =>
  run(path.join(bin, "pg_ctl"), ["stop", "-m", "immediate", "-w", "-t", "30", "-D", data], { cwd: dir, as }).pipe(
    Effect.catch(() =>
      Effect.sync(() => {
        if (pid !== undefined && isAlive(pid)) process.kill(pid, "SIGKILL")
      })
    ),
    Effect.asVoid
  )

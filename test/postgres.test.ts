/**
 * The test support's temporary PostgreSQL: it starts, answers `select 1`
 * through @effect/sql-pg, and is gone (process, port, directory) once its
 * scope closes.
 */
import { PgClient } from "@effect/sql-pg"
import { expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { SqlClient } from "effect/sql/SqlClient"
import * as fs from "node:fs"
import * as net from "node:net"
import * as Postgres from "./support/postgres.ts"

/** Whether something accepts TCP connections on host:port (one attempt). */
const accepts = (host: string, port: number) =>
  Effect.callback<boolean>((resume) => {
    const socket = net.connect({ host, port })
    socket.once("connect", () => {
      socket.destroy()
      resume(Effect.succeed(true))
    })
    socket.once("error", () => resume(Effect.succeed(false)))
  })

it.live("a temporary Postgres answers select 1 and is gone after its scope", () =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const pg = yield* Postgres.start({ database: "spike" }).pipe(Scope.provide(scope))
    expect(pg.host).toBe("127.0.0.1")
    expect(pg.url).toBe(`postgres://postgres@127.0.0.1:${pg.port}/spike`)
    expect(Postgres.processAlive(pg.pid)).toBe(true)

    const rows = yield* Effect.gen(function*() {
      const sql = yield* SqlClient
      return yield* sql<{ one: number; db: string }>`select 1 as one, current_database() as db`
    }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(pg.url) }).pipe(Layer.fresh)))
    expect(rows).toEqual([{ one: 1, db: "spike" }])

    yield* Scope.close(scope, Exit.void)
    expect(Postgres.processAlive(pg.pid)).toBe(false)
    expect(yield* accepts(pg.host, pg.port)).toBe(false)
    expect(fs.existsSync(pg.dir)).toBe(false)
  }), 60_000)

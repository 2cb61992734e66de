/**
 * A fresh, empty Postgres database for one test, as a `DATABASE_URL`: a new database on the server
 * named by `SCIMKIT_TEST_DATABASE_URL` (CI sets it when a Postgres server runs; dropped afterwards),
 * else PGlite behind `@electric-sql/pglite-socket` on a free loopback port, which speaks the same
 * wire protocol.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Net from "node:net"

const freePort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

const onServer = (adminUrl: string): Effect.Effect<string, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const name = `scimkit_e2e_${globalThis.crypto.randomUUID().replaceAll("-", "")}`
    const run = (statement: string) =>
      Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)).pipe(
        Effect.provide(PgClient.layer({ url: Redacted.make(adminUrl), maxConnections: 1 }))
      )
    yield* Effect.acquireRelease(
      run(`create database "${name}"`),
      () => run(`drop database if exists "${name}" with (force)`).pipe(Effect.ignore)
    )
    const url = new URL(adminUrl)
    url.pathname = `/${name}`
    return url.toString()
  })

const onPglite: Effect.Effect<string, unknown, Scope.Scope> = Effect.gen(function*() {
  const port = yield* freePort
  const db = yield* Effect.acquireRelease(
    Effect.promise(() => PGlite.create()),
    (db) => Effect.promise(() => db.close())
  )
  yield* Effect.acquireRelease(
    Effect.promise(async () => {
      const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections: 100 })
      await server.start()
      return server
    }),
    (server) => Effect.promise(() => server.stop())
  )
  return `postgres://postgres@127.0.0.1:${port}/postgres`
})

/** A `DATABASE_URL` for an empty database that lives as long as the scope. */
export const freshDatabase: Effect.Effect<string, unknown, Scope.Scope> = Effect.suspend(() => {
  const admin = process.env.SCIMKIT_TEST_DATABASE_URL
  return admin !== undefined && admin !== "" ? onServer(admin) : onPglite
})

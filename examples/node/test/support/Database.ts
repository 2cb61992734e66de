/**
 * A fresh, empty Postgres database for one test, as a `DATABASE_URL`: a new database on the server
 * named by `SCIMKIT_TEST_DATABASE_URL` (CI sets it when a Postgres server runs; dropped afterwards),
 * else PGlite behind `@electric-sql/pglite-socket` on a free loopback port, which speaks the same
 * wire protocol. That package is loaded only for the fallback (it is an optional test dependency):
 * without it and without `SCIMKIT_TEST_DATABASE_URL` the fallback fails saying which one to provide.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { PGlite } from "@electric-sql/pglite"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as SqlClient from "effect/sql/SqlClient"
import { createRequire } from "node:module"
import { TcpProxy } from "@scimkit/testkit"

/** What the fallback uses of `@electric-sql/pglite-socket`. */
interface PGLiteSocketServer {
  readonly start: () => Promise<void>
  readonly stop: () => Promise<void>
}
interface PGLiteSocketModule {
  readonly PGLiteSocketServer: new(options: {
    readonly db: PGlite
    readonly port: number
    readonly host: string
    readonly maxConnections: number
  }) => PGLiteSocketServer
}

const loadPgliteSocket = (): Promise<PGLiteSocketModule> =>
  Promise.resolve().then(() => createRequire(import.meta.url)("@electric-sql/pglite-socket") as PGLiteSocketModule)
    .catch((cause) => {
      throw new Error(
        `Set SCIMKIT_TEST_DATABASE_URL to a Postgres server, or install @electric-sql/pglite-socket for the PGlite fallback (${
          String(cause)
        })`
      )
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
  const port = yield* TcpProxy.freePort
  const db = yield* Effect.acquireRelease(
    Effect.promise(() => PGlite.create()),
    (db) => Effect.promise(() => db.close())
  )
  const { PGLiteSocketServer } = yield* Effect.promise(loadPgliteSocket)
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

/**
 * Databases for the tests: PGlite in memory (always), and a fresh schema on the Postgres server when
 * one is configured (`SCIMKIT_TEST_DATABASE_URL`, else `DATABASE_URL`, else the standard `PG*`
 * variables), dropped at the end, so parallel test files and reruns never collide.
 */
import * as SqlClient from "effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import { PGlite } from "@electric-sql/pglite"
import type { ScimError, Stores } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { createRequire } from "node:module"
import { PgliteClient, StorePostgres } from "../src/index.js"

/** The Postgres server the tests may use, if any. */
export const serverUrl: string | undefined = (() => {
  const env = process.env
  const explicit = env["SCIMKIT_TEST_DATABASE_URL"] ?? env["DATABASE_URL"]
  if (explicit !== undefined && explicit !== "") return explicit
  if (env["PGHOST"] === undefined && env["PGDATABASE"] === undefined) return undefined
  const user = encodeURIComponent(env["PGUSER"] ?? "postgres")
  const password = env["PGPASSWORD"] !== undefined ? `:${encodeURIComponent(env["PGPASSWORD"])}` : ""
  return `postgres://${user}${password}@${env["PGHOST"] ?? "127.0.0.1"}:${env["PGPORT"] ?? "5432"}/${
    env["PGDATABASE"] ?? "postgres"
  }`
})()

const withSearchPath = (url: string, schema: string): string => {
  const u = new URL(url)
  u.searchParams.set("options", `-c search_path=${schema}`)
  return u.toString()
}

/** A fresh schema on the server for the layer's lifetime, and a client whose connections use it. */
export const serverClient = (url: string): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, ScimError.StoreError> => {
  const schema = `scimkit_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  const admin = PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })
  const withSchema = Layer.effectDiscard(
    Effect.acquireRelease(
      Effect.flatMap(SqlClient.SqlClient, (sql) => sql`create schema ${sql(schema)}`),
      () => Effect.flatMap(SqlClient.SqlClient, (sql) => sql`drop schema ${sql(schema)} cascade`).pipe(Effect.ignore)
    ).pipe(Effect.orDie)
  ).pipe(Layer.provide(admin), Layer.orDie)
  return Layer.merge(
    withSchema,
    StorePostgres.layerClient(Redacted.make(withSearchPath(url, schema)), { maxConnections: 8 })
  )
}

const pgliteVersion = (): string => {
  const require = createRequire(import.meta.url)
  let dir = Path.dirname(require.resolve("@electric-sql/pglite"))
  for (let i = 0; i < 4; i++) {
    const file = Path.join(dir, "package.json")
    if (Fs.existsSync(file)) {
      const pkg: unknown = JSON.parse(Fs.readFileSync(file, "utf8"))
      if (typeof pkg === "object" && pkg !== null && "version" in pkg && typeof pkg.version === "string") {
        return pkg.version
      }
    }
    dir = Path.dirname(dir)
  }
  return "unknown"
}

/**
 * An initialised, empty PGlite cluster, made once per machine (initdb in WebAssembly takes seconds)
 * and kept in the temporary directory; each test database starts from a copy.
 */
const template = Effect.promise(async (): Promise<Blob> => {
  const file = Path.join(Os.tmpdir(), `scimkit-pglite-template-${pgliteVersion()}.tar`)
  if (!Fs.existsSync(file)) {
    const db = await PGlite.create()
    const dump = await db.dumpDataDir("none")
    await db.close()
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
    Fs.writeFileSync(tmp, new Uint8Array(await dump.arrayBuffer()))
    Fs.renameSync(tmp, file)
  }
  return new Blob([Fs.readFileSync(file)])
})

/** A `SqlClient` over a fresh in-memory PGlite. */
export const pgliteClient: Layer.Layer<SqlClient.SqlClient | PgliteClient.Pglite, ScimError.StoreError> = Layer.unwrap(
  Effect.map(template, (loadDataDir) => PgliteClient.layer({ loadDataDir }))
).pipe(Layer.orDie)

/** Every port plus the migrated database's `SqlClient`, over the given client. */
export const storesOver = <R, E>(
  client: Layer.Layer<SqlClient.SqlClient | R, E>
): Layer.Layer<Stores.Stores | SqlClient.SqlClient | R, E | ScimError.StoreError> =>
  Layer.merge(StorePostgres.layer, StorePostgres.layerMigrations).pipe(Layer.provideMerge(client))

/** The databases every test runs on: PGlite always, the server when configured. */
export const databases: ReadonlyArray<{
  readonly name: string
  readonly client: Layer.Layer<SqlClient.SqlClient, ScimError.StoreError>
}> = [
  { name: "pglite", client: pgliteClient },
  ...(serverUrl !== undefined ? [{ name: "postgres server", client: serverClient(serverUrl) }] : [])
]

const runId = Math.random().toString(36).slice(2, 8)
let sequence = 0
/** A name unique to this test run, so reruns and parallel files on one database never collide. */
export const unique = (label: string): string => `${label}-${runId}-${++sequence}`

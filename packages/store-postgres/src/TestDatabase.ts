/**
 * Throwaway databases for tests of code that stores through scimkit: a fresh schema on a Postgres
 * server, dropped when the layer's scope closes, and a fresh in-memory PGlite started from an
 * initialised cluster kept in the temporary directory (initdb in WebAssembly takes seconds, a copy
 * milliseconds). Used by this repository's store tests; a host can use it for its own.
 */
import * as SqlClient from "effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import type { ScimError } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import * as PgliteClient from "./PgliteClient.js"
import * as StorePostgres from "./StorePostgres.js"

/**
 * The Postgres server a test run may use, from `SCIMKIT_TEST_DATABASE_URL`, else `DATABASE_URL`, else the
 * standard `PG*` variables; undefined when none is set.
 */
export const serverUrlFromEnv = (env: Record<string, string | undefined> = process.env): string | undefined => {
  const explicit = env["SCIMKIT_TEST_DATABASE_URL"] ?? env["DATABASE_URL"]
  if (explicit !== undefined && explicit !== "") return explicit
  if (env["PGHOST"] === undefined && env["PGDATABASE"] === undefined) return undefined
  const user = encodeURIComponent(env["PGUSER"] ?? "postgres")
  const password = env["PGPASSWORD"] !== undefined ? `:${encodeURIComponent(env["PGPASSWORD"])}` : ""
  return `postgres://${user}${password}@${env["PGHOST"] ?? "127.0.0.1"}:${env["PGPORT"] ?? "5432"}/${
    env["PGDATABASE"] ?? "postgres"
  }`
}

const withSearchPath = (url: string, schema: string): string => {
  const u = new URL(url)
  u.searchParams.set("options", `-c search_path=${schema}`)
  return u.toString()
}

/** A fresh schema on the server for the layer's lifetime, and a client whose connections use it. */
export const serverClient = (
  url: string
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, ScimError.StoreError> => {
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
  let dir = Path.dirname(require.resolve(PgliteClient.pgliteModuleName))
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
    const { PGlite } = await PgliteClient.loadPglite()
    const db = await PGlite.create()
    const dump = await db.dumpDataDir("none")
    await db.close()
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
    Fs.writeFileSync(tmp, new Uint8Array(await dump.arrayBuffer()))
    Fs.renameSync(tmp, file)
  }
  return new Blob([Fs.readFileSync(file)])
})

/** A `SqlClient` over a fresh in-memory PGlite (needs the optional peer `@electric-sql/pglite`). */
export const pgliteClient: Layer.Layer<SqlClient.SqlClient | PgliteClient.Pglite, ScimError.StoreError> = Layer.unwrap(
  Effect.map(template, (loadDataDir) => PgliteClient.layer({ loadDataDir }))
).pipe(Layer.orDie)

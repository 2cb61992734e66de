/**
 * The databases every dialect-neutral test runs on: SQLite in memory and in a file, PGlite in
 * memory, and the Postgres server when one is configured (SCIMKIT_TEST_DATABASE_URL, …: see
 * store-postgres/test/helpers). The drivers are imported through their package roots (the
 * workspace's dev dependencies): they depend on this package, not the other way round.
 */
import type { ScimError, Stores } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as SqlClient from "effect/sql/SqlClient"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { StorePostgres, TestDatabase } from "@scimkit/store-postgres"
import { StoreSqlite } from "@scimkit/store-sqlite"
import type { Dialect } from "../src/Dialect.js"
import * as StoreSql from "../src/StoreSql.js"

const serverUrl = TestDatabase.serverUrlFromEnv()

/** One database: its dialect and a client over a fresh, empty database. */
export interface Database {
  readonly name: string
  readonly dialect: Dialect
  readonly client: Layer.Layer<SqlClient.SqlClient, ScimError.StoreError>
}

/** A temporary directory for the scope. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "scimkit-sql-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

/** A SQLite client over a new database file in a temporary directory (removed afterwards). */
export const sqliteFileClient: Layer.Layer<SqlClient.SqlClient, ScimError.StoreError> = Layer.unwrap(
  Effect.map(tempDir, (dir) => StoreSqlite.layerClient({ filename: Path.join(dir, "scimkit.db") }))
)

export const databases: ReadonlyArray<Database> = [
  { name: "sqlite (memory)", dialect: StoreSqlite.dialect, client: StoreSqlite.layerClient({ filename: ":memory:" }) },
  { name: "sqlite (file)", dialect: StoreSqlite.dialect, client: sqliteFileClient },
  { name: "pglite", dialect: StorePostgres.dialect, client: TestDatabase.pgliteClient },
  ...(serverUrl !== undefined
    ? [{ name: "postgres server", dialect: StorePostgres.dialect, client: TestDatabase.serverClient(serverUrl) }]
    : [])
]

/** Every port plus the migrated database's `SqlClient`. */
export const storesOver = (db: Database): Layer.Layer<Stores.Stores | SqlClient.SqlClient, ScimError.StoreError> =>
  StoreSql.layerMigrated(db.dialect).pipe(Layer.provideMerge(db.client))

const runId = Math.random().toString(36).slice(2, 8)
let sequence = 0
/** A name unique to this test run, so reruns and parallel files on one database never collide. */
export const unique = (label: string): string => `${label}-${runId}-${++sequence}`

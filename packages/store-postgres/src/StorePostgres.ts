/**
 * The Postgres storage adapter: every port of `@scimkit/core` over an Effect `SqlClient` (a
 * Postgres server through `@effect/sql-pg`, or PGlite in this process) — the SQL store of
 * `@scimkit/store-sql` with the Postgres dialect, the schema as migrations and the SCIM filter,
 * sort and paging pushed down to SQL.
 *
 * PGlite is loaded only when one of its layers is built (`layerEmbedded`, `layerMemoryPglite`):
 * a deployment on a Postgres server never loads it, and `@electric-sql/pglite` is an optional peer
 * dependency.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import type { ScimError, Stores } from "@scimkit/core"
import { type Dialect, FileLock, StoreSql } from "@scimkit/store-sql"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as SqlClient from "effect/sql/SqlClient"
import * as Path from "node:path"
import * as internal from "./internal/dialect.js"
import * as PgliteClient from "./PgliteClient.js"

/**
 * The Postgres dialect of the SQL store (a Postgres server and PGlite alike), for `StoreSql`'s
 * layers over a client of your own.
 */
export const dialect: Dialect.Dialect = internal.dialect

const storeError = (action: string) => StoreSql.storeError(dialect, action)

/**
 * Builds the ports over the `SqlClient` in context and returns them as one context (they share the
 * client, so `Transactions.run` spans all of them). Expects the schema of {@link migrate}.
 */
export const make: Effect.Effect<Context.Context<Stores.Stores>, never, SqlClient.SqlClient> = StoreSql.make(dialect)

/**
 * Every port over the `SqlClient` in context (the schema must be migrated: see {@link layerMigrations}).
 */
export const layer: Layer.Layer<Stores.Stores, never, SqlClient.SqlClient> = StoreSql.layer(dialect)

/**
 * Runs the migrations (table `scimkit_migrations`) and returns those applied now. Idempotent, and
 * safe when several processes start at once: the whole run holds a transaction-scoped advisory
 * lock, so one process migrates while the others wait and then find nothing to do.
 */
export const migrate: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  ScimError.StoreError,
  SqlClient.SqlClient
> = StoreSql
  .migrate(dialect)

/**
 * Migrates the database when the layer is built (see {@link migrate}).
 */
export const layerMigrations: Layer.Layer<never, ScimError.StoreError, SqlClient.SqlClient> = StoreSql.layerMigrations(
  dialect
)

const withMigrations = <E, R>(
  client: Layer.Layer<SqlClient.SqlClient, E, R>
): Layer.Layer<Stores.Stores, E | ScimError.StoreError, R> => Layer.provide(StoreSql.layerMigrated(dialect), client)

/** The lock file of an embedded data directory. */
export const lockFileName = "scimkit.lock"

/** Options of a Postgres server connection pool. */
export interface ServerOptions {
  /** Pool size (default 10). */
  readonly maxConnections?: number | undefined
  /** How long to wait for a connection before answering `StoreError` (retryable) (default 5 seconds). */
  readonly connectTimeout?: Duration.Input | undefined
  readonly applicationName?: string | undefined
}

/**
 * The default pool size: `@effect/sql-pg`'s own default, and a tenth of a stock server's
 * `max_connections` (100), so that a few server nodes fit beside each other. Not tuned by a
 * benchmark; `pnpm bench postgres` runs with 4.
 */
const defaultMaxConnections = 10

/**
 * The default {@link ServerOptions.connectTimeout}. A guess, never measured: far longer than a
 * connection to a reachable server takes, short enough that a request fails retryable (HTTP 503)
 * rather than hangs while the server is down.
 */
const defaultConnectTimeout = Duration.seconds(5)

const where = (url: Redacted.Redacted<string>): string => {
  try {
    const parsed = new URL(Redacted.value(url))
    return `${parsed.hostname}:${parsed.port === "" ? "5432" : parsed.port}${parsed.pathname}`
  } catch {
    return "the DATABASE_URL given (it is not a valid URL: postgres://user:password@host:port/database)"
  }
}

/**
 * A `SqlClient` for a Postgres server (a pool that reconnects by itself after connection loss).
 * Building it connects once, so that a server that does not answer fails the layer at startup.
 */
export const layerClient = (
  url: Redacted.Redacted<string>,
  options: ServerOptions = {}
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, ScimError.StoreError> =>
  PgClient.layerFrom(
    Effect.gen(function*() {
      const connectTimeout = options.connectTimeout ?? defaultConnectTimeout
      const client = yield* PgClient.make({
        url,
        maxConnections: options.maxConnections ?? defaultMaxConnections,
        // both opening a connection and waiting for a pooled one are bounded
        connectTimeout,
        acquireTimeout: connectTimeout,
        applicationName: options.applicationName ?? "scimkit"
      })
      // the pool connects lazily: check the server answers before the layer is ready
      yield* client`select 1`
      return client
    }).pipe(Effect.mapError(storeError(`connect to Postgres at ${where(url)}`)))
  )

/**
 * Every port over a Postgres server: connects, migrates, and provides the stores.
 */
export const layerUrl = (
  url: Redacted.Redacted<string>,
  options: ServerOptions = {}
): Layer.Layer<Stores.Stores, ScimError.StoreError> => withMigrations(layerClient(url, options))

/** Opens PGlite for the layer's lifetime, migrates it, and provides the stores over it. */
const pgliteStores = (
  options: PgliteClient.PgliteClientOptions,
  where: string,
  before: Effect.Effect<void, ScimError.StoreError, Scope.Scope> = Effect.void
): Layer.Layer<Stores.Stores, ScimError.StoreError> =>
  Layer.effectContext(
    Effect.gen(function*() {
      yield* before
      const db = yield* PgliteClient.open(options).pipe(Effect.mapError(storeError(`open ${where}`)))
      const client = yield* PgliteClient.make(db)
      const context = Context.make(SqlClient.SqlClient, client)
      yield* Effect.provide(migrate, context)
      return yield* Effect.provide(make, context)
    })
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * Every port over PGlite persisted in `dataDir` (created if missing): takes the directory's lock
 * (one process at a time), opens, migrates, and closes PGlite cleanly when the layer's scope closes.
 */
export const layerEmbedded = (
  options: { readonly dataDir: string }
): Layer.Layer<Stores.Stores, ScimError.StoreError> => {
  const what = `the embedded store in ${options.dataDir}`
  return pgliteStores(
    { dataDir: options.dataDir },
    what,
    FileLock.acquire({
      file: Path.join(options.dataDir, lockFileName),
      what,
      inUse: (pid) => `${what} is in use by process ${pid}; stop the server first or use DATABASE_URL`
    })
  )
}

/**
 * Every port over a fresh in-memory PGlite (for tests: real Postgres, nothing on disk). Each build
 * is a new, empty database.
 */
export const layerMemoryPglite: Layer.Layer<Stores.Stores, ScimError.StoreError> = pgliteStores(
  {},
  "an in-memory PGlite"
)

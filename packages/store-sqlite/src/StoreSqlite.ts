/**
 * The SQLite storage adapter, the embedded default: every port of `@scimkit/core` in one SQLite
 * file through `@effect/sql-sqlite-node` (Node's built-in `node:sqlite`: nothing to compile or
 * download) — the SQL store of `@scimkit/store-sql` with the SQLite dialect.
 *
 * One process opens a database for writing at a time (a lock file next to it, naming the owner);
 * inside that process one connection serves every statement and a transaction holds it from
 * `BEGIN IMMEDIATE` to `COMMIT`, so transactions never interleave. WAL mode lets other processes
 * read meanwhile ({@link layer} with `readOnly`).
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type { ScimError, Stores } from "@scimkit/core"
import { type Dialect, FileLock, StoreSql } from "@scimkit/store-sql"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Reactivity from "effect/reactivity/Reactivity"
import type * as Scope from "effect/Scope"
import * as SqlClient from "effect/sql/SqlClient"
import * as internal from "./internal/dialect.js"

/**
 * The SQLite dialect of the SQL store, for `StoreSql`'s layers over a client of your own (see
 * {@link layerClient}).
 */
export const dialect: Dialect.Dialect = internal.dialect

export interface Options {
  /** The database file (its directory is created if missing); `:memory:` for a private in-memory database. */
  readonly filename: string
  /**
   * Open read-only, without the lock and without migrating: reading while a server holds the
   * database (WAL lets readers run beside the writer). Every write fails with `StoreError`.
   */
  readonly readOnly?: boolean | undefined
  /** How long a statement waits for another process's write lock before failing retryable (default 5 seconds). */
  readonly busyTimeout?: Duration.Input | undefined
  /**
   * `PRAGMA synchronous` (default "normal": in WAL mode every commit is atomic and the database
   * never corrupts; the last commits may be lost on a power failure, never on a crash of the process.
   * "full" syncs every commit to disk).
   */
  readonly synchronous?: "normal" | "full" | undefined
  /** How long closing waits for the running transaction (default 10 seconds). */
  readonly closeTimeout?: Duration.Input | undefined
}

/** The lock file of a database file. */
export const lockFile = (filename: string): string => `${filename}.lock`

/**
 * The default {@link Options.busyTimeout}. A guess, never measured: the lock file keeps other
 * servers out, so only another process's brief hold makes a statement wait (a read-only process,
 * a migration at startup); long enough for that, short enough that a request fails retryable
 * (HTTP 503) rather than hangs.
 */
const defaultBusyTimeout = Duration.seconds(5)

/**
 * The default {@link Options.closeTimeout}. A guess, never measured: far longer than any one
 * transaction of the store, which holds the connection only for its own statements.
 */
const defaultCloseTimeout = Duration.seconds(10)

const isMemory = (filename: string): boolean => filename === ":memory:" || filename === ""

const storeError = (action: string) => StoreSql.storeError(dialect, action)

/**
 * Opens the database for the scope: WAL mode (writable files), the busy timeout, foreign keys on;
 * closing waits for the transaction in progress, then closes the database (which checkpoints the WAL).
 */
const open = (
  options: Options
): Effect.Effect<SqliteClient.SqliteClient, ScimError.StoreError, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function*() {
    const where = isMemory(options.filename)
      ? "an in-memory SQLite database"
      : `the SQLite database ${options.filename}`
    const client = yield* SqliteClient.make({
      filename: options.filename,
      readonly: options.readOnly === true,
      busyTimeout: options.busyTimeout ?? defaultBusyTimeout
    }).pipe(Effect.mapError(storeError(`open ${where}`)))
    const pragmas = options.readOnly === true
      ? ["pragma query_only = on"]
      : ["pragma foreign_keys = on", `pragma synchronous = ${options.synchronous ?? "normal"}`]
    yield* Effect.forEach(pragmas, (pragma) => client.unsafe(pragma), { discard: true }).pipe(
      Effect.mapError(storeError(`configure ${where}`))
    )
    // a transaction holds the one connection: an empty one starts when the running one has ended
    yield* Effect.addFinalizer(() =>
      client.withTransaction(Effect.void).pipe(
        Effect.timeoutOption(options.closeTimeout ?? defaultCloseTimeout),
        Effect.ignore
      )
    )
    return client
  })

/**
 * A `SqlClient` over the SQLite database (no lock, no migrations): WAL mode, busy timeout,
 * foreign keys on.
 */
export const layerClient = (
  options: Options
): Layer.Layer<SqlClient.SqlClient | SqliteClient.SqliteClient, ScimError.StoreError> =>
  Layer.effectContext(
    Effect.map(open(options), (client) =>
      Context.make(SqliteClient.SqliteClient, client).pipe(Context.add(SqlClient.SqlClient, client)))
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * Runs the migrations (table `scimkit_migrations`) in one `BEGIN IMMEDIATE` transaction and
 * returns those applied now.
 */
export const migrate: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  ScimError.StoreError,
  SqlClient.SqlClient
> = StoreSql
  .migrate(dialect)

/**
 * Every port over the SQLite database in `filename`: creates its directory, takes the lock
 * (`<filename>.lock`: a second process fails naming the one holding it), opens it (WAL, busy
 * timeout, foreign keys), migrates, and closes cleanly when the layer's scope closes (after the
 * running transaction). With `readOnly`: no lock, no migration (the schema must be current), every
 * write fails.
 */
export const layer = (options: Options): Layer.Layer<Stores.Stores, ScimError.StoreError> =>
  Layer.effectContext(
    Effect.gen(function*() {
      const memory = isMemory(options.filename)
      if (!memory && options.readOnly !== true) {
        const filename = options.filename
        // creates the directory too
        yield* FileLock.acquire({
          file: lockFile(filename),
          what: `the SQLite database ${filename}`,
          inUse: (pid) =>
            `the SQLite database ${filename} is in use by process ${pid}; stop that server first, or open the database read-only`
        })
      }
      const client = yield* open(options)
      const context = Context.make(SqlClient.SqlClient, client)
      yield* Effect.provide(
        options.readOnly === true ? StoreSql.checkMigrated(dialect) : StoreSql.migrate(dialect),
        context
      )
      return yield* Effect.provide(StoreSql.make(dialect), context)
    })
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * Every port over the SQLite database in `filename`, read-only (see {@link layer}).
 */
export const layerReadOnly = (options: Omit<Options, "readOnly">): Layer.Layer<Stores.Stores, ScimError.StoreError> =>
  layer({ ...options, readOnly: true })

/**
 * Every port over a fresh in-memory SQLite database (tests, throwaway servers). Each build is a new,
 * empty database.
 */
export const layerMemory: Layer.Layer<Stores.Stores, ScimError.StoreError> = layer({ filename: ":memory:" })

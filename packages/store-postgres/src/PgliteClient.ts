/**
 * An Effect `SqlClient` over PGlite (Postgres compiled to WebAssembly, in this process): the
 * embedded default store and the database of the tests on machines without a Postgres server.
 *
 * PGlite is one Postgres backend, so it is one connection. A transaction holds that connection for
 * its whole duration: statements from other fibers wait until it commits or rolls back, so the
 * statements of concurrent transactions never interleave. Statements outside a transaction take the
 * connection for one statement each.
 *
 * `@electric-sql/pglite` (an optional peer dependency) is imported when a database is opened, never
 * when this module is loaded.
 */
import { makeCompiler } from "@effect/sql-pg/PgClient"
import type * as PgliteModule from "@electric-sql/pglite"
import type { PGlite } from "@electric-sql/pglite"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Reactivity from "effect/reactivity/Reactivity"
import type * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import * as SqlClient from "effect/sql/SqlClient"
import type { Connection } from "effect/sql/SqlConnection"
import { SqlError } from "effect/sql/SqlError"
import * as Stream from "effect/Stream"
import { classify } from "./internal/sqlState.js"

export interface PgliteClientOptions {
  /** A directory on disk (created if missing); undefined keeps the database in memory. */
  readonly dataDir?: string | undefined
  /** A data directory dump (`PGlite.dumpDataDir`) to start from instead of running initdb. */
  readonly loadDataDir?: Blob | undefined
  /** How long closing waits for a running transaction before shutting Postgres down anyway (default 10 seconds). */
  readonly closeTimeout?: Duration.Input | undefined
}

/**
 * The default {@link PgliteClientOptions.closeTimeout}. A guess, never measured: far longer than
 * any one transaction of the store.
 */
const defaultCloseTimeout = Duration.seconds(10)

/** The PGlite instance behind the client, for callers that need it directly. */
export class Pglite extends Context.Service<Pglite, PGlite>()("@scimkit/store-postgres/Pglite") {}

type Params = Array<unknown>
type Rows = ReadonlyArray<Record<string, unknown>>
type TransformRows = (<A extends object>(rows: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined

const toError = (message: string, operation: string) => (cause: unknown): SqlError =>
  new SqlError({ reason: classify(cause, message, operation) })

/** The optional peer's module name, held in a variable so that bundlers (webpack, Next.js's Turbopack) leave it alone. */
export const pgliteModuleName = "@electric-sql/pglite"

/** Loads `@electric-sql/pglite` when a database is opened, never when this package is imported. */
export const loadPglite = (): Promise<typeof PgliteModule> =>
  import(/* webpackIgnore: true */ /* @vite-ignore */ pgliteModuleName) as Promise<typeof PgliteModule>

/**
 * Opens PGlite (persisted in `dataDir`, or in memory) for the scope and closes it cleanly when the
 * scope closes, after the statement or transaction in progress has finished.
 */
export const open = (
  options: PgliteClientOptions
): Effect.Effect<PGlite, SqlError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const { PGlite } = await loadPglite().catch((cause: unknown) => {
          throw new Error(`PGlite is not installed (add @electric-sql/pglite to your dependencies): ${String(cause)}`)
        })
        return PGlite.create({
          ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
          ...(options.loadDataDir !== undefined ? { loadDataDir: options.loadDataDir } : {})
        })
      },
      catch: toError(
        `Failed to open PGlite${options.dataDir !== undefined ? ` in ${options.dataDir}` : " in memory"}`,
        "connect"
      )
    }),
    (db) => Effect.promise(() => db.closed ? Promise.resolve() : db.close()).pipe(Effect.ignore)
  )

/**
 * A `SqlClient` (Postgres dialect) over an open PGlite instance.
 */
export const make = (
  db: PGlite,
  options: Pick<PgliteClientOptions, "closeTimeout"> = {}
): Effect.Effect<SqlClient.SqlClient, never, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function*() {
    const connection = yield* Semaphore.make(1)

    const query = (sql: string, params: ReadonlyArray<unknown>, rowMode: "object" | "array") =>
      Effect.tryPromise({
        try: () => db.query<Record<string, unknown>>(sql, params as Params, { rowMode }),
        catch: toError("Failed to execute statement", "query")
      })

    const exec = (sql: string) =>
      Effect.tryPromise({ try: () => db.exec(sql), catch: toError("Failed to execute statement", "query") })

    const rows = (sql: string, params: ReadonlyArray<unknown>, transformRows: TransformRows) =>
      Effect.map(
        query(sql, params, "object"),
        (result): Rows => transformRows ? transformRows(result.rows) : result.rows
      )

    const values = (sql: string, params: ReadonlyArray<unknown>) =>
      Effect.map(
        query(sql, params, "array"),
        (result) => result.rows as unknown as ReadonlyArray<ReadonlyArray<unknown>>
      )

    const connectionImpl: Connection = {
      execute: rows,
      executeRaw: (sql, params) => query(sql, params, "object"),
      executeValues: values,
      executeValuesUnprepared: values,
      executeUnprepared: (sql, params, transformRows) =>
        params.length > 0
          ? rows(sql, params, transformRows)
          : Effect.map(exec(sql), (results): Rows => {
            const last = results.length > 0 ? results[results.length - 1]!.rows as Rows : []
            return transformRows ? transformRows(last) : last
          }),
      executeStream: (sql, params, transformRows) =>
        Stream.flatMap(Stream.fromEffect(rows(sql, params, transformRows)), (found) => Stream.fromIterable(found))
    }

    // A statement outside a transaction holds the connection for itself only; a transaction holds
    // it from BEGIN to COMMIT/ROLLBACK (the acquirer's scope is the transaction's).
    const acquirer = Effect.uninterruptibleMask((restore) =>
      Effect.as(restore(connection.takeScoped(1)), connectionImpl)
    )

    yield* Effect.addFinalizer(() =>
      connection.withPermits(1)(Effect.void).pipe(
        Effect.timeoutOption(options.closeTimeout ?? defaultCloseTimeout),
        Effect.andThen(Effect.promise(() => db.closed ? Promise.resolve() : db.close())),
        Effect.ignore
      )
    )

    return yield* SqlClient.make({
      driver: "pglite",
      acquirer,
      borrower: (f) => connection.withPermit(f(connectionImpl)),
      transactionAcquirer: acquirer,
      compiler: makeCompiler(),
      spanAttributes: [["db.system.name", "postgresql"], ["db.namespace", "pglite"]]
    })
  })

/**
 * A `SqlClient` over PGlite, opened for the layer's lifetime (in memory unless `dataDir` is given).
 */
export const layer = (options: PgliteClientOptions = {}): Layer.Layer<SqlClient.SqlClient | Pglite, SqlError> =>
  Layer.effectContext(
    Effect.gen(function*() {
      const db = yield* open(options)
      const client = yield* make(db, options)
      return Context.make(SqlClient.SqlClient, client).pipe(Context.add(Pglite, db))
    })
  ).pipe(Layer.provide(Reactivity.layer))

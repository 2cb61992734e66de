/**
 * An `@effect/sql` `SqlClient` over PGlite (Postgres compiled to WebAssembly, in this process): the
 * embedded default store and the database of the tests on machines without a Postgres server.
 *
 * PGlite is one Postgres backend, so it is one connection. A transaction holds that connection for
 * its whole duration: statements from other fibers wait until it commits or rolls back, so the
 * statements of concurrent transactions never interleave. Statements outside a transaction take the
 * connection for one statement each.
 *
 * @since 0.1.0
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import type { Connection } from "@effect/sql/SqlConnection"
import { SqlError } from "@effect/sql/SqlError"
import { makeCompiler } from "@effect/sql-pg/PgClient"
import { PGlite } from "@electric-sql/pglite"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** @since 0.1.0 */
export interface PgliteClientOptions {
  /** A directory on disk (created if missing); undefined keeps the database in memory. */
  readonly dataDir?: string | undefined
  /** A data directory dump (`PGlite.dumpDataDir`) to start from instead of running initdb. */
  readonly loadDataDir?: Blob | undefined
  /** How long closing waits for a running transaction before shutting Postgres down anyway. */
  readonly closeTimeout?: Duration.DurationInput | undefined
}

/** The PGlite instance behind the client, for callers that need it directly. @since 0.1.0 */
export class Pglite extends Context.Tag("@scimkit/store-postgres/Pglite")<Pglite, PGlite>() {}

type Params = Array<unknown>
type Rows = ReadonlyArray<Record<string, unknown>>

const toError = (message: string) => (cause: unknown): SqlError => new SqlError({ cause, message })

/**
 * Opens PGlite (persisted in `dataDir`, or in memory) for the scope and closes it cleanly when the
 * scope closes, after the statement or transaction in progress has finished.
 *
 * @since 0.1.0
 */
export const open = (
  options: PgliteClientOptions
): Effect.Effect<PGlite, SqlError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () =>
        PGlite.create({
          ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
          ...(options.loadDataDir !== undefined ? { loadDataDir: options.loadDataDir } : {})
        }),
      catch: toError(`Failed to open PGlite${options.dataDir !== undefined ? ` in ${options.dataDir}` : " in memory"}`)
    }),
    (db) => Effect.promise(() => db.closed ? Promise.resolve() : db.close()).pipe(Effect.ignore)
  )

/**
 * A `SqlClient` (Postgres dialect) over an open PGlite instance.
 *
 * @since 0.1.0
 */
export const make = (
  db: PGlite,
  options: Pick<PgliteClientOptions, "closeTimeout"> = {}
): Effect.Effect<SqlClient.SqlClient, never, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function*() {
    const connection = yield* Effect.makeSemaphore(1)

    const query = (sql: string, params: ReadonlyArray<unknown>, rowMode: "object" | "array") =>
      Effect.tryPromise({
        try: () => db.query<Record<string, unknown>>(sql, params as Params, { rowMode }),
        catch: toError("Failed to execute statement")
      })

    const exec = (sql: string) =>
      Effect.tryPromise({ try: () => db.exec(sql), catch: toError("Failed to execute statement") })

    const connectionImpl: Connection = {
      execute: (sql, params, transformRows) =>
        Effect.map(query(sql, params, "object"), (result): Rows =>
          transformRows ? transformRows(result.rows) : result.rows),
      executeRaw: (sql, params) => query(sql, params, "object"),
      executeValues: (sql, params) =>
        Effect.map(query(sql, params, "array"), (result) => result.rows as unknown as ReadonlyArray<ReadonlyArray<unknown>>),
      executeUnprepared: (sql, params, transformRows) =>
        params.length > 0
          ? connectionImpl.execute(sql, params, transformRows)
          : Effect.map(exec(sql), (results): Rows => {
            const rows = results.length > 0 ? results[results.length - 1]!.rows as Rows : []
            return transformRows ? transformRows(rows) : rows
          }),
      executeStream: (sql, params, transformRows) =>
        Stream.flatMap(
          Stream.fromEffect(connectionImpl.execute(sql, params, transformRows)),
          (rows) => Stream.fromIterable(rows)
        )
    }

    // A statement outside a transaction holds the connection for itself only; a transaction holds
    // it from BEGIN to COMMIT/ROLLBACK (the acquirer's scope is the transaction's).
    const hold = Effect.acquireRelease(connection.take(1), () => connection.release(1))
    const acquirer = Effect.as(hold, connectionImpl)

    yield* Effect.addFinalizer(() =>
      connection.withPermits(1)(Effect.void).pipe(
        Effect.timeoutOption(options.closeTimeout ?? Duration.seconds(10)),
        Effect.zipRight(Effect.promise(() => db.closed ? Promise.resolve() : db.close())),
        Effect.ignore
      )
    )

    return yield* SqlClient.make({
      acquirer,
      transactionAcquirer: acquirer,
      compiler: makeCompiler(),
      spanAttributes: [["db.system.name", "postgresql"], ["db.namespace", "pglite"]]
    })
  })

/**
 * A `SqlClient` over PGlite, opened for the layer's lifetime (in memory unless `dataDir` is given).
 *
 * @since 0.1.0
 */
export const layer = (options: PgliteClientOptions = {}): Layer.Layer<SqlClient.SqlClient | Pglite, SqlError> =>
  Layer.scopedContext(
    Effect.gen(function*() {
      const db = yield* open(options)
      const client = yield* make(db, options)
      return Context.make(SqlClient.SqlClient, client).pipe(Context.add(Pglite, db))
    })
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * The `SqlClient` as every port of the SQL store uses it: the dialect's building blocks over the
 * client, one span and one latency observation per store call (the metrics below), and a statement
 * run with its rows read and its failures turned into the core's errors (`StoreError` saying what
 * was being done).
 *
 * Rows are read two ways. The reads on a request's path (users, groups, members, list pages) use
 * the hand-written readers of `rows.ts` through {@link StoreClient.many} and its siblings; the
 * others (API keys, platforms, counts, versions) use Effect's `SqlSchema` with the row schemas of
 * `rowSchemas.ts` through {@link StoreClient.schemaRead}.
 *
 * @internal
 */
import { ScimError } from "@scimkit/core"
import * as Cause from "effect/Cause"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Schema from "effect/Schema"
import type * as SqlClient from "effect/sql/SqlClient"
import type { Row } from "effect/sql/SqlConnection"
import { isSqlError, type SqlError } from "effect/sql/SqlError"
import type { Fragment } from "effect/sql/Statement"
import type { Dialect, SqlDialect } from "../../Dialect.js"
import { decodeError, storeError } from "./errors.js"
import { type Readers, readers, RowMismatch } from "./rows.js"
import { rowSchemas, type RowSchemas } from "./rowSchemas.js"

/** A statement: effect/sql's `Statement`, or any effect of rows. */
type Statement = Effect.Effect<ReadonlyArray<Row>, SqlError>

/** The client of one store, built once by `StoreSql.make` and shared by its ports. @internal */
export interface StoreClient {
  readonly sql: SqlClient.SqlClient
  /** The dialect's building blocks over {@link sql}. */
  readonly d: SqlDialect
  readonly dialect: Dialect
  /** The hand-written row readers (the reads on a request's path). */
  readonly read: Readers
  /** The row schemas of the other reads, for `SqlSchema`. */
  readonly schemas: RowSchemas
  /**
   * The span of one store call, `Store<engine>.<Port>.<call>`, and its observations in
   * {@link statementSeconds} and {@link storeErrors} (attribute `operation`: `<Port>.<call>`).
   */
  readonly traced: (name: string) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /**
   * `effect` in one transaction: the caller's when it runs inside one (a `Transactions.run`),
   * else its own, so that a call of several statements is atomic either way without a savepoint
   * inside the caller's transaction. A failed `BEGIN`/`COMMIT` is a `StoreError` doing `action`.
   */
  readonly atomically: (
    action: string
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | ScimError.StoreError, R>
  /** A timestamp parameter. */
  readonly timestamp: (dt: DateTime.Utc) => Fragment
  /** A timestamp parameter, NULL for none. */
  readonly timestampOrNull: (dt: Option.Option<DateTime.Utc>) => Fragment
  /** The `StoreError` of a failed statement while doing `action`. */
  readonly failure: (action: string) => (error: SqlError) => ScimError.StoreError
  /** {@link failure}, failed. */
  readonly sqlFailure: (action: string) => (error: SqlError) => Effect.Effect<never, ScimError.StoreError>
  /** `f` of the rows of `statement`. */
  readonly readRows: <A>(
    action: string,
    statement: Statement,
    f: (rows: ReadonlyArray<Row>) => A
  ) => Effect.Effect<A, ScimError.StoreError>
  /** Every row of `statement`, read by `decode`. */
  readonly many: <A>(
    decode: (row: Row) => A,
    action: string,
    statement: Statement
  ) => Effect.Effect<ReadonlyArray<A>, ScimError.StoreError>
  /** The first row of `statement` read by `decode`; `none()` fails when there is none. */
  readonly first: <A, E>(
    decode: (row: Row) => A,
    action: string,
    statement: Statement,
    none: () => E
  ) => Effect.Effect<A, E | ScimError.StoreError>
  /** `f()` over rows already read, or the `StoreError` of a row that does not have the expected shape. */
  readonly decoded: <A>(action: string, f: () => A) => Effect.Effect<A, ScimError.StoreError>
  /** The failures of a `SqlSchema` read: a failed statement or a row that does not decode is a `StoreError`. */
  readonly schemaRead: (
    action: string
  ) => <A, R>(self: Effect.Effect<A, SqlError | Schema.SchemaError, R>) => Effect.Effect<A, ScimError.StoreError, R>
  /** {@link schemaRead} of `SqlSchema.findOne`, whose missing row fails with `none()`. */
  readonly schemaReadOne: <E>(
    action: string,
    none: () => E
  ) => <A, R>(
    self: Effect.Effect<A, SqlError | Schema.SchemaError | Cause.NoSuchElementError, R>
  ) => Effect.Effect<A, E | ScimError.StoreError, R>
}

/**
 * Every store call has one span, without the stack trace Effect would otherwise capture for it:
 * that is an `Error` per call, on every request's path.
 */
const noStackTrace = { captureStackTrace: false } as const

/**
 * Seconds per store call, most of them one statement (a few, such as a membership change of
 * several statements or a transaction's `BEGIN`…`COMMIT`, are more): the bounds run from the
 * embedded store's 50 µs reads to a Postgres statement stuck behind a lock.
 */
const statementBoundaries = [
  0.00005,
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10
]

/** The name of the histogram of store call latencies, in seconds. @internal */
export const statementSecondsName = "scimkit_store_statement_seconds"

/** The name of the counter of failed store calls. @internal */
export const storeErrorsName = "scimkit_store_errors_total"

const statementSeconds = (operation: string) =>
  Metric.histogram(statementSecondsName, {
    description: "How long each store call took (one or a few statements), by operation",
    boundaries: statementBoundaries,
    attributes: { operation }
  })

const storeErrors = (operation: string) =>
  Metric.counter(storeErrorsName, {
    description:
      "Store calls that failed with a StoreError (the database unreachable or busy, a statement refused) or a defect, by operation",
    incremental: true,
    attributes: { operation }
  })

/** A StoreError or a defect: what an operator must look at (not-found, uniqueness and versions are answers). */
const isStoreFailure = (cause: Cause.Cause<unknown>): boolean =>
  cause.reasons.some((reason) =>
    Cause.isDieReason(reason) || (Cause.isFailReason(reason) && Predicate.isTagged(reason.error, "StoreError"))
  )

/** `ResourceNotFound` of a `resourceType` (as the core names it in messages). @internal */
export const notFound = (resourceType: string, id: string): ScimError.ResourceNotFound =>
  new ScimError.ResourceNotFound({ resourceType, id })

/** The client over `sql` of a store on `dialect`. @internal */
export const make = (dialect: Dialect, sql: SqlClient.SqlClient): StoreClient => {
  const d = dialect.sql(sql)
  const failure = (action: string) => storeError(dialect.errors, action)
  const sqlFailure = (action: string) => (e: SqlError) => Effect.fail(failure(action)(e))

  const decoded = <A>(action: string, f: () => A): Effect.Effect<A, ScimError.StoreError> => {
    try {
      return Effect.succeed(f())
    } catch (e) {
      if (e instanceof RowMismatch) return Effect.fail(decodeError(action)(e))
      throw e
    }
  }

  const readRows = <A>(
    action: string,
    statement: Statement,
    f: (rows: ReadonlyArray<Row>) => A
  ): Effect.Effect<A, ScimError.StoreError> =>
    Effect.matchEffect(statement, {
      onFailure: sqlFailure(action),
      onSuccess: (rows) => decoded(action, () => f(rows))
    })

  // one span name and one pair of metrics (their series keys computed once) per operation
  const operations = new Map<string, <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>>()
  const traced = (name: string) => {
    const known = operations.get(name)
    if (known !== undefined) return known
    const span = Effect.withSpan(`Store${dialect.name}.${name}`, undefined, noStackTrace)
    const seconds = statementSeconds(name)
    const errors = storeErrors(name)
    const observed = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      span(Effect.clockWith((clock) => {
        const start = clock.monotonicTimeNanosUnsafe()
        return Effect.onExit(self, (exit) => {
          const record = Metric.update(seconds, Number(clock.monotonicTimeNanosUnsafe() - start) / 1e9)
          return Exit.isFailure(exit) && isStoreFailure(exit.cause)
            ? Effect.andThen(record, Metric.update(errors, 1))
            : record
        })
      }))
    operations.set(name, observed)
    return observed
  }

  const atomically = (action: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.flatMap(
      Effect.serviceOption(sql.transactionService),
      (open): Effect.Effect<A, E | ScimError.StoreError, R> =>
        Option.isSome(open)
          ? effect
          : sql.withTransaction(effect).pipe(
            // BEGIN's or COMMIT's (the statements inside map their own); effect/sql raises a failed ROLLBACK as a defect
            Effect.catchIf(isSqlError, (e) => Effect.fail(failure(action)(e))),
            Effect.catchDefect((defect) =>
              isSqlError(defect) ? Effect.fail(failure(action)(defect)) : Effect.die(defect)
            )
          )
    )

  return {
    sql,
    d,
    dialect,
    read: readers(dialect.columns),
    schemas: rowSchemas(dialect.columns),
    traced,
    atomically,
    timestamp: (dt) => d.timestamp(dt),
    timestampOrNull: (dt) => d.timestamp(Option.getOrNull(dt)),
    failure,
    sqlFailure,
    readRows,
    many: (decode, action, statement) => readRows(action, statement, (rows) => rows.map((row) => decode(row))),
    first: <A, E>(decode: (row: Row) => A, action: string, statement: Statement, none: () => E) =>
      Effect.matchEffect(statement, {
        onFailure: sqlFailure(action),
        onSuccess: (rows): Effect.Effect<A, E | ScimError.StoreError> =>
          rows.length === 0 ? Effect.fail(none()) : decoded(action, () => decode(rows[0]!))
      }),
    decoded,
    schemaRead: (action) => (self) =>
      Effect.catchTags(self, {
        SqlError: (e) => Effect.fail(failure(action)(e)),
        SchemaError: (e) => Effect.fail(decodeError(action)(e))
      }),
    schemaReadOne: (action, none) => (self) =>
      Effect.catchTags(self, {
        SqlError: (e) => Effect.fail(failure(action)(e)),
        SchemaError: (e) => Effect.fail(decodeError(action)(e)),
        NoSuchElementError: () => Effect.fail(none())
      })
  }
}

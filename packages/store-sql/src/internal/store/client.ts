/**
 * The `SqlClient` as every port of the SQL store uses it: the dialect's building blocks over the
 * client, one span per store call, and a statement run with its rows read and its failures turned
 * into the core's errors (`StoreError` saying what was being done).
 *
 * Rows are read two ways. The reads on a request's path (users, groups, members, list pages) use
 * the hand-written readers of `rows.ts` through {@link StoreClient.many} and its siblings; the
 * others (API keys, platforms, counts, versions) use Effect's `SqlSchema` with the row schemas of
 * `rowSchemas.ts` through {@link StoreClient.schemaRead}.
 *
 * @internal
 */
import { ScimError } from "@scimkit/core"
import type * as Cause from "effect/Cause"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type * as SqlClient from "effect/sql/SqlClient"
import type { Row } from "effect/sql/SqlConnection"
import type { SqlError } from "effect/sql/SqlError"
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
  /** The span of one store call: `Store<engine>.<Port>.<call>`. */
  readonly traced: (name: string) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
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

  return {
    sql,
    d,
    dialect,
    read: readers(dialect.columns),
    schemas: rowSchemas(dialect.columns),
    traced: (name) => Effect.withSpan(`Store${dialect.name}.${name}`, undefined, noStackTrace),
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

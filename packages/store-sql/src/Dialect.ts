/**
 * What differs between the SQL engines the store runs on: how JSON documents are kept and read
 * (`jsonb` in Postgres, JSON text and SQLite's JSON functions), case-insensitive comparison and
 * binary ("C") collation, `LIKE` escaping, how instants are kept and compared, list parameters,
 * the schema itself (migrations) and how each engine reports a unique violation or an outage.
 *
 * A driver package provides one `Dialect` (`@scimkit/store-postgres`, `@scimkit/store-sqlite`);
 * everything else — every port, the filter compiler, sorting, keyset paging, error mapping — is
 * written once over these building blocks in `StoreSql`.
 */
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Fragment } from "effect/sql/Statement"
import type { Model } from "@scimkit/core"

/** The JSON types a value can have (named as Postgres' `jsonb_typeof` names them). */
export type JsonKind = "string" | "number" | "boolean" | "object" | "array" | "null"

/**
 * The SQL building blocks of one engine over one client. A "JSON value" is an expression of the
 * engine's JSON representation (a `jsonb` value, or valid JSON text), SQL NULL when absent.
 */
export interface SqlDialect {
  // ---- parameters
  /** A text parameter. */
  readonly text: (value: string) => Fragment
  /** A number parameter (compared with JSON numbers). */
  readonly number: (value: number) => Fragment
  /** A boolean parameter (compared with JSON booleans read by {@link jsonBoolean}). */
  readonly boolean: (value: boolean) => Fragment
  /** A JSON document parameter (for a document column). */
  readonly document: (value: Model.JsonObject) => Fragment
  /** A JSON value parameter (for a JSON column holding arrays or objects; SQL NULL is {@link jsonNull}). */
  readonly json: (value: Model.Json) => Fragment
  /** A timestamp parameter (for a timestamp column); NULL for null. */
  readonly timestamp: (value: DateTime.Utc | null) => Fragment
  /** The instant `ms` milliseconds after the epoch, comparable with timestamp columns. */
  readonly instantOfMillis: (ms: number) => Fragment
  /** The instant of an `xsd:dateTime` comparand (NULL when it is not one), comparable with timestamp columns. */
  readonly instant: (text: string) => Fragment
  /** `column` is one of `values` (text). */
  readonly oneOf: (column: Fragment, values: ReadonlyArray<string>) => Fragment
  /** A row source `alias(value)` of the given texts, in order. */
  readonly texts: (alias: string, values: ReadonlyArray<string>) => Fragment
  /** A row source `alias(user_id, role)` of the given pairs, in order. */
  readonly pairs: (alias: string, values: ReadonlyArray<readonly [string, string]>) => Fragment

  // ---- text
  /** A text expression in binary (code point) collation. */
  readonly exact: (text: Fragment) => Fragment
  /** A text expression case-folded, in binary collation (the form of the case-insensitive indexes). */
  readonly folded: (text: Fragment) => Fragment
  /** `text` matches `co`/`sw`/`ew` `value` (every character literal), exactly or case-insensitively. */
  readonly like: (text: Fragment, op: "co" | "sw" | "ew", value: string, caseExact: boolean) => Fragment
  /** A text literal typed as text (`'User'`). */
  readonly textLiteral: (value: string) => Fragment
  /** SQL NULL typed as text. */
  readonly nullText: Fragment

  // ---- instants
  /** A timestamp column as `YYYY-MM-DDTHH:MM:SS.sssZ` text. */
  readonly isoOf: (column: Fragment) => Fragment
  /** The instant of a text expression holding an `xsd:dateTime` (NULL when it is not one). */
  readonly instantOfText: (text: Fragment) => Fragment

  // ---- JSON
  /** SQL NULL typed as a JSON value. */
  readonly jsonNull: Fragment
  /** The member `key` of a JSON object value (NULL when absent or not an object). */
  readonly jsonGet: (json: Fragment, key: string) => Fragment
  /** The JSON value of `json` is of kind `kind` (NULL or false otherwise). */
  readonly jsonIs: (json: Fragment, kinds: ReadonlyArray<JsonKind>) => Fragment
  /** A JSON string as text. */
  readonly jsonText: (json: Fragment) => Fragment
  /** A JSON number as a number. */
  readonly jsonNumber: (json: Fragment) => Fragment
  /** A JSON boolean as the engine's boolean. */
  readonly jsonBoolean: (json: Fragment) => Fragment
  /** A JSON value compared as text (any kind), for sorting values of no known type. */
  readonly jsonAsText: (json: Fragment) => Fragment
  /** A text expression as a JSON string (a JSON null or SQL NULL when NULL). */
  readonly jsonOfText: (text: Fragment) => Fragment
  /** A boolean expression as a JSON boolean. */
  readonly jsonOfBoolean: (bool: Fragment) => Fragment
  /** A JSON object of text values. */
  readonly jsonObject: (entries: ReadonlyArray<readonly [string, Fragment]>) => Fragment
  /**
   * A JSON array (read back with {@link DialectColumns.json}) with one JSON object of `entries` per
   * row of the enclosing aggregate query, in `orderBy` order; `[]` when there is no row.
   */
  readonly jsonArrayAgg: (entries: ReadonlyArray<readonly [string, Fragment]>, orderBy: Fragment) => Fragment
  /** A JSON array of the text `values` whose condition holds (all when undefined), in order. */
  readonly jsonStrings: (values: ReadonlyArray<readonly [string, Fragment | undefined]>) => Fragment
  /**
   * The elements of a JSON value as rows (an array's elements, or the value itself): `source` to
   * put in a `from`, `element` the JSON value of the current element.
   */
  readonly jsonElements: (json: Fragment, alias: string) => { readonly source: Fragment; readonly element: Fragment }
  /** Core's `Value.isPresent` of a JSON value: not null, not "", not [], an object with some present member. */
  readonly jsonPresent: (json: Fragment) => Fragment
  /** The element a multi-valued attribute sorts by: the primary element of an array, else its first; the value itself otherwise. */
  readonly jsonSortElement: (json: Fragment) => Fragment
}

/**
 * How one engine reports failures, read from the `SqlError` (its reason and the driver's error).
 */
export interface DialectErrors {
  /** The unique index violated (by its name in the schema: `scimkit_users_user_name_key`, `scimkit_users_pkey`, …). */
  readonly uniqueIndex: (error: SqlError) => string | undefined
  /** A foreign key violation. */
  readonly isForeignKeyViolation: (error: SqlError) => boolean
  /** The database is unreachable or momentarily unable to serve (retrying later can succeed). */
  readonly isRetryable: (error: SqlError) => boolean
}

/**
 * How one engine's driver returns the columns whose representation differs, as synchronous readers
 * of the driver's value: the value read, or `undefined` when it does not have the column's type
 * (the store then fails the read with a `StoreError` naming the column). Plain functions rather
 * than schemas, so that reading a row on a request's path costs no more than checking its values;
 * the row schemas of the store's other reads (`SqlSchema`) decode these columns through them.
 */
export interface DialectColumns {
  /** A timestamp column (SQLite: integer milliseconds since the epoch; Postgres: a `Date`). */
  readonly timestamp: (value: unknown) => DateTime.Utc | undefined
  /** A boolean column (SQLite: 0 or 1; Postgres: a boolean). */
  readonly boolean: (value: unknown) => boolean | undefined
  /**
   * A document column: any JSON object (SQLite: JSON text; Postgres: the parsed `jsonb`). Read
   * shallowly, as core's `StoredDocument`: every document was checked in full before it was written.
   */
  readonly document: (value: unknown) => Model.JsonObject | undefined
  /**
   * A JSON value a statement computes ({@link SqlDialect.jsonArrayAgg}; SQLite: JSON text,
   * Postgres: parsed by the driver), `undefined` when it is not JSON.
   */
  readonly json: (value: unknown) => unknown
}

/**
 * One SQL engine.
 */
export interface Dialect {
  /** For messages and spans: "postgres", "sqlite". */
  readonly name: string
  readonly sql: (sql: SqlClient.SqlClient) => SqlDialect
  readonly columns: DialectColumns
  readonly errors: DialectErrors
  /** Every migration, keyed `<id>_<name>` for `Migrator.fromRecord`. */
  readonly migrations: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>>
  /**
   * Runs first in the migration's transaction: waits for any other process migrating the same
   * database (Postgres: an advisory lock; SQLite: the write lock `BEGIN IMMEDIATE` took) and
   * creates the migrations table if missing.
   */
  readonly beforeMigrate: (table: string) => Effect.Effect<void, SqlError, SqlClient.SqlClient>
}

/** Escapes `%`, `_` and `\` for a `LIKE … escape '\'` pattern. */
export const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => "\\" + c)

/** The `LIKE` pattern (escape `\`) of `co`, `sw` or `ew`. */
export const likePattern = (op: "co" | "sw" | "ew", value: string): string => {
  const escaped = escapeLike(value)
  return op === "co" ? `%${escaped}%` : op === "sw" ? `${escaped}%` : `%${escaped}`
}

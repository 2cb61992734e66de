/**
 * The Postgres dialect of the SQL store (`@scimkit/store-sql`): documents in `jsonb`, instants in
 * `timestamptz`, case-insensitive keys as `lower(…) collate "C"` (the unique indexes' form), `LIKE`
 * with `\` escapes, list parameters as `text[]`, SQL twins of the core's `isPresent` and
 * `parseInstant` as functions, migrations serialised by an advisory lock, and errors by SQLSTATE.
 * The same dialect serves a Postgres server (`@effect/sql-pg`) and PGlite. Exported as
 * `StorePostgres.dialect`.
 *
 * @internal
 */
import type { Model } from "@scimkit/core"
import { Dialect } from "@scimkit/store-sql"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import type { Fragment } from "effect/sql/Statement"
import { errors } from "./errors.js"
import { migrations } from "./migrations.js"

const kindOf = (sql: SqlClient.SqlClient, kinds: ReadonlyArray<Dialect.JsonKind>): Fragment =>
  sql.literal(kinds.map((k) => `'${k}'`).join(", "))

const make = (sql: SqlClient.SqlClient): Dialect.SqlDialect => {
  const quoted = (text: string): Fragment => sql.literal(`'${text.replace(/'/g, "''")}'`)
  return {
    text: (value) => sql`${value}::text`,
    number: (value) => sql`${value}::float8`,
    boolean: (value) => sql`${value}::boolean`,
    document: (value) => sql`${JSON.stringify(value)}::jsonb`,
    json: (value) => sql`${JSON.stringify(value)}::jsonb`,
    timestamp: (value) => (value === null ? sql`null::timestamptz` : sql`${DateTime.formatIso(value)}::timestamptz`),
    instantOfMillis: (ms) => sql`(timestamptz 'epoch' + ${ms}::bigint * interval '1 millisecond')`,
    instant: (text) => sql`scimkit_instant(${text}::text)`,
    oneOf: (column, values) => sql`${column} = any(${values}::text[])`,
    texts: (alias, values) => sql`unnest(${values}::text[]) ${sql.literal(alias)}(value)`,
    pairs: (alias, values) =>
      sql`unnest(${values.map(([a]) => a)}::text[], ${values.map(([, b]) => b)}::text[]) ${
        sql.literal(alias)
      }(user_id, role)`,

    exact: (text) => sql`(${text}) collate "C"`,
    folded: (text) => sql`lower(${text}) collate "C"`,
    like: (text, op, value, caseExact) => {
      const pattern = Dialect.likePattern(op, value)
      return caseExact
        ? sql`(${text}) collate "C" like ${pattern}::text`
        : sql`lower(${text}) collate "C" like lower(${pattern}::text)`
    },
    textLiteral: (value) => sql`${quoted(value)}::text`,
    nullText: sql`null::text`,

    isoOf: (column) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    instantOfText: (text) => sql`scimkit_instant(${text})`,

    jsonNull: sql`null::jsonb`,
    jsonGet: (json, key) => sql`(${json} -> ${key}::text)`,
    jsonIs: (json, kinds) =>
      kinds.length === 1
        ? sql`jsonb_typeof(${json}) = ${kindOf(sql, kinds)}`
        : sql`jsonb_typeof(${json}) in (${kindOf(sql, kinds)})`,
    jsonText: (json) => sql`(${json} #>> '{}')`,
    jsonNumber: (json) => sql`(${json})::float8`,
    jsonBoolean: (json) => sql`(${json})::boolean`,
    jsonAsText: (json) => sql`(${json})::text`,
    jsonOfText: (text) => sql`to_jsonb(${text})`,
    jsonOfBoolean: (bool) => sql`to_jsonb(${bool})`,
    jsonObject: (entries) =>
      sql`jsonb_build_object(${sql.join(", ", false)(entries.flatMap(([key, value]) => [quoted(key), value]))})`,
    jsonArrayAgg: (entries, orderBy) =>
      sql`coalesce(json_agg(json_build_object(${
        sql.join(", ", false)(entries.flatMap(([key, value]) => [quoted(key), value]))
      }) order by ${orderBy}), '[]'::json)`,
    jsonStrings: (values) =>
      sql`(${
        sql.join(" || ", false)(
          values.map(([value, when]) =>
            when === undefined
              ? sql`jsonb_build_array(${value}::text)`
              : sql`(case when ${when} then jsonb_build_array(${value}::text) else '[]'::jsonb end)`
          )
        )
      })`,
    jsonElements: (json, alias) => {
      const a = sql.literal(alias)
      return {
        source:
          sql`jsonb_array_elements(case when jsonb_typeof(${json}) = 'array' then ${json} else jsonb_build_array(${json}) end) ${a}(v)`,
        element: sql`${a}.v`
      }
    },
    jsonPresent: (json) => sql`scimkit_present(${json})`,
    jsonSortElement: (json) => sql`scimkit_sort_element(${json})`
  }
}

/**
 * The driver's values: `timestamptz` as a `Date`, `boolean` as a boolean, `jsonb` documents parsed;
 * a computed `json` value parsed too, or JSON text from a driver configured not to parse it.
 */
const columns: Dialect.DialectColumns = {
  timestamp: (
    value
  ) => (value instanceof Date && !Number.isNaN(value.getTime()) ? DateTime.fromDateUnsafe(value) : undefined),
  boolean: (value) => (typeof value === "boolean" ? value : undefined),
  // any JSON object (core's StoredDocument: checked shallowly, never walked)
  document: (
    value
  ) => (typeof value === "object" && value !== null && !Array.isArray(value) ? value as Model.JsonObject : undefined),
  json: (value) => {
    if (typeof value !== "string") return value
    try {
      return JSON.parse(value)
    } catch {
      return undefined
    }
  }
}

/** The Postgres dialect. @internal */
export const dialect: Dialect.Dialect = {
  name: "Postgres",
  sql: make,
  columns,
  errors,
  migrations,
  beforeMigrate: (table) =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.scimkit_migrations'))`
      // created here, under the lock: the Migrator's own create-if-missing is not safe concurrently
      yield* sql`create table if not exists ${sql(table)} (
        migration_id integer primary key,
        created_at timestamp with time zone not null default now(),
        name text not null
      )`
    })
}

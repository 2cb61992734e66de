/**
 * The SQLite dialect of the SQL store (`@scimkit/store-sql`): documents as JSON text read with
 * SQLite's JSON functions (`->`, `->>`, `json_type`, `json_each`, `json_tree`), instants as integer
 * milliseconds since the epoch (comparisons and ordering numeric and exact; comparands parsed by
 * the core's `Value.parseInstant`), case-insensitive keys as `lower(…)` (the unique indexes' form),
 * `co`/`sw`/`ew` as `GLOB` when case-exact (SQLite's `LIKE` ignores ASCII case) and `LIKE … escape`
 * otherwise, list parameters as a JSON array read by `json_each`, and errors by SQLite's result
 * codes (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_CONSTRAINT_FOREIGNKEY`, `SQLITE_BUSY`).
 *
 * SQLite's `lower()` folds ASCII letters only: case-insensitive comparisons of non-ASCII letters
 * (É/é) are exact here, where the core evaluator and Postgres fold them.
 *
 * Exported as `StoreSqlite.dialect`.
 *
 * @internal
 */
import { Value, type Model } from "@scimkit/core"
import { Dialect } from "@scimkit/store-sql"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import { errors } from "./errors.js"
import { migrations } from "./migrations.js"

const sqliteTypes: Record<Dialect.JsonKind, ReadonlyArray<string>> = {
  string: ["text"],
  number: ["integer", "real"],
  boolean: ["true", "false"],
  object: ["object"],
  array: ["array"],
  null: ["null"]
}

/** A JSON path naming one object member, whatever characters its key has (URNs have dots). */
const memberPath = (key: string): string => `$."${key}"`

/** `co`/`sw`/`ew` as a GLOB pattern (case-sensitive), every character literal. */
const globPattern = (op: "co" | "sw" | "ew", value: string): string => {
  const escaped = value.replace(/[*?[]/g, (c) => `[${c}]`)
  return op === "co" ? `*${escaped}*` : op === "sw" ? `${escaped}*` : `*${escaped}`
}

const make = (sql: SqlClient.SqlClient): Dialect.SqlDialect => {
  const quoted = (text: string) => sql.literal(`'${text.replace(/'/g, "''")}'`)
  return {
    text: (value) => sql`${value}`,
    number: (value) => sql`${value}`,
    boolean: (value) => sql`${value ? 1 : 0}`,
    document: (value) => sql`${JSON.stringify(value)}`,
    json: (value) => sql`${JSON.stringify(value)}`,
    timestamp: (value) => (value === null ? sql`null` : sql`${DateTime.toEpochMillis(value)}`),
    instantOfMillis: (ms) => sql`${ms}`,
    instant: (text) => {
      const ms = Value.parseInstant(text)
      return Number.isNaN(ms) ? sql`null` : sql`${ms}`
    },
    oneOf: (column, values) => sql`${column} in (select value from json_each(${JSON.stringify(values)}))`,
    texts: (alias, values) => sql`(select value from json_each(${JSON.stringify(values)})) ${sql.literal(alias)}`,
    pairs: (alias, values) =>
      sql`(select value ->> 0 as user_id, value ->> 1 as role from json_each(${JSON.stringify(values)})) ${
        sql.literal(alias)
      }`,

    exact: (text) => sql`(${text})`,
    folded: (text) => sql`lower(${text})`,
    like: (text, op, value, caseExact) =>
      caseExact
        ? sql`(${text}) glob ${globPattern(op, value)}`
        : sql`lower(${text}) like lower(${Dialect.likePattern(op, value)}) escape '\\'`,
    textLiteral: (value) => quoted(value),
    nullText: sql`null`,

    isoOf: (column) => sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${column} / 1000.0, 'unixepoch')`,
    // SQLite's date parser takes YYYY-MM-DD[ T]HH:MM[:SS[.fff]][Z|±HH:MM]; its precision is 1 ms
    instantOfText: (text) => sql`round(unixepoch(${text}, 'subsec') * 1000)`,

    jsonNull: sql`null`,
    jsonGet: (json, key) => sql`(${json} -> ${memberPath(key)})`,
    jsonIs: (json, kinds) => {
      const types = kinds.flatMap((k) => sqliteTypes[k])
      return types.length === 1
        ? sql`json_type(${json}) = ${quoted(types[0]!)}`
        : sql`json_type(${json}) in (${sql.literal(types.map((t) => `'${t}'`).join(", "))})`
    },
    jsonText: (json) => sql`(${json} ->> '$')`,
    jsonNumber: (json) => sql`(${json} ->> '$')`,
    jsonBoolean: (json) => sql`(${json} ->> '$')`,
    jsonAsText: (json) => sql`(${json})`,
    jsonOfText: (text) => sql`json_quote(${text})`,
    jsonOfBoolean: (bool) => sql`(case when ${bool} then 'true' else 'false' end)`,
    jsonObject: (entries) =>
      sql`json_object(${sql.join(", ", false)(entries.flatMap(([key, value]) => [quoted(key), value]))})`,
    jsonArrayAgg: (entries, orderBy) =>
      sql`json_group_array(json_object(${
        sql.join(", ", false)(entries.flatMap(([key, value]) => [quoted(key), value]))
      }) order by ${orderBy})`,
    jsonStrings: (values) =>
      sql`(select json_group_array(s.value) from json_each(json_array(${
        sql.join(", ", false)(values.map(([value, when]) =>
          when === undefined ? sql`${value}` : sql`(case when ${when} then ${value} end)`
        ))
      })) s where s.type <> 'null')`,
    jsonElements: (json, alias) => {
      const a = sql.literal(alias)
      return {
        source:
          sql`json_each(case when json_type(${json}) = 'array' then ${json} else json_array(json(${json})) end) ${a}`,
        // the element as JSON text: json_each gives SQL values for primitives
        element: sql`(case when ${a}.type in ('object', 'array') then ${a}.value when ${a}.type = 'true' then 'true'
          when ${a}.type = 'false' then 'false' else json_quote(${a}.value) end)`
      }
    },
    jsonPresent: (json) =>
      sql`exists (select 1 from json_tree(${json}) p where p.type in ('integer', 'real', 'true', 'false') or (p.type = 'text' and p.atom <> ''))`,
    jsonSortElement: (json) =>
      sql`(case when json_type(${json}) = 'array' then coalesce(
        (select se.value from json_each(${json}) se where se.type = 'object' and (se.value -> '$.primary') = 'true' order by se.key limit 1),
        ${json} -> '$[0]') else ${json} end)`
  }
}

/** The largest distance from the epoch a JavaScript `Date` holds (ECMA-262, "Time Values and Time Range"), in milliseconds. */
const maxMillis = 8.64e15

/** JSON text parsed, `undefined` when it is not JSON text. */
const parseJson = (value: unknown): unknown => {
  if (typeof value !== "string") return undefined
  try {
    return JSON.parse(value)
  } catch {
    return undefined
  }
}

const columns: Dialect.DialectColumns = {
  // integer milliseconds since the epoch
  timestamp: (value) =>
    typeof value === "number" && Number.isSafeInteger(value) && Math.abs(value) <= maxMillis
      ? DateTime.makeUnsafe(value)
      : undefined,
  // 0 or 1
  boolean: (value) => (value === 1 ? true : value === 0 ? false : undefined),
  // JSON text of an object (core's StoredDocument: checked shallowly, never walked)
  document: (value) => {
    const parsed = parseJson(value)
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? parsed as Model.JsonObject
      : undefined
  },
  json: parseJson
}

/** The SQLite dialect. @internal */
export const dialect: Dialect.Dialect = {
  name: "Sqlite",
  sql: make,
  columns,
  errors,
  migrations,
  // the migration's transaction is `BEGIN IMMEDIATE`: it holds the write lock, other processes wait
  beforeMigrate: (table) =>
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql`create table if not exists ${sql(table)} (
        migration_id integer primary key,
        created_at text not null default current_timestamp,
        name text not null
      )`)
}

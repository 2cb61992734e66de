/**
 * How SQLite reports failures, read from the `SqlError` (its reason and the driver's error, whose
 * `errcode` is SQLite's extended result code): unique and foreign key violations by result code
 * and message, and a busy or closed database as retryable.
 *
 * @internal
 */
import type { Dialect } from "@scimkit/store-sql"
import * as Predicate from "effect/Predicate"
import type { SqlError } from "effect/sql/SqlError"

const numberField = (value: unknown, key: string): number | undefined =>
  Predicate.hasProperty(value, key) && typeof value[key] === "number" ? value[key] : undefined

const messageOf = (error: SqlError): string => {
  const cause = error.reason.cause
  return Predicate.hasProperty(cause, "message") && typeof cause.message === "string" ? cause.message : error.message
}

// the columns of each primary key, as SQLite names them in a unique violation ("t.a, t.b")
const primaryKeys: Record<string, string> = {
  scimkit_platforms: "id",
  scimkit_users: "platform,id",
  scimkit_projects: "platform,id",
  scimkit_project_members: "platform,project_id,user_id",
  scimkit_api_keys: "id"
}

const SQLITE_CONSTRAINT_PRIMARYKEY = 1555
const SQLITE_CONSTRAINT_UNIQUE = 2067

/**
 * The index a unique violation names (SQLITE_CONSTRAINT_UNIQUE, or SQLITE_CONSTRAINT_PRIMARYKEY,
 * which Effect classifies as a plain constraint error): SQLite says `index 'name'` for an index on
 * expressions and `table.column, …` for one on columns (the primary key, or
 * `<table>_<last column>_key`).
 */
const uniqueIndex = (error: SqlError): string | undefined => {
  const code = numberField(error.reason.cause, "errcode")
  if (
    error.reason._tag !== "UniqueViolation" && code !== SQLITE_CONSTRAINT_PRIMARYKEY &&
    code !== SQLITE_CONSTRAINT_UNIQUE
  ) return undefined
  const text = messageOf(error)
  const named = /index '([^']+)'/.exec(text)
  if (named !== null) return named[1]
  const columns = /UNIQUE constraint failed: (.+)$/.exec(text)?.[1]?.split(",").map((c) => c.trim())
  if (columns === undefined || columns.length === 0) return undefined
  const table = columns[0]!.split(".")[0]!
  const names = columns.map((c) => c.split(".")[1] ?? c)
  return primaryKeys[table] === names.join(",") ? `${table}_pkey` : `${table}_${names[names.length - 1]}_key`
}

const SQLITE_CONSTRAINT_FOREIGNKEY = 787

/** @internal */
export const errors: Dialect.DialectErrors = {
  uniqueIndex,
  isForeignKeyViolation: (error) =>
    numberField(error.reason.cause, "errcode") === SQLITE_CONSTRAINT_FOREIGNKEY ||
    /FOREIGN KEY constraint failed/.test(messageOf(error)),
  // SQLITE_BUSY / SQLITE_LOCKED (another process holds the write lock past the busy timeout), or
  // the database cannot be opened / is closed
  isRetryable: (error) =>
    error.reason._tag === "LockTimeoutError" || error.reason._tag === "ConnectionError" ||
    /database is (locked|closed)|not open/i.test(messageOf(error))
}

/**
 * How Postgres reports failures: an Effect 4 `SqlError` carries a `reason` (`UniqueViolation`,
 * `ConnectionError`, …) whose `cause` is the driver's error; `@effect/sql-pg` and PGlite both
 * expose the Postgres error fields on it (`code` is the SQLSTATE, `constraint` the constraint
 * violated).
 *
 * @internal
 */
import type { SqlError } from "effect/sql/SqlError"
import type { Dialect } from "@scimkit/store-sql"
import { causeState, stringField } from "./sqlState.js"

/** The SQLSTATE of a Postgres error (on the driver error the reason carries). */
export const sqlState = (error: SqlError): string | undefined => causeState(error.reason.cause)

/** The constraint a Postgres error names, if any. */
export const constraintOf = (error: SqlError): string | undefined => {
  const reason = error.reason
  if (reason._tag === "UniqueViolation" && reason.constraint !== "unknown") return reason.constraint
  return stringField(reason.cause, "constraint")
}

const retryableStates = /^(08|53|57P0|58)|^(40001|40P01|55P03|57014)$/

/**
 * Whether the failure says the database is unreachable or momentarily unable to serve (connection
 * refused or lost, server shutting down, too many connections, serialization failure, deadlock):
 * retrying later can succeed, so the HTTP edge answers 503.
 */
export const isRetryable = (error: SqlError): boolean => {
  if (error.reason._tag === "ConnectionError") return true
  const state = sqlState(error)
  if (state !== undefined) return retryableStates.test(state)
  const cause = error.reason.cause
  const code = stringField(cause, "code") ?? ""
  const text = `${error.message} ${stringField(cause, "message") ?? ""}`
  return /^E[A-Z]+$/.test(code) ||
    /connect|terminat|timeout|timed out|closed|shutting down|ECONN|EPIPE|socket/i.test(text)
}

/** @internal */
export const errors: Dialect.DialectErrors = {
  // SQLSTATE 23505: the constraint is the unique index of the schema
  uniqueIndex: (error) => (sqlState(error) === "23505" ? constraintOf(error) : undefined),
  isForeignKeyViolation: (error) => sqlState(error) === "23503",
  isRetryable
}

/**
 * Converting driver failures into the core's errors at the adapter's boundary: `SqlError` and
 * `SchemaError` become `StoreError` (retryable when the database could not be reached), a unique
 * violation (SQLSTATE 23505) becomes `Uniqueness` naming the attribute.
 *
 * An Effect 4 `SqlError` carries a `reason` (`UniqueViolation`, `ConnectionError`, …) whose `cause`
 * is the driver's error: `@effect/sql-pg` and PGlite both expose the Postgres error fields on it
 * (`code` is the SQLSTATE, `constraint` the constraint violated).
 *
 * @internal
 */
import { StoreError, Uniqueness } from "@scimkit/core"
import * as Effect from "effect/Effect"
import type { SchemaError } from "effect/Schema"
import type { SqlError } from "effect/sql/SqlError"
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
  const state = sqlState(error)
  if (state !== undefined) return retryableStates.test(state)
  if (error.reason._tag === "ConnectionError") return true
  const cause = error.reason.cause
  const code = stringField(cause, "code") ?? ""
  const text = `${error.message} ${stringField(cause, "message") ?? ""}`
  return /^E[A-Z]+$/.test(code) ||
    /connect|terminat|timeout|timed out|closed|shutting down|ECONN|EPIPE|socket/i.test(text)
}

const describeCause = (error: SqlError): string => {
  const cause = stringField(error.reason.cause, "message")
  return cause !== undefined && cause !== error.message ? `${error.message}: ${cause}` : error.message
}

/** A `StoreError` for a failed statement, saying what was being done. */
export const storeError = (action: string) => (error: SqlError): StoreError => {
  const retryable = isRetryable(error)
  return new StoreError({
    message: retryable
      ? `Cannot ${action}: the database is unreachable (${describeCause(error)}); retry later, the store reconnects by itself`
      : `Cannot ${action}: ${describeCause(error)}`,
    retryable,
    cause: error
  })
}

/** A `StoreError` for a row that does not decode (a schema drift or a corrupted row). */
export const decodeError = (action: string) => (error: SchemaError): StoreError =>
  new StoreError({
    message: `Cannot ${action}: a stored row does not have the expected shape (${error.message}); check the database was migrated by this version`,
    cause: error
  })

/** Maps a unique index to the attribute it protects and the noun for the message. */
export interface UniqueTarget {
  readonly attribute: string
  readonly value: string
}

/**
 * Turns a unique violation into `Uniqueness` when `target` knows the constraint; any other failure
 * into `StoreError`.
 */
export const uniqueOr = (
  action: string,
  what: string,
  target: (constraint: string) => UniqueTarget | undefined
) =>
(error: SqlError): Effect.Effect<never, Uniqueness | StoreError> => {
  if (sqlState(error) === "23505") {
    const constraint = constraintOf(error)
    const found = constraint !== undefined ? target(constraint) : undefined
    if (found !== undefined) {
      return Effect.fail(
        new Uniqueness({
          attribute: found.attribute,
          value: found.value,
          detail: `${found.attribute} ${JSON.stringify(found.value)} is already taken by another ${what} on this platform; choose another value or update the existing ${what}`
        })
      )
    }
  }
  return Effect.fail(storeError(action)(error))
}

/**
 * Converting driver failures into the core's errors at the store's boundary: `SqlError` and rows
 * that do not decode become `StoreError` (retryable when the database could not be reached), a unique
 * violation becomes `Uniqueness` naming the attribute. What counts as which is the dialect's call
 * ({@link DialectErrors}): each engine reports them its own way.
 *
 * @internal
 */
import { ScimError } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type { SqlError } from "effect/sql/SqlError"
import type { DialectErrors } from "../../Dialect.js"

const stringField = (value: unknown, key: string): string | undefined =>
  Predicate.hasProperty(value, key) && typeof value[key] === "string" ? value[key] : undefined

const describeCause = (error: SqlError): string => {
  const cause = stringField(error.reason.cause, "message")
  return cause !== undefined && cause !== error.message ? `${error.message}: ${cause}` : error.message
}

/** A `StoreError` for a failed statement, saying what was being done. */
export const storeError = (errors: DialectErrors, action: string) => (error: SqlError): ScimError.StoreError => {
  const retryable = errors.isRetryable(error)
  return new ScimError.StoreError({
    message: retryable
      ? `Cannot ${action}: the database is unreachable or busy (${
        describeCause(error)
      }); retry later, the store reconnects by itself`
      : `Cannot ${action}: ${describeCause(error)}`,
    retryable,
    cause: error
  })
}

/**
 * A `StoreError` for a row that does not decode (a schema drift or a corrupted row); `error` says
 * which column and why (a reader's `RowMismatch`, or a `SchemaError`, whose lines become one).
 */
export const decodeError = (action: string) => (error: { readonly message: string }): ScimError.StoreError =>
  new ScimError.StoreError({
    message: `Cannot ${action}: a stored row does not have the expected shape (${
      error.message.replace(/\s*\n\s*/g, " ")
    }); check the database was migrated by this version`,
    cause: error
  })

/** Maps a unique index to the attribute it protects and the noun for the message. */
export interface UniqueTarget {
  readonly attribute: string
  readonly value: string
}

/**
 * Turns a unique violation into `Uniqueness` when `target` knows the index; any other failure
 * into `StoreError`.
 */
export const uniqueOr = (
  errors: DialectErrors,
  action: string,
  what: string,
  target: (index: string) => UniqueTarget | undefined
) =>
(error: SqlError): Effect.Effect<never, ScimError.Uniqueness | ScimError.StoreError> => {
  const index = errors.uniqueIndex(error)
  const found = index !== undefined ? target(index) : undefined
  if (found !== undefined) {
    return Effect.fail(
      new ScimError.Uniqueness({
        attribute: found.attribute,
        value: found.value,
        detail: `${found.attribute} ${
          JSON.stringify(found.value)
        } is already taken by another ${what} on this platform; choose another value or update the existing ${what}`
      })
    )
  }
  return Effect.fail(storeError(errors, action)(error))
}

/**
 * Classifying Postgres failures by SQLSTATE into Effect 4's `SqlError` reasons, for a driver that
 * does not classify its own errors (PGlite), as `@effect/sql-pg` does for the server. Kept apart
 * from the core's errors so that the PGlite client depends on Effect only.
 *
 * @internal
 */
import * as Predicate from "effect/Predicate"
import {
  AuthenticationError,
  AuthorizationError,
  ConnectionError,
  ConstraintError,
  DeadlockError,
  LockTimeoutError,
  SerializationError,
  type SqlErrorReason,
  SqlSyntaxError,
  StatementTimeoutError,
  UniqueViolation,
  UnknownError
} from "effect/sql/SqlError"

/** A string property of an unknown value. @internal */
export const stringField = (value: unknown, key: string): string | undefined =>
  Predicate.hasProperty(value, key) && typeof value[key] === "string" ? value[key] : undefined

const sqlStatePattern = /^[0-9A-Z]{5}$/

/** The SQLSTATE of a driver error, if it has one. @internal */
export const causeState = (cause: unknown): string | undefined => {
  const code = stringField(cause, "code")
  return code !== undefined && sqlStatePattern.test(code) ? code : undefined
}

// failures of PGlite itself (not of a statement): the instance is closed or was never opened
const unavailable = /closed|not ready|shutting down|terminat/i

/**
 * The `SqlError` reason of a Postgres failure thrown by a driver that does not classify its own
 * errors (PGlite), by SQLSTATE as `@effect/sql-pg` does.
 *
 * @internal
 */
export const classify = (cause: unknown, message: string, operation: string): SqlErrorReason => {
  const props = { cause, message, operation }
  const code = causeState(cause)
  if (code === undefined) {
    return unavailable.test(stringField(cause, "message") ?? "") ? new ConnectionError(props) : new UnknownError(props)
  }
  if (code.startsWith("08")) return new ConnectionError(props)
  if (code.startsWith("28")) return new AuthenticationError(props)
  if (code === "42501") return new AuthorizationError(props)
  if (code.startsWith("42")) return new SqlSyntaxError(props)
  if (code === "23505") {
    const constraint = stringField(cause, "constraint")?.trim()
    return new UniqueViolation({
      ...props,
      constraint: constraint === undefined || constraint === "" ? "unknown" : constraint
    })
  }
  if (code.startsWith("23")) return new ConstraintError(props)
  if (code === "40P01") return new DeadlockError(props)
  if (code === "40001") return new SerializationError(props)
  if (code === "55P03") return new LockTimeoutError(props)
  if (code === "57014") return new StatementTimeoutError(props)
  return new UnknownError(props)
}

/**
 * How the server and the CLI end when something stops them: a short message naming the cause and
 * what to change, on stderr, never a stack trace for an expected failure.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Result from "effect/Result"
import { describeConfigError } from "./Settings.js"

const hasTag = (value: unknown, tag: string): boolean => Predicate.hasProperty(value, "_tag") && value._tag === tag

const messageOf = (value: unknown): string =>
  Predicate.hasProperty(value, "message") && typeof value.message === "string" && value.message !== ""
    ? value.message
    : String(value)

const describeError = (error: unknown): ReadonlyArray<string> => {
  if (error instanceof Config.ConfigError) {
    return ["Invalid configuration:", ...describeConfigError(error).map((line) => `  ${line}`)]
  }
  if (hasTag(error, "ServeError") && Predicate.hasProperty(error, "cause")) {
    const cause = error.cause
    const code = Predicate.hasProperty(cause, "code") ? String(cause.code) : ""
    const port = Predicate.hasProperty(cause, "port") ? ` ${String(cause.port)}` : ""
    if (code === "EADDRINUSE") return [`Port${port} is already in use: stop the other process or set PORT to a free port.`]
    if (code === "EACCES") return [`Not allowed to listen on port${port}: set PORT to a port above 1023.`]
    return [`Could not start the HTTP server: ${messageOf(cause)}`]
  }
  if (hasTag(error, "StoreError")) {
    const cause = Predicate.hasProperty(error, "cause") && error.cause !== undefined ? ` (${messageOf(error.cause)})` : ""
    return [`${messageOf(error)}${cause}`]
  }
  return [messageOf(error)]
}

/** The lines to print for a failed run, or none when it was only interrupted (Ctrl-C, SIGTERM). @since 0.1.0 */
export const describe = (cause: Cause.Cause<unknown>): ReadonlyArray<string> => {
  if (Cause.hasInterruptsOnly(cause)) return []
  const failure = Cause.findErrorOption(cause)
  if (Option.isSome(failure)) return describeError(failure.value)
  const defect = Cause.findDefect(cause)
  if (Result.isSuccess(defect)) return [`Unexpected error: ${messageOf(defect.success)}`]
  return [Cause.pretty(cause)]
}

/**
 * How the server and the CLI end when something stops them: a short message naming the cause and
 * what to change, on stderr, never a stack trace for an expected failure.
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

/** The errors an error wraps, outermost first: `cause`, and a `SqlError`'s `reason` and its `cause`. */
const causes = (error: unknown): ReadonlyArray<unknown> => {
  const found: Array<unknown> = []
  const seen = new Set<unknown>([error])
  let current = error
  for (let depth = 0; depth < 8; depth++) {
    const next = Predicate.hasProperty(current, "cause") && current.cause !== undefined
      ? current.cause
      : Predicate.hasProperty(current, "reason") && Predicate.hasProperty(current.reason, "cause")
      ? current.reason.cause
      : undefined
    if (next === undefined || next === null || seen.has(next)) break
    seen.add(next)
    found.push(next)
    current = next
  }
  return found
}

/** A readable text of an underlying error: its message, else its code or errno, else its name. */
const causeText = (error: unknown): string | undefined => {
  if (Predicate.hasProperty(error, "message") && typeof error.message === "string" && error.message.trim() !== "") {
    return error.message.trim()
  }
  if (Predicate.hasProperty(error, "code") && (typeof error.code === "string" || typeof error.code === "number")) {
    return `error code ${String(error.code)}`
  }
  if (Predicate.hasProperty(error, "errno") && typeof error.errno === "number") return `errno ${error.errno}`
  return typeof error === "string" && error.trim() !== "" ? error.trim() : undefined
}

/**
 * The error's message followed by what its causes add, each sentence once: a cause whose text the
 * message (or an outer cause) already contains is left out, so a wrapper that repeats its cause's
 * words is never printed twice.
 */
export const withCauses = (error: unknown): string => {
  let text = messageOf(error)
  const added: Array<string> = []
  for (const cause of causes(error)) {
    const line = causeText(cause)
    if (line === undefined || text.includes(line) || added.some((seen) => seen.includes(line))) continue
    added.push(line)
  }
  if (added.length > 0) text = `${text} (${added.join("; ")})`
  return text
}

const describeError = (error: unknown): ReadonlyArray<string> => {
  if (error instanceof Config.ConfigError) {
    return ["Invalid configuration:", ...describeConfigError(error).map((line) => `  ${line}`)]
  }
  if (hasTag(error, "ServeError") && Predicate.hasProperty(error, "cause")) {
    const cause = error.cause
    const code = Predicate.hasProperty(cause, "code") ? String(cause.code) : ""
    const port = Predicate.hasProperty(cause, "port") ? ` ${String(cause.port)}` : ""
    if (code === "EADDRINUSE") {
      return [`Port${port} is already in use: stop the other process or set PORT to a free port.`]
    }
    if (code === "EACCES") return [`Not allowed to listen on port${port}: set PORT to a port above 1023.`]
    return [`Could not start the HTTP server: ${messageOf(cause)}`]
  }
  return [withCauses(error)]
}

/** The lines to print for a failed run, or none when it was only interrupted (Ctrl-C, SIGTERM). */
export const describe = (cause: Cause.Cause<unknown>): ReadonlyArray<string> => {
  if (Cause.hasInterruptsOnly(cause)) return []
  const failure = Cause.findErrorOption(cause)
  if (Option.isSome(failure)) return describeError(failure.value)
  const defect = Cause.findDefect(cause)
  if (Result.isSuccess(defect)) return [`Unexpected error: ${withCauses(defect.success)}`]
  return [Cause.pretty(cause)]
}

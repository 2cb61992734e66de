/**
 * SCIM responses: the one place where core errors become HTTP statuses (RFC 7644 §3.12), plus the
 * JSON and resource helpers every handler uses (`application/scim+json`, `ETag`, `Location`).
 */
import { Schemas, ScimError, Version, type ResourceApi } from "@scimkit/core"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as HttpServerError from "effect/http/HttpServerError"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Match from "effect/Match"

/** RFC 7644 §3.1 / §8.1: the media type of every response body. */
export const contentType = "application/scim+json; charset=utf-8"

/** The realm announced in `WWW-Authenticate` on 401. */
export const authenticateChallenge = "Bearer realm=\"scimkit\""

/**
 * Seconds a client should wait before retrying when the store is unavailable (503). A guess, not
 * measured: about the time a pool takes to reconnect after a database restart or failover.
 */
export const retryAfterSeconds = 5

/** A JSON body in `application/scim+json`. */
export const json = (
  body: unknown,
  options?: { readonly status?: number | undefined; readonly headers?: Record<string, string> | undefined }
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.jsonUnsafe(body, { status: options?.status ?? 200, headers: options?.headers, contentType })

/** A SCIM error body (RFC 7644 §3.12) with the given status. */
export const error = (
  status: number,
  detail: string,
  options?: { readonly scimType?: string | undefined; readonly headers?: Record<string, string> | undefined }
): HttpServerResponse.HttpServerResponse =>
  json(
    options?.scimType === undefined
      ? { schemas: [Schemas.ErrorUrn], status: String(status), detail }
      : { schemas: [Schemas.ErrorUrn], status: String(status), scimType: options.scimType, detail },
    { status, headers: options?.headers }
  )

/** How a core error is answered. */
export interface Classification {
  readonly status: number
  readonly scimType?: string
  readonly detail?: string
  readonly headers?: Record<string, string>
}

const unavailable = `The store is unavailable; retry in ${retryAfterSeconds} seconds`

/** RFC 7644 §3.12: status and `scimType` of each core error. Exhaustive: a new error fails to compile here. */
export const classify: (error: ScimError.CoreError) => Classification = Match.typeTags<
  ScimError.CoreError,
  Classification
>()({
  InvalidFilter: () => ({ status: 400, scimType: "invalidFilter" }),
  InvalidPath: () => ({ status: 400, scimType: "invalidPath" }),
  InvalidValue: () => ({ status: 400, scimType: "invalidValue" }),
  InvalidSyntax: () => ({ status: 400, scimType: "invalidSyntax" }),
  NoTarget: () => ({ status: 400, scimType: "noTarget" }),
  Mutability: () => ({ status: 400, scimType: "mutability" }),
  Uniqueness: () => ({ status: 409, scimType: "uniqueness" }),
  TooMany: () => ({ status: 400, scimType: "tooMany" }),
  InvalidVers: () => ({ status: 400, scimType: "invalidVers" }),
  Sensitive: () => ({ status: 403, scimType: "sensitive" }),
  InvalidCursor: (e) => ({ status: 400, scimType: e.expired ? "expiredCursor" : "invalidCursor" }),
  ResourceNotFound: () => ({ status: 404 }),
  VersionMismatch: () => ({ status: 412 }),
  Unauthorized: () => ({ status: 401, headers: { "www-authenticate": authenticateChallenge } }),
  Forbidden: () => ({ status: 403 }),
  PayloadTooLarge: () => ({ status: 413 }),
  NotImplemented: () => ({ status: 501 }),
  Unreadable: (e) => ({ status: 500, detail: e.message }),
  // a host's before hook chose the answer: passed through as it is
  HookRejected: (e) =>
    e.scimType === undefined
      ? { status: e.status, detail: e.detail }
      : { status: e.status, scimType: e.scimType, detail: e.detail },
  StoreError: (e) =>
    e.retryable
      ? { status: 503, detail: unavailable, headers: { "retry-after": String(retryAfterSeconds) } }
      : { status: 500, detail: "Internal error" }
})

/** The SCIM error of a core error as data: status, extra headers and body (Bulk embeds the body). */
export const errorBody = (error: ScimError.CoreError): {
  readonly status: number
  readonly headers: Record<string, string> | undefined
  readonly body: Record<string, unknown>
} => {
  const c = classify(error)
  const detail = c.detail ?? error.message
  return {
    status: c.status,
    headers: c.headers,
    body: c.scimType === undefined
      ? { schemas: [Schemas.ErrorUrn], status: String(c.status), detail }
      : { schemas: [Schemas.ErrorUrn], status: String(c.status), scimType: c.scimType, detail }
  }
}

/** RFC 7644 §3.12: the SCIM error response of a core error. 5xx details never leak internals. */
export const fromError = (error: ScimError.CoreError): HttpServerResponse.HttpServerResponse => {
  const e = errorBody(error)
  return json(e.body, { status: e.status, headers: e.headers })
}

/**
 * An answer decided at the HTTP edge that has no core error: unknown route (404), wrong method (405,
 * with `Allow`), unsupported media type (415).
 */
export class HttpEdgeError extends Data.TaggedError("HttpEdgeError")<{
  readonly status: number
  readonly detail: string
  readonly headers?: Record<string, string> | undefined
}> {}

/** The errors a handler may fail with. */
export type HandlerError = ScimError.CoreError | HttpEdgeError | HttpServerError.HttpServerError

const internalError = error(500, "Internal error")

/**
 * Turns every failure into a SCIM error response: core errors through {@link fromError}, body read
 * errors into `invalidSyntax` (or 413), and defects into a logged 500 without a stack trace.
 */
export const handleErrors = <R>(
  self: Effect.Effect<HttpServerResponse.HttpServerResponse, HandlerError, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R> =>
  Effect.catchCause(self, (cause) => {
    const failure = Cause.findErrorOption(cause)
    if (failure._tag === "Some") {
      const e = failure.value
      switch (e._tag) {
        case "HttpEdgeError":
          return Effect.succeed(error(e.status, e.detail, { headers: e.headers }))
        case "HttpServerError":
          return Effect.succeed(fromError(readError(e)))
        default: {
          const response = fromError(e)
          return e._tag === "StoreError"
            ? Effect.as(Effect.logError(`SCIM request failed with ${response.status}`, cause), response)
            : Effect.succeed(response)
        }
      }
    }
    if (Cause.hasInterruptsOnly(cause)) {
      return Effect.interrupt
    }
    // Transactions.run has no error channel: a store that loses its connection at BEGIN/COMMIT dies with a StoreError
    const defect = Cause.findDefect(cause)
    if (defect._tag === "Success" && defect.success instanceof ScimError.StoreError) {
      return Effect.as(Effect.logError("SCIM request failed in a store transaction", cause), fromError(defect.success))
    }
    return Effect.as(Effect.logError("Unexpected defect while handling a SCIM request", cause), internalError)
  })

/** A request body that could not be read: 413 when it was too large, else `invalidSyntax`. */
const readError = (e: HttpServerError.HttpServerError): ScimError.PayloadTooLarge | ScimError.InvalidSyntax => {
  const reason = e.reason
  if (reason._tag === "RequestParseError" && reason.reason === "BodyTooLarge") {
    return new ScimError.PayloadTooLarge({ detail: "The request body is too large; send a smaller body" })
  }
  const description = "description" in reason && reason.description !== undefined ? reason.description : reason._tag
  return new ScimError.InvalidSyntax({ detail: `The request body could not be read: ${description}` })
}

/** A resource response: body, `ETag` (RFC 7644 §3.14) and the absolute `Location` (§3.3, §3.4.1). */
export const resource = (result: ResourceApi.ScimResult, status = 200): HttpServerResponse.HttpServerResponse =>
  json(result.resource, { status, headers: { etag: Version.etag(result.version), location: result.location } })

/** `204 No Content` carrying the new `ETag` (a Group PATCH without a requested representation). */
export const noContent = (version?: number): HttpServerResponse.HttpServerResponse =>
  version === undefined
    ? HttpServerResponse.empty({ status: 204 })
    : HttpServerResponse.empty({ status: 204, headers: { etag: Version.etag(version) } })

/** `304 Not Modified` for a GET whose `If-None-Match` matches (RFC 7232 §4.1). */
export const notModified = (version: number): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.empty({ status: 304, headers: { etag: Version.etag(version) } })

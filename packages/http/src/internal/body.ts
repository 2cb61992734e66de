/**
 * Reading a request body: the media type (RFC 7644 §3.8), a read bounded by a byte limit (413
 * past it) and the JSON object inside (`invalidSyntax` otherwise, §3.12).
 *
 * @internal
 */
import { ScimError } from "@scimkit/core"
import * as ByteSize from "effect/ByteSize"
import * as Effect from "effect/Effect"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import type * as HttpServerError from "effect/http/HttpServerError"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Predicate from "effect/Predicate"
import { HttpEdgeError } from "../ScimResponse.js"

const jsonTypes: ReadonlySet<string> = new Set(["application/scim+json", "application/json"])

/** RFC 7644 §3.8: bodies in `application/scim+json` or `application/json`; a missing type is accepted. */
export const checkContentType = (header: string | undefined): Effect.Effect<void, HttpEdgeError> => {
  if (header === undefined) return Effect.void
  const semi = header.indexOf(";")
  const type = (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase()
  return type === "" || jsonTypes.has(type)
    ? Effect.void
    : Effect.fail(
      new HttpEdgeError({
        status: 415,
        detail: `Unsupported Content-Type "${type}": send the body as application/scim+json or application/json`
      })
    )
}

const tooLarge = (limit: number) =>
  new ScimError.PayloadTooLarge({ detail: `The request body is larger than ${limit} bytes; send a smaller body` })

/**
 * Read failures: past the limit a 413 (the server adapter drains or closes the rest, so the client
 * receives the answer instead of a reset connection), anything else `invalidSyntax`.
 */
const readFailure =
  (limit: number) => (error: HttpServerError.HttpServerError): ScimError.PayloadTooLarge | ScimError.InvalidSyntax => {
    const reason = error.reason
    return reason._tag === "RequestParseError" && reason.reason === "BodyTooLarge"
      ? tooLarge(limit)
      : new ScimError.InvalidSyntax({ detail: "The request body could not be read completely; send it again" })
  }

/**
 * The request body as text, at most `limit` bytes: `Content-Length` is checked first, and the limit
 * is enforced while reading (chunked Node bodies and streamed web bodies alike).
 */
export const readText = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<string, ScimError.PayloadTooLarge | ScimError.InvalidSyntax | HttpEdgeError> => {
  const headers = request.headers
  const length = headers["content-length"]
  if (length !== undefined && Number(length) > limit) return Effect.fail(tooLarge(limit))
  const contentType = headers["content-type"]
  const read = request.text.pipe(
    Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(limit)),
    Effect.mapError(readFailure(limit))
  )
  return contentType === undefined ? read : Effect.andThen(checkContentType(contentType), read)
}

/** A body's text as a JSON object; empty text, malformed JSON and non-objects fail with `invalidSyntax`. */
export const parseJsonObject = (text: string): Effect.Effect<Record<string, unknown>, ScimError.InvalidSyntax> => {
  if (text.trim() === "") {
    return Effect.fail(new ScimError.InvalidSyntax({ detail: "The request body is empty; send a JSON object" }))
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    return Effect.fail(
      new ScimError.InvalidSyntax({ detail: `The request body is not valid JSON (${reason}); send a JSON object` })
    )
  }
  return Predicate.isObject(value)
    ? Effect.succeed(value)
    : Effect.fail(new ScimError.InvalidSyntax({ detail: "The request body must be a JSON object" }))
}

/** {@link readText} then {@link parseJsonObject}. */
export const readJsonObject = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<Record<string, unknown>, ScimError.InvalidSyntax | ScimError.PayloadTooLarge | HttpEdgeError> =>
  Effect.flatMap(readText(request, limit), parseJsonObject)

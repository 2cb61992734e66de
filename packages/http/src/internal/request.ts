/**
 * Reading a SCIM request: credentials, the absolute base URL, query parameters and the JSON body.
 *
 * @internal
 */
import type { ListRequest, ProjectionRequest } from "@scimkit/core"
import { InvalidSyntax, PayloadTooLarge, Schemas, Unauthorized } from "@scimkit/core"
import * as ByteSize from "effect/ByteSize"
import * as Effect from "effect/Effect"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import type * as HttpServerError from "effect/http/HttpServerError"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Predicate from "effect/Predicate"
import type { ScimHttpOptionsShape } from "../ScimHttpOptions.js"
import { HttpEdgeError } from "../ScimResponse.js"

const missingCredentials = new Unauthorized({
  detail: "Authentication required: send the platform's API key as `Authorization: Bearer <key>`"
})
const wrongScheme = new Unauthorized({
  detail: "Unsupported authorization scheme: send the platform's API key as `Authorization: Bearer <key>`"
})

/** RFC 6750 §2.1: the bearer token of the `Authorization` header (scheme case-insensitive), or why there is none. @internal */
export const bearerTokenOf = (header: string | undefined): string | Unauthorized => {
  if (header === undefined) return missingCredentials
  const trimmed = header.trim()
  const space = trimmed.indexOf(" ")
  if (space !== 6 || trimmed.slice(0, 6).toLowerCase() !== "bearer") return wrongScheme
  const token = trimmed.slice(7).trim()
  return token === "" ? missingCredentials : token
}

/** {@link bearerTokenOf} as an effect. @internal */
export const bearerToken = (header: string | undefined): Effect.Effect<string, Unauthorized> => {
  const token = bearerTokenOf(header)
  return typeof token === "string" ? Effect.succeed(token) : Effect.fail(token)
}

const firstValue = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined
  const comma = header.indexOf(",")
  const value = (comma === -1 ? header : header.slice(0, comma)).trim()
  return value === "" ? undefined : value
}

const isEncrypted = (source: unknown): boolean =>
  Predicate.hasProperty(source, "socket") && Predicate.hasProperty(source.socket, "encrypted") &&
  source.socket.encrypted === true

/**
 * The absolute URL of the SCIM root for this request: `publicUrl` if configured, else
 * `<proto>://<host><basePath>`, with `X-Forwarded-Proto`/`X-Forwarded-Host` followed only when trusted.
 *
 * @internal
 */
export const baseUrl = (request: HttpServerRequest.HttpServerRequest, options: ScimHttpOptionsShape): string => {
  if (options.publicUrl._tag === "Some") return options.publicUrl.value
  const headers = request.headers
  let proto: string | undefined
  let host: string | undefined
  if (options.trustProxy) {
    const forwarded = firstValue(headers["x-forwarded-proto"])?.toLowerCase()
    proto = forwarded === "https" || forwarded === "http" ? forwarded : undefined
    host = firstValue(headers["x-forwarded-host"])
  }
  if (proto === undefined) {
    const original = request.originalUrl
    proto = original.startsWith("https:") || isEncrypted(request.source) ? "https" : "http"
  }
  host ??= headers["host"] ?? hostOf(request.originalUrl) ?? "localhost"
  return `${proto}://${host}${options.basePath}`
}

const hostOf = (url: string): string | undefined => {
  if (url.charCodeAt(0) === 47) return undefined
  const start = url.indexOf("//")
  if (start === -1) return undefined
  const end = url.indexOf("/", start + 2)
  return url.slice(start + 2, end === -1 ? undefined : end)
}

const jsonTypes: ReadonlySet<string> = new Set(["application/scim+json", "application/json"])

/** RFC 7644 §3.8: bodies in `application/scim+json` or `application/json`; a missing type is accepted. @internal */
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
  new PayloadTooLarge({ detail: `The request body is larger than ${limit} bytes; send a smaller body` })

/**
 * Read failures: past the limit a 413 (the server adapter drains or closes the rest, so the client
 * receives the answer instead of a reset connection), anything else `invalidSyntax`.
 */
const readFailure = (limit: number) => (error: HttpServerError.HttpServerError): PayloadTooLarge | InvalidSyntax => {
  const reason = error.reason
  return reason._tag === "RequestParseError" && reason.reason === "BodyTooLarge"
    ? tooLarge(limit)
    : new InvalidSyntax({ detail: "The request body could not be read completely; send it again" })
}

/**
 * The request body as text, at most `limit` bytes: `Content-Length` is checked first, and the limit
 * is enforced while reading (chunked Node bodies and streamed web bodies alike).
 *
 * @internal
 */
export const readText = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<string, PayloadTooLarge | InvalidSyntax | HttpEdgeError> => {
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

/** The request body as a JSON object; malformed JSON and non-objects fail with `invalidSyntax` (RFC 7644 §3.12). @internal */
export const readJsonObject = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<Record<string, unknown>, InvalidSyntax | PayloadTooLarge | HttpEdgeError> =>
  Effect.flatMap(readText(request, limit), parseJsonObject)

/** @internal */
export const parseJsonObject = (text: string): Effect.Effect<Record<string, unknown>, InvalidSyntax> => {
  if (text.trim() === "") {
    return Effect.fail(new InvalidSyntax({ detail: "The request body is empty; send a JSON object" }))
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    return Effect.fail(new InvalidSyntax({ detail: `The request body is not valid JSON (${reason}); send a JSON object` }))
  }
  return Predicate.isObject(value)
    ? Effect.succeed(value)
    : Effect.fail(new InvalidSyntax({ detail: "The request body must be a JSON object" }))
}

type SearchParams = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

const listKeys: Readonly<Record<string, keyof ListRequest>> = {
  filter: "filter",
  sortby: "sortBy",
  sortorder: "sortOrder",
  startindex: "startIndex",
  count: "count",
  cursor: "cursor",
  attributes: "attributes",
  excludedattributes: "excludedAttributes"
}

const single = (value: string | ReadonlyArray<string>): string => typeof value === "string" ? value : value[0] ?? ""
const joined = (value: string | ReadonlyArray<string>): string => typeof value === "string" ? value : value.join(",")

/** RFC 7644 §3.4.2 query parameters (names matched case-insensitively). @internal */
export const listRequest = (params: SearchParams): ListRequest => {
  const out: { -readonly [K in keyof ListRequest]: ListRequest[K] } = {}
  for (const name in params) {
    const value = params[name]
    if (value === undefined) continue
    const key = listKeys[name] ?? listKeys[name.toLowerCase()]
    if (key === undefined) continue
    if (key === "attributes" || key === "excludedAttributes") out[key] = joined(value)
    else out[key] = single(value)
  }
  return out
}

/** RFC 7644 §3.9 `attributes` / `excludedAttributes`, or `undefined` when neither is given. @internal */
export const projection = (params: SearchParams): ProjectionRequest | undefined => {
  let attributes: string | undefined
  let excludedAttributes: string | undefined
  for (const name in params) {
    const value = params[name]
    if (value === undefined) continue
    const lower = name.toLowerCase()
    if (lower === "attributes") attributes = joined(value)
    else if (lower === "excludedattributes") excludedAttributes = joined(value)
  }
  if (attributes === undefined && excludedAttributes === undefined) return undefined
  return { attributes, excludedAttributes }
}

/** @internal */
export const hasParam = (params: SearchParams, lowerName: string): boolean => {
  for (const name in params) {
    if (name.toLowerCase() === lowerName && params[name] !== undefined) return true
  }
  return false
}

const stringField = (body: Record<string, unknown>, name: string): Effect.Effect<string | undefined, InvalidSyntax> => {
  const value = body[name]
  if (value === undefined || value === null) return Effect.succeed(undefined)
  return typeof value === "string"
    ? Effect.succeed(value)
    : Effect.fail(new InvalidSyntax({ detail: `SearchRequest "${name}" must be a string` }))
}

const numberField = (
  body: Record<string, unknown>,
  name: string
): Effect.Effect<string | number | undefined, InvalidSyntax> => {
  const value = body[name]
  if (value === undefined || value === null) return Effect.succeed(undefined)
  return typeof value === "number" || typeof value === "string"
    ? Effect.succeed(value)
    : Effect.fail(new InvalidSyntax({ detail: `SearchRequest "${name}" must be an integer` }))
}

const attributesField = (
  body: Record<string, unknown>,
  name: string
): Effect.Effect<string | ReadonlyArray<string> | undefined, InvalidSyntax> => {
  const value = body[name]
  if (value === undefined || value === null) return Effect.succeed(undefined)
  if (typeof value === "string") return Effect.succeed(value)
  if (Array.isArray(value) && value.every(Predicate.isString)) return Effect.succeed(value)
  return Effect.fail(new InvalidSyntax({ detail: `SearchRequest "${name}" must be an array of attribute names` }))
}

/** RFC 7644 §3.4.3: a `SearchRequest` body as a list request. @internal */
export const searchRequest = (body: Record<string, unknown>): Effect.Effect<ListRequest, InvalidSyntax> => {
  const schemas = body["schemas"]
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.includes(Schemas.SearchRequestUrn))) {
    return Effect.fail(new InvalidSyntax({ detail: `A SearchRequest must have "schemas": ["${Schemas.SearchRequestUrn}"]` }))
  }
  return Effect.all({
    attributes: attributesField(body, "attributes"),
    excludedAttributes: attributesField(body, "excludedAttributes"),
    filter: stringField(body, "filter"),
    sortBy: stringField(body, "sortBy"),
    sortOrder: stringField(body, "sortOrder"),
    startIndex: numberField(body, "startIndex"),
    count: numberField(body, "count"),
    cursor: stringField(body, "cursor")
  })
}

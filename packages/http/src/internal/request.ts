/**
 * Reading a SCIM request: credentials, the absolute base URL, query parameters and the JSON body.
 *
 * @internal
 */
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type { ListRequest, ProjectionRequest, RequestScope } from "@scimkit/core"
import { InvalidSyntax, PayloadTooLarge, Schemas, Unauthorized } from "@scimkit/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import type { ScimHttpOptionsShape } from "../ScimHttpOptions.js"
import { HttpEdgeError } from "../ScimResponse.js"

/** The scope of the current request, resolved once by the app before routing. @internal */
export class CurrentScope extends Context.Tag("@scimkit/http/CurrentScope")<CurrentScope, RequestScope>() {}

const missingCredentials = new Unauthorized({
  detail: "Authentication required: send the platform's API key as `Authorization: Bearer <key>`"
})
const wrongScheme = new Unauthorized({
  detail: "Unsupported authorization scheme: send the platform's API key as `Authorization: Bearer <key>`"
})

/** RFC 6750 §2.1: the bearer token of the `Authorization` header (scheme case-insensitive). @internal */
export const bearerToken = (header: string | undefined): Effect.Effect<string, Unauthorized> => {
  if (header === undefined) return Effect.fail(missingCredentials)
  const trimmed = header.trim()
  const space = trimmed.indexOf(" ")
  if (space !== 6 || trimmed.slice(0, 6).toLowerCase() !== "bearer") return Effect.fail(wrongScheme)
  const token = trimmed.slice(7).trim()
  return token === "" ? Effect.fail(missingCredentials) : Effect.succeed(token)
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

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}

/** The part of a Node `IncomingMessage` the reader uses (the package imports no `node:*` module). */
interface NodeReadable {
  on(event: string, listener: (arg: unknown) => void): unknown
  removeListener(event: string, listener: (arg: unknown) => void): unknown
  resume(): unknown
  readonly readableEnded?: boolean
}

const isNodeReadable = (u: unknown): u is NodeReadable =>
  Predicate.hasProperty(u, "on") && typeof u.on === "function" &&
  Predicate.hasProperty(u, "removeListener") && typeof u.removeListener === "function" &&
  Predicate.hasProperty(u, "resume") && typeof u.resume === "function"

const unreadable = () => new InvalidSyntax({ detail: "The request body could not be read completely; send it again" })

/**
 * Reads a Node request body up to `limit` bytes. Past the limit it stops buffering but keeps
 * draining (discarding) the rest, so the client receives the 413 instead of a reset connection.
 */
const readNodeText = (source: NodeReadable, limit: number): Effect.Effect<string, PayloadTooLarge | InvalidSyntax> =>
  source.readableEnded === true
    ? Effect.succeed("")
    : Effect.async<string, PayloadTooLarge | InvalidSyntax>((resume) => {
      const chunks: Array<Uint8Array> = []
      let size = 0
      const cleanup = () => {
        source.removeListener("data", onData)
        source.removeListener("end", onEnd)
        source.removeListener("error", onError)
      }
      const onData = (chunk: unknown) => {
        const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk instanceof Uint8Array ? chunk : undefined
        if (bytes === undefined) return
        size += bytes.length
        if (size > limit) {
          cleanup()
          source.resume()
          resume(Effect.fail(tooLarge(limit)))
        } else {
          chunks.push(bytes)
        }
      }
      const onEnd = () => {
        cleanup()
        resume(Effect.succeed(decoder.decode(concat(chunks, size))))
      }
      const onError = () => {
        cleanup()
        resume(Effect.fail(unreadable()))
      }
      source.on("data", onData)
      source.on("end", onEnd)
      source.on("error", onError)
      return Effect.sync(cleanup)
    })

/** Web-standard requests (Bun, Deno, `toWebHandler`) are read chunk by chunk so that the limit holds while reading. */
const readWebText = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<string, PayloadTooLarge | HttpServerError.RequestError> =>
  Stream.runFoldEffect(
    request.stream,
    { size: 0, chunks: [] as Array<Uint8Array> },
    (state, chunk) => {
      const size = state.size + chunk.length
      if (size > limit) return Effect.fail(tooLarge(limit))
      state.chunks.push(chunk)
      return Effect.succeed({ size, chunks: state.chunks })
    }
  ).pipe(Effect.map(({ chunks, size }) => decoder.decode(concat(chunks, size))))

/**
 * The request body as text, at most `limit` bytes: `Content-Length` is checked first, and the limit
 * is enforced while reading.
 *
 * @internal
 */
export const readText = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<string, PayloadTooLarge | InvalidSyntax | HttpEdgeError | HttpServerError.RequestError> => {
  const headers = request.headers
  const length = headers["content-length"]
  if (length !== undefined && Number(length) > limit) return Effect.fail(tooLarge(limit))
  const source = request.source
  const read: Effect.Effect<string, PayloadTooLarge | InvalidSyntax | HttpServerError.RequestError> =
    isNodeReadable(source)
      ? readNodeText(source, limit)
      : Predicate.hasProperty(source, "body") && source.body === null
      ? Effect.succeed("")
      : readWebText(request, limit)
  return Effect.zipRight(checkContentType(headers["content-type"]), read)
}

/** The request body as a JSON object; malformed JSON and non-objects fail with `invalidSyntax` (RFC 7644 §3.12). @internal */
export const readJsonObject = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<Record<string, unknown>, InvalidSyntax | PayloadTooLarge | HttpEdgeError | HttpServerError.RequestError> =>
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
  return Predicate.isRecord(value)
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

/**
 * Opaque, tamper-evident pagination cursors (RFC 9865). A cursor is a keyset position (the sort
 * value and id of the last item a page showed), signed with HMAC-SHA-256 under the server's
 * cursor secret and bound to the query that minted it (resource type, filter, sort). Because it
 * names a position rather than an offset, it stays valid while resources are added or removed.
 *
 * The text is `<payload>.<tag>` in base64url, so it uses only RFC 3986 unreserved characters as
 * RFC 9865 asks.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Schema from "effect/Schema"
import { InvalidCursor } from "../errors/ScimError.js"
import { bytesOf, constantTimeEquals, hmacSha256, sha256 } from "../internal/sha256.js"
import type { CursorPosition } from "../ports/StoreQuery.js"

/** Which way a cursor walks: `forward` for `nextCursor`, `backward` for `previousCursor`. @since 0.1.0 */
export type Direction = "forward" | "backward"

/** A decoded cursor. @since 0.1.0 */
export interface Decoded {
  readonly position: CursorPosition
  readonly backward: boolean
}

/** The query parts a cursor is bound to. @since 0.1.0 */
export interface QueryParts {
  readonly resourceType: string
  readonly filter?: string | undefined
  readonly sortBy?: string | undefined
  readonly sortOrder?: string | undefined
}

/**
 * The query fingerprint a cursor is bound to: resource type, filter text and sort. Attribute names
 * and the sort order are case-insensitive, so they are lower-cased; the filter is only trimmed
 * (its values may be case-sensitive). A missing `sortOrder` with a `sortBy` means ascending.
 *
 * @since 0.1.0
 */
export const fingerprint = (query: QueryParts): string => {
  const filter = query.filter?.trim() ?? ""
  const sortBy = query.sortBy?.trim().toLowerCase() ?? ""
  const sortOrder = sortBy === "" ? "" : (query.sortOrder?.trim().toLowerCase() || "ascending")
  return JSON.stringify([query.resourceType, filter, sortBy, sortOrder])
}

const Payload = Schema.Struct({
  v: Schema.Literal(1),
  k: Schema.Union(Schema.String, Schema.Number, Schema.Boolean, Schema.Null),
  i: Schema.String,
  b: Schema.Boolean,
  f: Schema.String
})
const decodePayload = Schema.decodeUnknownEither(Schema.parseJson(Payload))

const tagLength = 16
const maxLength = 8192
const tokenPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

const fingerprintTag = (queryFingerprint: string): string => Encoding.encodeBase64Url(sha256(queryFingerprint).subarray(0, 9))
const sign = (payload: string, secret: string): Uint8Array =>
  hmacSha256(secret, "scimkit-cursor\n" + payload).subarray(0, tagLength)

/**
 * Mints a cursor for a position, walking in `direction`, bound to the query fingerprint and
 * signed with `secret`.
 *
 * @since 0.1.0
 */
export const encode = (position: CursorPosition, direction: Direction, queryFingerprint: string, secret: string): string => {
  const payload = Encoding.encodeBase64Url(JSON.stringify({
    v: 1,
    k: position.sortValue,
    i: position.id,
    b: direction === "backward",
    f: fingerprintTag(queryFingerprint)
  }))
  return `${payload}.${Encoding.encodeBase64Url(sign(payload, secret))}`
}

const forged = (): InvalidCursor =>
  new InvalidCursor({
    detail: "The cursor is not one this server issued, or it was altered; request the first page again with an empty cursor (cursor=) and follow nextCursor"
  })

/**
 * Reads a cursor back. Malformed or tampered cursors, and cursors minted for another resource
 * type, filter or sort, fail with `InvalidCursor`.
 *
 * @since 0.1.0
 */
export const decode = (token: string, queryFingerprint: string, secret: string): Either.Either<Decoded, InvalidCursor> => {
  const text = token.trim()
  if (text.length > maxLength || !tokenPattern.test(text)) return Either.left(forged())
  const dot = text.indexOf(".")
  const payload = text.slice(0, dot)
  const tag = Encoding.decodeBase64Url(text.slice(dot + 1))
  if (Either.isLeft(tag) || !constantTimeEquals(tag.right, sign(payload, secret))) return Either.left(forged())
  const json = Encoding.decodeBase64UrlString(payload)
  if (Either.isLeft(json)) return Either.left(forged())
  const decoded = decodePayload(json.right)
  if (Either.isLeft(decoded)) return Either.left(forged())
  if (!constantTimeEquals(bytesOf(decoded.right.f), bytesOf(fingerprintTag(queryFingerprint)))) {
    return Either.left(new InvalidCursor({
      detail: "The cursor belongs to a different query: repeat the filter, sortBy and sortOrder of the request that returned it, or start over with an empty cursor (cursor=)"
    }))
  }
  return Either.right({ position: { sortValue: decoded.right.k, id: decoded.right.i }, backward: decoded.right.b })
}

/**
 * Opaque, tamper-evident pagination cursors (RFC 9865). A cursor is a keyset position (the sort
 * value and id of the last item a page showed), signed with HMAC-SHA-256 under the server's
 * cursor secret and bound to the query that minted it (resource type, filter, sort). Because it
 * names a position rather than an offset, it stays valid while resources are added or removed.
 *
 * The text is `<payload>.<tag>` in base64url, so it uses only RFC 3986 unreserved characters as
 * RFC 9865 asks.
 */
import type * as Mac from "effect/crypto/Mac"
import * as Effect from "effect/Effect"
import * as Base64Url from "effect/encoding/Base64Url"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { InvalidCursor } from "../errors/ScimError.js"
import { constantTimeEquals, hmacSha256 } from "../Crypto.js"
import type { CursorPosition } from "../ports/StoreQuery.js"

/** Which way a cursor walks: `forward` for `nextCursor`, `backward` for `previousCursor`. */
export type Direction = "forward" | "backward"

/** A decoded cursor. */
export interface Decoded {
  readonly position: CursorPosition
  readonly backward: boolean
}

/** The query parts a cursor is bound to. */
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
 */
export const fingerprint = (query: QueryParts): string => {
  const filter = query.filter?.trim() ?? ""
  const sortBy = query.sortBy?.trim().toLowerCase() ?? ""
  const sortOrder = sortBy === "" ? "" : (query.sortOrder?.trim().toLowerCase() || "ascending")
  return JSON.stringify([query.resourceType, filter, sortBy, sortOrder])
}

const Payload = Schema.Struct({
  v: Schema.Literal(1),
  k: Schema.Union([Schema.String, Schema.Number, Schema.Boolean, Schema.Null]),
  i: Schema.String,
  b: Schema.Boolean,
  f: Schema.String
})
const decodePayload = Schema.decodeUnknownOption(Schema.fromJsonString(Payload))

const tagLength = 16
const maxLength = 8192
const tokenPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

// The query a cursor belongs to travels as a short keyed tag of its fingerprint, so a cursor says
// nothing about the filter it was minted for.
const fingerprintTag = (queryFingerprint: string, secret: string): Effect.Effect<string, never, Mac.Mac> =>
  Effect.map(
    hmacSha256(secret, "scimkit-cursor-query\n" + queryFingerprint),
    (tag) => Base64Url.encode(tag.subarray(0, 9))
  )
const sign = (payload: string, secret: string): Effect.Effect<Uint8Array, never, Mac.Mac> =>
  Effect.map(hmacSha256(secret, "scimkit-cursor\n" + payload), (tag) => tag.subarray(0, tagLength))

/**
 * Mints a cursor for a position, walking in `direction`, bound to the query fingerprint and
 * signed with `secret`.
 */
export const encode = (
  position: CursorPosition,
  direction: Direction,
  queryFingerprint: string,
  secret: string
): Effect.Effect<string, never, Mac.Mac> =>
  Effect.gen(function*() {
    const payload = Base64Url.encode(JSON.stringify({
      v: 1,
      k: position.sortValue,
      i: position.id,
      b: direction === "backward",
      f: yield* fingerprintTag(queryFingerprint, secret)
    }))
    return `${payload}.${Base64Url.encode(yield* sign(payload, secret))}`
  })

const forged = (): InvalidCursor =>
  new InvalidCursor({
    detail:
      "The cursor is not one this server issued, or it was altered; request the first page again with an empty cursor (cursor=) and follow nextCursor"
  })

/**
 * Reads a cursor back. Malformed or tampered cursors, and cursors minted for another resource
 * type, filter or sort, fail with `InvalidCursor`.
 */
export const decode = (
  token: string,
  queryFingerprint: string,
  secret: string
): Effect.Effect<Decoded, InvalidCursor, Mac.Mac> =>
  Effect.gen(function*() {
    const text = token.trim()
    if (text.length > maxLength || !tokenPattern.test(text)) return yield* Effect.fail(forged())
    const dot = text.indexOf(".")
    const payload = text.slice(0, dot)
    const tag = Base64Url.decode(text.slice(dot + 1))
    if (Result.isFailure(tag) || !constantTimeEquals(tag.success, yield* sign(payload, secret))) {
      return yield* Effect.fail(forged())
    }
    const json = Base64Url.decodeString(payload)
    if (Result.isFailure(json)) return yield* Effect.fail(forged())
    const decoded = decodePayload(json.success)
    if (decoded._tag === "None") return yield* Effect.fail(forged())
    if (!constantTimeEquals(decoded.value.f, yield* fingerprintTag(queryFingerprint, secret))) {
      return yield* Effect.fail(
        new InvalidCursor({
          detail:
            "The cursor belongs to a different query: repeat the filter, sortBy and sortOrder of the request that returned it, or start over with an empty cursor (cursor=)"
        })
      )
    }
    return { position: { sortValue: decoded.value.k, id: decoded.value.i }, backward: decoded.value.b }
  })

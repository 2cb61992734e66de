/**
 * The web-standard `crypto` global (present in Node ≥ 19, Bun, Deno and browsers), wrapped so the
 * core never imports `node:crypto`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

/** A random RFC 4122 v4 UUID. */
export const randomUUID: Effect.Effect<string> = Effect.sync(() => globalThis.crypto.randomUUID())

/** `length` cryptographically random bytes. */
export const randomBytes = (length: number): Effect.Effect<Uint8Array> =>
  Effect.sync(() => globalThis.crypto.getRandomValues(new Uint8Array(length)))

const hex = (bytes: Uint8Array): string => {
  let out = ""
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0")
  return out
}

/** SHA-256 of the UTF-8 text, as lowercase hex. */
export const sha256Hex = (text: string): Effect.Effect<string> =>
  Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).pipe(
    Effect.map((digest) => hex(new Uint8Array(digest)))
  )

/** Compares two strings in time that depends only on their lengths (for hashes of equal length). */
export const timingSafeEqual = (a: string, b: string): boolean => {
  let diff = a.length ^ b.length
  const length = Math.max(a.length, b.length)
  for (let i = 0; i < length; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0)
  return diff === 0
}

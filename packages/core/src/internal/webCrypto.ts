/**
 * Randomness from the web-standard `crypto` global (present in Node ≥ 19, Bun, Deno and
 * browsers), wrapped so the core never imports `node:crypto`, and the key hash.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { sha256, toHex } from "./sha256.js"

/** A random RFC 4122 v4 UUID. */
export const randomUUID: Effect.Effect<string> = Effect.sync(() => globalThis.crypto.randomUUID())

/** `length` cryptographically random bytes. */
export const randomBytes = (length: number): Effect.Effect<Uint8Array> =>
  Effect.sync(() => globalThis.crypto.getRandomValues(new Uint8Array(length)))

/**
 * SHA-256 of the UTF-8 text, as lowercase hex. Computed by the pure implementation in
 * `sha256.ts`: for a key-sized input it is several times faster than the asynchronous
 * `crypto.subtle.digest` round trip, which matters because every request verifies a key.
 */
export const sha256Hex = (text: string): Effect.Effect<string> => Effect.sync(() => toHex(sha256(text)))

/** Compares two strings in time that depends only on their lengths (for hashes of equal length). */
export const timingSafeEqual = (a: string, b: string): boolean => {
  let diff = a.length ^ b.length
  const length = Math.max(a.length, b.length)
  for (let i = 0; i < length; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0)
  return diff === 0
}

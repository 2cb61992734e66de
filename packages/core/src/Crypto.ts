/**
 * The one place the core touches cryptography, all of it through Effect's `effect/crypto`
 * services so the host's platform layer chooses the implementation: `Digest` (the SHA-256 API-key
 * hash), `Mac` (HMAC-SHA-256 cursor signatures) and `SecureRandom` (ids and secrets). On Node,
 * `NodeCrypto.layerDigest`, `NodeCrypto.layerMac` and `NodeCrypto.layerSecureRandom` from
 * `@effect/platform-node` supply them; anywhere, {@link layerWebCrypto}. Secrets are compared with
 * the one constant-time comparison, {@link constantTimeEquals}.
 */
import * as Digest from "effect/crypto/Digest"
import * as Mac from "effect/crypto/Mac"
import * as SecureRandom from "effect/crypto/SecureRandom"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** The crypto services the core's services require. */
export type Services = Digest.Digest | Mac.Mac | SecureRandom.SecureRandom

/** Every service on the runtime's Web Crypto (`globalThis.crypto`): Node, Bun, Deno, browsers. */
export const layerWebCrypto: Layer.Layer<Services> = Layer.mergeAll(Digest.layerWebCrypto, Mac.layerWebCrypto).pipe(
  Layer.provideMerge(SecureRandom.layerWebCrypto)
)

const encoder = new TextEncoder()

/** UTF-8 bytes of a string. */
const utf8 = (text: string): Uint8Array => encoder.encode(text)

/** A random RFC 4122 v4 UUID. */
export const randomUUID: Effect.Effect<string, never, SecureRandom.SecureRandom> = SecureRandom.SecureRandom.use((
  random
) => random.uuidV4())

/** `length` cryptographically random bytes. */
export const randomBytes = (length: number): Effect.Effect<Uint8Array, never, SecureRandom.SecureRandom> =>
  SecureRandom.SecureRandom.use((random) => random.randomBytes(length))

/** SHA-256 of the UTF-8 text, as lowercase hex: how API keys are stored and looked up. */
export const sha256Hex = (text: string): Effect.Effect<string, never, Digest.Digest> =>
  Digest.Digest.use((digest) => digest.digestHex(Digest.sha256, utf8(text)))

// Imported HMAC keys by secret. Secrets are few (the platforms' own and one fallback per service
// instance); importing a key is cheap but not free, so each is kept. The bound is a guess, far above
// the secrets a process signs with in practice, that only stops a runaway from growing the map.
const macKeysKept = 64
const macKeys = new Map<string, Mac.Key<typeof Mac.hmacSha256>>()

const macKeyOf = (secret: string): Effect.Effect<Mac.Key<typeof Mac.hmacSha256>> => {
  const cached = macKeys.get(secret)
  if (cached !== undefined) return Effect.succeed(cached)
  return Mac.key(Mac.hmacSha256, utf8(secret)).pipe(
    Effect.tap((key) => Effect.sync(() => macKeys.size < macKeysKept && macKeys.set(secret, key))),
    Effect.orDie
  )
}

/** HMAC-SHA-256 of the UTF-8 `data` under the UTF-8 `secret` (how cursors are signed). A secret must not be empty. */
export const hmacSha256 = (secret: string, data: string): Effect.Effect<Uint8Array, never, Mac.Mac> =>
  Effect.flatMap(macKeyOf(secret), (key) => Mac.Mac.use((mac) => Effect.orDie(mac.sign(key, utf8(data)))))

/** The core's crypto operations bound to the services present when a layer is built. */
export interface Bound {
  readonly randomUUID: Effect.Effect<string>
  readonly randomBytes: (length: number) => Effect.Effect<Uint8Array>
  readonly sha256Hex: (text: string) => Effect.Effect<string>
  readonly mac: Mac.Mac["Service"]
}

/** Reads the crypto services once (at layer construction), so the service methods require none. */
export const bind: Effect.Effect<Bound, never, Services> = Effect.gen(function*() {
  const digest = yield* Digest.Digest
  const random = yield* SecureRandom.SecureRandom
  const mac = yield* Mac.Mac
  return {
    randomUUID: random.uuidV4(),
    randomBytes: (length) => random.randomBytes(length),
    sha256Hex: (text) => digest.digestHex(Digest.sha256, utf8(text)),
    mac
  }
})

/**
 * Compares two byte strings, or two strings, in time that depends only on their lengths (for
 * hashes and tags of equal length): the one comparison of secrets in the core.
 */
export const constantTimeEquals = (a: Uint8Array | string, b: Uint8Array | string): boolean => {
  const x = typeof a === "string" ? utf8(a) : a
  const y = typeof b === "string" ? utf8(b) : b
  let diff = x.length ^ y.length
  const length = Math.max(x.length, y.length)
  for (let i = 0; i < length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}

/**
 * The cryptography the services need, as Effect services (`effect/crypto`): `Digest` (the
 * SHA-256 API-key hash), `Mac` (HMAC-SHA-256 cursor signatures) and `SecureRandom` (ids and
 * secrets). The host's platform layer supplies them — on Node, `NodeCrypto.layerDigest`,
 * `NodeCrypto.layerMac` and `NodeCrypto.layerSecureRandom` from `@effect/platform-node`; anywhere,
 * {@link layerWebCrypto}.
 *
 * @since 0.2.0
 */
import * as Digest from "effect/crypto/Digest"
import * as Mac from "effect/crypto/Mac"
import * as SecureRandom from "effect/crypto/SecureRandom"
import * as Layer from "effect/Layer"

/** The crypto services the core's services require. @since 0.2.0 */
export type Services = Digest.Digest | Mac.Mac | SecureRandom.SecureRandom

/** Every service on the runtime's Web Crypto (`globalThis.crypto`): Node, Bun, Deno, browsers. @since 0.2.0 */
export const layerWebCrypto: Layer.Layer<Services> = Layer.mergeAll(Digest.layerWebCrypto, Mac.layerWebCrypto).pipe(
  Layer.provideMerge(SecureRandom.layerWebCrypto)
)

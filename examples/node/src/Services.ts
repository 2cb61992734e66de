/**
 * Wiring: the core services over the chosen store, with the options read from the environment and
 * Node's crypto (`node:crypto`) for what the core hashes, signs and generates; requests are
 * authenticated by the platform API keys, with this server's CLI hint on a key it does not know.
 */
import {
  ApiKeys,
  ChangeFeed,
  CredentialVerifier,
  Live,
  Platforms,
  ScimError,
  ScimOptions,
  type Stores
} from "@scimkit/core"
import * as NodeCrypto from "@effect/platform-node/NodeCrypto"
import { ScimHttpOptions } from "@scimkit/http"
import type * as Digest from "effect/crypto/Digest"
import type * as Mac from "effect/crypto/Mac"
import * as SecureRandom from "effect/crypto/SecureRandom"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as NodeCryptoApi from "node:crypto"
import { basePath, type CommonSettings, type ServerSettings } from "./Settings.js"
import * as Store from "./Store.js"

const optionsOf = (settings: CommonSettings) => ({
  maxResults: settings.maxResults,
  defaultCount: Math.min(ScimOptions.defaults.defaultCount, settings.maxResults),
  defaultProjectRole: settings.defaultProjectRole
})

/** The core's options from the settings. */
export const options = (settings: CommonSettings): Layer.Layer<ScimOptions.ScimOptions> =>
  ScimOptions.layer(optionsOf(settings))

/**
 * The crypto the core services require, from `node:crypto`: SHA-256 digests (key hashes), HMACs
 * (cursors) and secure random bytes (ids, secrets).
 */
export const crypto: Layer.Layer<Digest.Digest | Mac.Mac | SecureRandom.SecureRandom> = Layer.mergeAll(
  NodeCrypto.layerDigest,
  NodeCrypto.layerMac,
  Layer.sync(SecureRandom.SecureRandom, () => SecureRandom.make(pooledRandomBytes()))
)

/**
 * Secure random bytes drawn from a 4 KiB buffer that `node:crypto` refills, as Node's own
 * `randomUUID` does: one OpenSSL call per 256 UUIDs instead of one per UUID (`POST /Users` makes
 * one for the new id; the per-call fill showed as 2.7 % of a POST in a CPU profile).
 */
const pooledRandomBytes = (): (size: number) => Uint8Array => {
  const pool = new Uint8Array(4096)
  let offset = pool.length
  return (size) => {
    if (size > 256) return NodeCryptoApi.randomBytes(size)
    if (offset + size > pool.length) {
      NodeCryptoApi.randomFillSync(pool)
      offset = 0
    }
    const bytes = pool.slice(offset, offset + size)
    offset += size
    return bytes
  }
}

/** What the CLI needs: platforms, keys and the change feed (the audit log), plus the stores (to show owners). */
export const cli = (
  settings: CommonSettings,
  open: Store.OpenOptions = {}
): Layer.Layer<
  Platforms.Platforms | ApiKeys.ApiKeys | ChangeFeed.ChangeFeed | ScimOptions.ScimOptions | Stores.Stores,
  ScimError.StoreError
> =>
  Layer.mergeAll(Platforms.layer, ApiKeys.layer, ChangeFeed.layer).pipe(
    Layer.provideMerge(options(settings)),
    Layer.provide(crypto),
    Layer.provideMerge(Store.layer(settings.store, open))
  )

/**
 * The 401 of a key the platform API keys do not know (or that was revoked): the library's answer
 * plus how to get a key from this server's CLI.
 */
export const unknownKey: ScimError.Unauthorized = new ScimError.Unauthorized({
  detail: "The API key is unknown or revoked; create one with `pnpm scimkit keys create --platform <id or name>` " +
    "and send it as `Authorization: Bearer sk-…`"
})

/** The platform API keys (`ApiKeys.layerVerifier`), answering {@link unknownKey} for a key they refuse. */
export const verifier: Layer.Layer<CredentialVerifier.CredentialVerifier, never, ApiKeys.ApiKeys> = Layer.effect(
  CredentialVerifier.CredentialVerifier,
  Effect.map(CredentialVerifier.CredentialVerifier, (keys) =>
    CredentialVerifier.CredentialVerifier.of({
      verify: (credentials) => Effect.catchTag(keys.verify(credentials), "Unauthorized", () => Effect.fail(unknownKey))
    }))
).pipe(Layer.provide(ApiKeys.layerVerifier))

/**
 * What the server needs: every core service over the store, the key verifier, and the HTTP options;
 * with the stores (readiness checks them; the webhook worker reads the feed and records deliveries)
 * and the crypto services (it signs) for the server's own workers.
 */
export const server = (
  settings: ServerSettings
): Layer.Layer<
  | Live.Services
  | CredentialVerifier.CredentialVerifier
  | ScimOptions.ScimOptions
  | ScimHttpOptions.ScimHttpOptions
  | Stores.Stores
  | Digest.Digest
  | Mac.Mac
  | SecureRandom.SecureRandom,
  ScimError.StoreError
> =>
  Layer.mergeAll(
    verifier.pipe(Layer.provideMerge(Live.layer)).pipe(
      Layer.provideMerge(
        ScimOptions.layer({
          ...optionsOf(settings),
          credentialCacheTtl: Duration.seconds(settings.credentialCacheTtl),
          eventRetention: settings.eventRetention
        })
      ),
      Layer.provideMerge(crypto),
      Layer.provideMerge(Store.layer(settings.store))
    ),
    ScimHttpOptions.layer({
      basePath,
      trustProxy: settings.trustProxy,
      publicUrl: settings.publicUrl,
      rateLimit: settings.rateLimit
    })
  )

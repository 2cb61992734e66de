/**
 * API keys: random secrets shown once, stored as a SHA-256 hash, compared in constant time, each
 * carrying the platform it belongs to. A verified key is kept for `ScimOptions.credentialCacheTtl`
 * (keyed by the secret, in this process only), so a request costs no hash and no store read;
 * revoking or rotating through this service drops it at once, and the last use is written at most
 * once per {@link touchInterval} per key. {@link layerVerifier} makes them the `CredentialVerifier`
 * of the HTTP app (the default).
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { ApiKeyId, type PlatformId, type StoredApiKey } from "../domain/Model.js"
import { type CoreError, InvalidValue, type StoreError, Unauthorized } from "../errors/ScimError.js"
import * as Cache from "../internal/service/cache.js"
import * as Keys from "../internal/service/keys.js"
import { ApiKeyStore } from "../ports/ApiKeyStore.js"
import { CredentialVerifier } from "../ports/CredentialVerifier.js"
import { PlatformStore } from "../ports/PlatformStore.js"
import { Transactions } from "../ports/Transactions.js"
import * as Crypto from "../Crypto.js"
import { ScimOptions } from "../ScimOptions.js"

/** A freshly created key: the secret is shown here once and never again. */
export interface CreatedApiKey {
  readonly key: StoredApiKey
  readonly secret: string
}

export interface ApiKeysApi {
  readonly create: (platform: PlatformId, name: string) => Effect.Effect<CreatedApiKey, CoreError>
  /** Makes exactly `secret` a valid key of the platform (idempotent), for `SCIMKIT_BOOTSTRAP_KEY`. */
  readonly ensure: (platform: PlatformId, secret: string, name: string) => Effect.Effect<StoredApiKey, CoreError>
  readonly list: (platform: PlatformId) => Effect.Effect<ReadonlyArray<StoredApiKey>, CoreError>
  /** Marks the key revoked (idempotent); it stops working at once in this process. */
  readonly revoke: (id: string) => Effect.Effect<StoredApiKey, CoreError>
  /**
   * A new secret under the same name on the same platform, and the old key revoked, in one unit:
   * the new key works and the old one is dead as soon as this succeeds. A revoked key cannot be
   * rotated (`InvalidValue`): create a new one.
   */
  readonly rotate: (id: string) => Effect.Effect<CreatedApiKey, CoreError>
  /** Hash lookup and constant-time compare; unknown or revoked keys fail with `Unauthorized`. */
  readonly verify: (secret: string) => Effect.Effect<StoredApiKey, Unauthorized | StoreError>
}

/** The platforms' API keys: the key of the service. */
export class ApiKeys extends Context.Service<ApiKeys, ApiKeysApi>()("@scimkit/core/ApiKeys") {}

/**
 * How stale `lastUsed` may get before a verification records the use again: a guess, fine enough
 * for an operator asking "is this key still used?" (`scimkit keys list`) while a busy IdP
 * connection costs one store write a minute instead of one per request.
 */
export const touchInterval: Duration.Duration = Duration.minutes(1)

/**
 * Most verified keys kept at once: a guess, far more than the keys of all platforms of one
 * deployment (one or two per IdP connection) and small in memory (a key record each), so only a
 * flood of distinct valid keys ever evicts one.
 */
export const cacheCapacity = 10_000

/** A verified key and when this process last recorded its use. */
interface Verified {
  readonly key: StoredApiKey
  recordedAt: number
}

/** The answer to every key that does not verify: the same for unknown, revoked and malformed ones. */
export const unauthorized: Unauthorized = new Unauthorized({
  detail: "The API key is unknown or revoked; send a valid key of the platform as `Authorization: Bearer sk-…`"
})

export const make: Effect.Effect<
  ApiKeysApi,
  never,
  ApiKeyStore | PlatformStore | Transactions | ScimOptions | Crypto.Services
> = Effect.gen(function*() {
  const store = yield* ApiKeyStore
  const platforms = yield* PlatformStore
  const transactions = yield* Transactions
  const options = yield* ScimOptions
  const crypto = yield* Crypto.bind
  const verified = Cache.make<string, Verified>(Duration.toMillis(options.credentialCacheTtl), cacheCapacity)
  const touchMillis = Duration.toMillis(touchInterval)

  const create = Effect.fn("ApiKeys.create")(function*(platform: PlatformId, name: string) {
    const label = yield* Keys.validateName(name)
    yield* platforms.get(platform)
    const secret = yield* Keys.generateSecret(crypto)
    const key = yield* store.insert(yield* Keys.storedKey(crypto, platform, label, secret))
    return { key, secret }
  })

  const ensure = Effect.fn("ApiKeys.ensure")(function*(platform: PlatformId, secret: string, name: string) {
    const label = yield* Keys.validateName(name)
    yield* Keys.validateSecret(secret)
    yield* platforms.get(platform)
    const hash = yield* crypto.sha256Hex(secret)
    const accept = (key: StoredApiKey): Effect.Effect<StoredApiKey, InvalidValue> => {
      if (key.platform !== platform) {
        return Effect.fail(
          new InvalidValue({
            attribute: "secret",
            detail:
              `This secret is already a key of another platform (key ${key.id}); choose a different secret for platform ${platform}`
          })
        )
      }
      if (Option.isSome(key.revoked)) {
        return Effect.fail(
          new InvalidValue({
            attribute: "secret",
            detail: `This secret belongs to key ${key.id}, which was revoked on ${
              DateTime.formatIso(key.revoked.value)
            }; a revoked secret never becomes valid again, so configure a new one`
          })
        )
      }
      return Effect.succeed(key)
    }
    const existing = yield* store.findByHash(hash)
    if (Option.isSome(existing)) return yield* accept(existing.value)
    // another process may store the same secret at the same moment (nodes sharing SCIMKIT_BOOTSTRAP_KEY):
    // when the insert fails, the key it raced with is read back and checked like an existing one
    return yield* store.insert(yield* Keys.storedKey(crypto, platform, label, secret)).pipe(
      Effect.catchTag("StoreError", (error) =>
        Effect.flatMap(
          store.findByHash(hash),
          (raced): Effect.Effect<StoredApiKey, InvalidValue | StoreError> =>
            Option.isSome(raced) ? accept(raced.value) : Effect.fail(error)
        ))
    )
  })

  const list = Effect.fn("ApiKeys.list")(function*(platform: PlatformId) {
    return yield* store.list(platform)
  })

  const revoke = Effect.fn("ApiKeys.revoke")(function*(id: string) {
    const now = yield* DateTime.now
    const key = yield* store.revoke(ApiKeyId.make(id), now)
    verified.deleteWhere((entry) => entry.key.id === key.id)
    return key
  })

  const rotate = Effect.fn("ApiKeys.rotate")(function*(id: string) {
    const old = yield* store.get(ApiKeyId.make(id))
    if (Option.isSome(old.revoked)) {
      return yield* new InvalidValue({
        attribute: "id",
        detail: `Key ${old.id} ("${old.name}") was revoked on ${
          DateTime.formatIso(old.revoked.value)
        }, so there is nothing to rotate; create a new key for platform ${old.platform} instead`
      })
    }
    const secret = yield* Keys.generateSecret(crypto)
    const fresh = yield* Keys.storedKey(crypto, old.platform, old.name, secret)
    const now = yield* DateTime.now
    const key = yield* transactions.run(Effect.gen(function*() {
      const inserted = yield* store.insert(fresh)
      yield* store.revoke(old.id, now)
      return inserted
    }))
    verified.deleteWhere((entry) => entry.key.id === old.id)
    return { key, secret }
  })

  /** Records the use in the background (never failing or delaying the request), at most once per `touchInterval`. */
  const recordUse = (entry: Verified, now: number): Effect.Effect<void> => {
    if (now - entry.recordedAt < touchMillis) return Effect.void
    entry.recordedAt = now
    return store.touch(entry.key.id, DateTime.makeUnsafe(now)).pipe(
      Effect.catchCause((cause) => Effect.logWarning("Could not record the API key's last use", cause)),
      Effect.annotateLogs({ apiKey: entry.key.id }),
      Effect.forkDetach,
      Effect.asVoid
    )
  }

  const lookup = (secret: string, now: number) =>
    Effect.gen(function*() {
      const hash = yield* crypto.sha256Hex(secret)
      const found = yield* store.findByHash(hash)
      if (Option.isNone(found)) return yield* unauthorized
      const key = found.value
      if (!Crypto.constantTimeEquals(key.hash, hash) || Option.isSome(key.revoked)) return yield* unauthorized
      const entry: Verified = {
        key,
        recordedAt: Option.match(key.lastUsed, { onNone: () => -Infinity, onSome: DateTime.toEpochMillis })
      }
      verified.set(secret, entry, now)
      return entry
    })

  const verify = (secret: string): Effect.Effect<StoredApiKey, Unauthorized | StoreError> => {
    if (!secret.startsWith(Keys.secretPrefix)) return Effect.fail(unauthorized)
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const cached = verified.get(secret, now)
      return cached !== undefined
        ? Effect.as(recordUse(cached, now), cached.key)
        : Effect.flatMap(lookup(secret, now), (entry) => Effect.as(recordUse(entry, now), entry.key))
    })
  }

  return { create, ensure, list, revoke, rotate, verify }
})

export const layer: Layer.Layer<
  ApiKeys,
  never,
  ApiKeyStore | PlatformStore | Transactions | ScimOptions | Crypto.Services
> = Layer.effect(ApiKeys, make)

/**
 * The platform API keys as the `CredentialVerifier`: a request's bearer token is one of the keys
 * {@link ApiKeys} created, and acts for the key's platform; the key's id (never its secret) names
 * the credential in the change feed. The default of every HTTP host.
 */
export const layerVerifier: Layer.Layer<CredentialVerifier, never, ApiKeys> = Layer.effect(
  CredentialVerifier,
  Effect.map(ApiKeys, (keys) =>
    CredentialVerifier.of({
      verify: (credentials) =>
        Effect.map(keys.verify(credentials.token), (key) => ({ platform: key.platform, credential: key.id }))
    }))
)

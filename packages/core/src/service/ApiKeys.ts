/**
 * API keys: random secrets shown once, stored as a SHA-256 hash, compared in constant time, each
 * carrying the platform it belongs to. A verified key is kept for `ScimOptions.credentialCacheTtl`
 * (keyed by the secret, in this process only), so a request costs no hash and no store read;
 * revoking through this service drops it at once, and the last use is written at most once per
 * {@link touchInterval} per key.
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
import { PlatformStore } from "../ports/PlatformStore.js"
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
  readonly revoke: (id: string) => Effect.Effect<StoredApiKey, CoreError>
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

const unauthorized = new Unauthorized({
  detail: "The API key is unknown or revoked; create one with `pnpm scimkit keys create --platform <id or name>` " +
    "and send it as `Authorization: Bearer sk-…`"
})

export const make: Effect.Effect<ApiKeysApi, never, ApiKeyStore | PlatformStore | ScimOptions | Crypto.Services> =
  Effect.gen(function*() {
    const store = yield* ApiKeyStore
    const platforms = yield* PlatformStore
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
      const existing = yield* store.findByHash(yield* crypto.sha256Hex(secret))
      if (Option.isNone(existing)) return yield* store.insert(yield* Keys.storedKey(crypto, platform, label, secret))
      const key = existing.value
      if (key.platform !== platform) {
        return yield* new InvalidValue({
          attribute: "secret",
          detail:
            `This secret is already a key of another platform (key ${key.id}); choose a different secret for platform ${platform}`
        })
      }
      if (Option.isSome(key.revoked)) {
        return yield* new InvalidValue({
          attribute: "secret",
          detail:
            `This secret belongs to key ${key.id}, which was revoked on ${DateTime.formatIso(key.revoked.value)}; ` +
            `a revoked secret never becomes valid again, so configure a new one`
        })
      }
      return key
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

    return { create, ensure, list, revoke, verify }
  })

export const layer: Layer.Layer<ApiKeys, never, ApiKeyStore | PlatformStore | ScimOptions | Crypto.Services> = Layer
  .effect(ApiKeys, make)

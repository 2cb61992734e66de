/**
 * API keys: random secrets shown once, stored as a SHA-256 hash, compared in constant time, each
 * carrying the platform it belongs to.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { ApiKeyId, type PlatformId, type StoredApiKey } from "../domain/Model.js"
import { InvalidValue, Unauthorized } from "../errors/ScimError.js"
import * as Keys from "../internal/serviceKeys.js"
import * as Crypto from "../internal/crypto.js"
import { ApiKeyStore, PlatformStore } from "../ports/ApiKeyStore.js"
import { ApiKeys } from "./Services.js"
import type { ApiKeysApi } from "./Types.js"

/** How stale `lastUsed` may get before a verification records the use again. @since 0.1.0 */
export const touchInterval: Duration.Duration = Duration.minutes(1)

const unauthorized = new Unauthorized({
  detail: "The API key is unknown or revoked; create one with `pnpm scimkit keys create --platform <id or name>` " +
    "and send it as `Authorization: Bearer sk-…`"
})

/** @since 0.1.0 */
export const make: Effect.Effect<ApiKeysApi, never, ApiKeyStore | PlatformStore | Crypto.Services> = Effect.gen(function*() {
  const store = yield* ApiKeyStore
  const platforms = yield* PlatformStore
  const crypto = yield* Crypto.bind

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
        detail: `This secret is already a key of another platform (key ${key.id}); choose a different secret for platform ${platform}`
      })
    }
    if (Option.isSome(key.revoked)) {
      return yield* new InvalidValue({
        attribute: "secret",
        detail: `This secret belongs to key ${key.id}, which was revoked on ${DateTime.formatIso(key.revoked.value)}; ` +
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
    return yield* store.revoke(ApiKeyId.make(id), now)
  })

  const recordUse = (key: StoredApiKey, now: DateTime.Utc): Effect.Effect<void> => {
    const stale = Option.match(key.lastUsed, {
      onNone: () => true,
      onSome: (last) => Duration.isGreaterThanOrEqualTo(DateTime.distance(last, now), touchInterval)
    })
    if (!stale) return Effect.void
    return store.touch(key.id, now).pipe(
      Effect.catchCause((cause) => Effect.logWarning("Could not record the API key's last use", cause)),
      Effect.annotateLogs({ apiKey: key.id }),
      Effect.forkDetach,
      Effect.asVoid
    )
  }

  const verify = Effect.fn("ApiKeys.verify")(function*(secret: string) {
    if (!secret.startsWith(Keys.secretPrefix)) return yield* unauthorized
    const hash = yield* crypto.sha256Hex(secret)
    const found = yield* store.findByHash(hash)
    if (Option.isNone(found)) return yield* unauthorized
    const key = found.value
    if (!Crypto.constantTimeEquals(key.hash, hash) || Option.isSome(key.revoked)) return yield* unauthorized
    yield* recordUse(key, yield* DateTime.now)
    return key
  })

  return { create, ensure, list, revoke, verify }
})

/** @since 0.1.0 */
export const layer: Layer.Layer<ApiKeys, never, ApiKeyStore | PlatformStore | Crypto.Services> = Layer.effect(ApiKeys, make)

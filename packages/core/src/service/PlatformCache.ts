/**
 * The platform's settings (compatibility profile, owner, cursor secret, externalId rule) as the
 * services read them: `PlatformStore.get` answered from memory for `ScimOptions.credentialCacheTtl`
 * after the first read, so a write or a list does not pay a store round trip for them. Writes
 * through this process replace the cached value at once; another process sharing the store is seen
 * within the ttl. The uniqueness rules themselves are enforced by the store, never from this cache.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Platform, PlatformId } from "../domain/Model.js"
import * as Cache from "../internal/service/cache.js"
import { PlatformStore } from "../ports/PlatformStore.js"
import { ScimOptions } from "../ScimOptions.js"

/**
 * Most platforms kept at once: a guess, above the platforms of any one deployment so far (one per
 * customer organisation), so a platform's settings are evicted only by their ttl.
 */
export const capacity = 10_000

/** `store` with `get` cached for `ttl`. */
export const make = (store: PlatformStore["Service"], ttl: Duration.Duration): PlatformStore["Service"] => {
  const cache = Cache.make<PlatformId, Platform>(Duration.toMillis(ttl), capacity)
  const remember = (platform: Platform) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      cache.set(platform.id, platform, now)
      return platform
    })
  return PlatformStore.of({
    ...store,
    get: (id) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const cached = cache.get(id, now)
        return cached !== undefined ? Effect.succeed(cached) : Effect.flatMap(store.get(id), remember)
      }),
    insert: (platform) => Effect.flatMap(store.insert(platform), remember),
    update: (platform) =>
      store.update(platform).pipe(
        Effect.tapError(() => Effect.sync(() => cache.delete(platform.id))),
        Effect.flatMap(remember)
      )
  })
}

/**
 * Replaces the `PlatformStore` the services see with the cached one. `Live.layer` applies it, so
 * every service of one runtime shares one cache.
 */
export const layer: Layer.Layer<PlatformStore, never, PlatformStore | ScimOptions> = Layer.effect(
  PlatformStore,
  Effect.gen(function*() {
    const store = yield* PlatformStore
    const options = yield* ScimOptions
    return make(store, options.credentialCacheTtl)
  })
)

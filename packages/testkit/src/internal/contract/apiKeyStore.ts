/** The ApiKeyStore contract: lookups by id and hash, listing per platform, revoke and touch. */
import { assert } from "@effect/vitest"
import { ApiKeyStore, Model } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { at, freshPlatform, unique } from "./fixtures.js"
import type { It } from "./harness.js"

const key = (platform: Model.PlatformId, minute: number): Model.StoredApiKey =>
  new Model.StoredApiKey({
    id: Model.ApiKeyId.make(unique("key")),
    platform,
    name: `key ${minute}`,
    hash: unique("hash"),
    prefix: "sk-abc",
    created: at(minute),
    lastUsed: Option.none(),
    revoked: Option.none()
  })

/** The ApiKeyStore tests. */
export const apiKeyStore = (it: It): void => {
  it.effect("insert, get, findByHash and list (oldest first, own platform only)", () =>
    Effect.gen(function*() {
      const keys = yield* ApiKeyStore.ApiKeyStore
      const p = freshPlatform()
      const other = freshPlatform()
      const k2 = yield* keys.insert(key(p, 2))
      const k1 = yield* keys.insert(key(p, 1))
      yield* keys.insert(key(other, 0))
      assert.deepStrictEqual(yield* keys.get(k1.id), k1)
      assert.deepStrictEqual(yield* keys.findByHash(k2.hash), Option.some(k2))
      assert.deepStrictEqual(yield* keys.findByHash(unique("nohash")), Option.none())
      assert.deepStrictEqual(yield* keys.list(p), [k1, k2])
      assert.strictEqual((yield* Effect.flip(keys.get(Model.ApiKeyId.make(unique("nokey")))))._tag, "ResourceNotFound")
    }))

  it.effect("revoke is idempotent and keeps the first time; touch records the last use", () =>
    Effect.gen(function*() {
      const keys = yield* ApiKeyStore.ApiKeyStore
      const p = freshPlatform()
      const k = yield* keys.insert(key(p, 0))
      const revoked = yield* keys.revoke(k.id, at(10))
      assert.deepStrictEqual(revoked.revoked, Option.some(at(10)))
      const again = yield* keys.revoke(k.id, at(20))
      assert.deepStrictEqual(again.revoked, Option.some(at(10)))
      yield* keys.touch(k.id, at(30))
      const touched = yield* keys.get(k.id)
      assert.deepStrictEqual(touched.lastUsed, Option.some(at(30)))
      assert.deepStrictEqual(touched.revoked, Option.some(at(10)))
      assert.strictEqual(
        (yield* Effect.flip(keys.revoke(Model.ApiKeyId.make(unique("nokey")), at(1))))._tag,
        "ResourceNotFound"
      )
    }))
}

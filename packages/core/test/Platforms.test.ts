import { assert, describe, it } from "@effect/vitest"
import { StoreMemory } from "@scimkit/store-memory"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Crypto from "../src/Crypto.js"
import { PlatformId } from "../src/domain/Model.js"
import { UserStore } from "../src/ports/UserStore.js"
import { CustomUserAttributesUrn } from "../src/schema/Schemas.js"
import * as ScimOptions from "../src/ScimOptions.js"
import * as ApiKeys from "../src/service/ApiKeys.js"
import * as Platforms from "../src/service/Platforms.js"

const TestLayer = Layer.mergeAll(ApiKeys.layer, Platforms.layer).pipe(
  Layer.provide(Crypto.layerWebCrypto),
  Layer.provideMerge(StoreMemory.layer),
  Layer.provideMerge(ScimOptions.layer({ compatibility: "entra" }))
)

describe("Platforms", () => {
  it.layer(TestLayer)((it) => {
    it.effect("create makes the platform, an active ADMIN owner whose userName is the email, and a working first key", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        const created = yield* platforms.create("Acme", "Ada@Acme.example")
        assert.strictEqual(created.platform.name, "Acme")
        assert.strictEqual(created.platform.compatibility, "entra")
        assert.deepStrictEqual(created.platform.ownerId, Option.some(created.owner.id))
        assert.strictEqual(created.owner.userName, "Ada@Acme.example")
        assert.strictEqual(created.owner.platformRole, "ADMIN")
        assert.isTrue(created.owner.active)
        assert.deepStrictEqual(created.owner.document.emails, [{
          value: "Ada@Acme.example",
          primary: true,
          type: "work"
        }])
        assert.deepStrictEqual(created.owner.document[CustomUserAttributesUrn], { platformRole: "ADMIN" })
        const stored = yield* (yield* UserStore).get(created.platform.id, created.owner.id)
        assert.strictEqual(stored.userName, "Ada@Acme.example")
        const key = yield* (yield* ApiKeys.ApiKeys).verify(created.key.secret)
        assert.strictEqual(key.platform, created.platform.id)
      }))

    it.effect("names are unique, compared case-insensitively, and nothing of the failed attempt remains", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        yield* platforms.create("Globex", "hank@globex.example")
        const before = (yield* platforms.list()).length
        const error = yield* Effect.flip(platforms.create("GLOBEX", "other@globex.example"))
        assert.strictEqual(error._tag, "Uniqueness")
        assert.strictEqual((yield* platforms.list()).length, before)
      }))

    it.effect("find resolves an id or a name (case-insensitively); unknown is ResourceNotFound", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        const { platform } = yield* platforms.create("Initech", "peter@initech.example")
        assert.strictEqual((yield* platforms.find(platform.id)).id, platform.id)
        assert.strictEqual((yield* platforms.find("initech")).id, platform.id)
        assert.strictEqual((yield* platforms.get(platform.id)).name, "Initech")
        const error = yield* Effect.flip(platforms.find("Umbrella"))
        assert.strictEqual(error._tag, "ResourceNotFound")
        assert.strictEqual((yield* Effect.flip(platforms.get(PlatformId.make("nope"))))._tag, "ResourceNotFound")
      }))

    it.effect("rejects an empty name and an owner email that is not one", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        assert.strictEqual((yield* Effect.flip(platforms.create("  ", "a@b.example")))._tag, "InvalidValue")
        const error = yield* Effect.flip(platforms.create("Hooli", "gavin"))
        assert.strictEqual(error._tag, "InvalidValue")
        if (error._tag === "InvalidValue") assert.include(error.detail, "userName")
      }))
  })
})

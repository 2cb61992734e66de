import { assert, describe, it } from "@effect/vitest"
import { StoreMemory } from "@scimkit/store-memory"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Crypto from "../src/Crypto.js"
import { PlatformId } from "../src/domain/Model.js"
import { EventStore } from "../src/ports/EventStore.js"
import { UserStore } from "../src/ports/UserStore.js"
import { CustomUserAttributesUrn, UserUrn } from "../src/schema/Schemas.js"
import * as ScimOptions from "../src/ScimOptions.js"
import * as ApiKeys from "../src/service/ApiKeys.js"
import * as Live from "../src/service/Live.js"
import * as Platforms from "../src/service/Platforms.js"
import * as Users from "../src/service/Users.js"

const TestLayer = Live.layer.pipe(
  Layer.provide(Crypto.layerWebCrypto),
  Layer.provideMerge(StoreMemory.layer),
  Layer.provideMerge(ScimOptions.layer({ compatibility: "entra" }))
)

const baseUrl = "https://scim.example/scim/v2"
const none = Option.none<string>()

const userBody = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [UserUrn],
  userName,
  ...extra
})

describe("Platforms", () => {
  it.layer(TestLayer)((it) => {
    it.effect("the owner made by create and the promotion by transferOwnership are in the change feed, as the system's", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        const events = yield* EventStore
        const from = yield* events.latest
        const created = yield* platforms.create({ name: "Feed Inc", ownerEmail: "owner@feed.example" })
        const scope = { platform: created.platform.id, baseUrl }
        const member = yield* (yield* Users.Users).create(scope, userBody("member@feed.example"))
        yield* platforms.transferOwnership(created.platform.id, String(member.resource.id))
        const feed = yield* events.read({ after: from, limit: 100, platform: created.platform.id })
        assert.deepStrictEqual(feed.map((e) => [e.type, e.resourceId]), [
          ["user.created", Option.getOrThrow(created.owner).id],
          ["user.created", String(member.resource.id)],
          ["user.updated", String(member.resource.id)],
          ["user.platformRoleChanged", String(member.resource.id)]
        ])
        assert.deepStrictEqual(feed[3]!.changed, [`${CustomUserAttributesUrn}:platformRole`])
        assert.isTrue(Option.isNone(feed[0]!.actor.credential))
      }))

    it.effect("create with ownerEmail makes the platform, an active ADMIN owner whose userName is the email, and a working first key", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        const created = yield* platforms.create({ name: "Acme", ownerEmail: "Ada@Acme.example" })
        const owner = Option.getOrThrow(created.owner)
        assert.strictEqual(created.platform.name, "Acme")
        assert.strictEqual(created.platform.compatibility, "entra")
        assert.deepStrictEqual(created.platform.ownerId, Option.some(owner.id))
        assert.strictEqual(owner.userName, "Ada@Acme.example")
        assert.strictEqual(owner.platformRole, "ADMIN")
        assert.isTrue(owner.active)
        assert.deepStrictEqual(owner.document.emails, [{ value: "Ada@Acme.example", primary: true, type: "work" }])
        assert.deepStrictEqual(owner.document[CustomUserAttributesUrn], { platformRole: "ADMIN" })
        const stored = yield* (yield* UserStore).get(created.platform.id, owner.id)
        assert.strictEqual(stored.userName, "Ada@Acme.example")
        const key = yield* (yield* ApiKeys.ApiKeys).verify(created.key.secret)
        assert.strictEqual(key.platform, created.platform.id)
      }))

    it.effect("without ownerEmail the platform has no owner and no user, and its key works", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        const created = yield* platforms.create({ name: "Ownerless" })
        assert.isTrue(Option.isNone(created.owner))
        assert.isTrue(Option.isNone(created.platform.ownerId))
        assert.isTrue(Option.isNone((yield* platforms.get(created.platform.id)).ownerId))
        const scope = { platform: created.platform.id, baseUrl }
        assert.strictEqual((yield* (yield* Users.Users).list(scope, {})).totalResults, 0)
        assert.strictEqual((yield* (yield* ApiKeys.ApiKeys).verify(created.key.secret)).platform, created.platform.id)
      }))

    it.effect("create takes the host's own id as is; ids are unique and nothing of the failed attempt remains", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        const created = yield* platforms.create({ name: "Tenant 42", id: "org_42/eu" })
        assert.strictEqual(created.platform.id, "org_42/eu")
        assert.strictEqual(created.key.key.platform, "org_42/eu")
        assert.strictEqual((yield* platforms.find("org_42/eu")).name, "Tenant 42")
        const before = (yield* platforms.list()).length
        const error = yield* Effect.flip(
          platforms.create({ name: "Another", id: "org_42/eu", ownerEmail: "a@b.example" })
        )
        assert.strictEqual(error._tag, "Uniqueness")
        if (error._tag === "Uniqueness") {
          assert.strictEqual(error.attribute, "id")
          assert.strictEqual(error.detail, "A platform with id \"org_42/eu\" already exists; choose another id")
        }
        assert.strictEqual((yield* platforms.list()).length, before)
        assert.isTrue(Option.isNone(yield* (yield* Platforms.Platforms).find("Another").pipe(Effect.option)))
      }))

    it.effect("a host id must be non-empty, at most 255 characters, without control characters or surrounding spaces", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        for (const id of ["", " x", "x ", "a\nb", "a\u0000b", "a\u007fb", "a\u0085b", "\ud800", "x".repeat(256)]) {
          const error = yield* Effect.flip(platforms.create({ name: `bad id ${JSON.stringify(id)}`, id }))
          assert.strictEqual(error._tag, "InvalidValue", JSON.stringify(id))
          if (error._tag === "InvalidValue") {
            assert.strictEqual(error.attribute, "id")
            assert.include(error.detail, "A platform id")
          }
        }
        assert.strictEqual((yield* platforms.create({ name: "long id", id: "x".repeat(255) })).platform.id.length, 255)
        assert.strictEqual(
          (yield* platforms.create({ name: "unicode id", id: "tenant-ü-東京" })).platform.id,
          "tenant-ü-東京"
        )
      }))

    it.effect("names are unique, compared case-insensitively, and nothing of the failed attempt remains", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        yield* platforms.create({ name: "Globex", ownerEmail: "hank@globex.example" })
        const before = (yield* platforms.list()).length
        const error = yield* Effect.flip(platforms.create({ name: "GLOBEX", ownerEmail: "other@globex.example" }))
        assert.strictEqual(error._tag, "Uniqueness")
        if (error._tag === "Uniqueness") {
          assert.strictEqual(error.attribute, "name")
          assert.include(error.detail, "A platform named \"GLOBEX\" already exists")
        }
        assert.strictEqual((yield* platforms.list()).length, before)
      }))

    it.effect("find resolves an id or a name (case-insensitively); unknown is ResourceNotFound", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        const { platform } = yield* platforms.create({ name: "Initech", ownerEmail: "peter@initech.example" })
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
        assert.strictEqual((yield* Effect.flip(platforms.create({ name: "  " })))._tag, "InvalidValue")
        assert.strictEqual((yield* Effect.flip(platforms.create({ name: "a\u0000b" })))._tag, "InvalidValue")
        const error = yield* Effect.flip(platforms.create({ name: "Hooli", ownerEmail: "gavin" }))
        assert.strictEqual(error._tag, "InvalidValue")
        if (error._tag === "InvalidValue") assert.include(error.detail, "userName")
      }))

    it.effect("transferOwnership makes an active user the owner and ADMIN; the old owner can then be deactivated and deleted", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        const users = yield* Users.Users
        const created = yield* platforms.create({ name: "Transfer", ownerEmail: "old@transfer.example" })
        const oldOwner = Option.getOrThrow(created.owner)
        const scope = { platform: created.platform.id, baseUrl }
        const member = yield* users.create(scope, userBody("new@transfer.example"))
        const memberId = String(member.resource["id"])
        assert.deepStrictEqual(member.resource[CustomUserAttributesUrn], { platformRole: "MEMBER" })
        const platform = yield* platforms.transferOwnership(created.platform.id, memberId)
        assert.deepStrictEqual(platform.ownerId, Option.some(memberId))
        assert.deepStrictEqual((yield* platforms.get(created.platform.id)).ownerId, Option.some(memberId))
        const promoted = yield* users.get(scope, memberId)
        assert.deepStrictEqual(promoted.resource[CustomUserAttributesUrn], { platformRole: "ADMIN" })
        assert.strictEqual(promoted.version, member.version + 1)
        // the new owner is protected, the old one no longer is
        const refused = yield* Effect.flip(users.remove(scope, memberId, none))
        assert.strictEqual(refused._tag, "Forbidden")
        yield* users.replace(scope, oldOwner.id, userBody(oldOwner.userName, { active: false }), none)
        yield* users.remove(scope, oldOwner.id, none)
        // transferring to the owner again changes nothing
        const again = yield* platforms.transferOwnership(created.platform.id, memberId)
        assert.deepStrictEqual(again.ownerId, Option.some(memberId))
        assert.strictEqual((yield* users.get(scope, memberId)).version, promoted.version)
      }))

    it.effect("transferOwnership gives an ownerless platform its first owner", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        const users = yield* Users.Users
        const created = yield* platforms.create({ name: "Adopted", id: "adopted" })
        const scope = { platform: created.platform.id, baseUrl }
        const user = yield* users.create(
          scope,
          userBody("admin@adopted.example", { [CustomUserAttributesUrn]: { platformRole: "ADMIN" } })
        )
        const platform = yield* platforms.transferOwnership(created.platform.id, String(user.resource["id"]))
        assert.deepStrictEqual(platform.ownerId, Option.some(String(user.resource["id"])))
        // already ADMIN: the user is not rewritten
        assert.strictEqual((yield* users.get(scope, String(user.resource["id"]))).version, user.version)
      }))

    it.effect("transferOwnership to a missing, another platform's or an inactive user fails and changes nothing", () =>
      Effect.gen(function*() {
        const platforms = yield* Platforms.Platforms
        const users = yield* Users.Users
        const created = yield* platforms.create({ name: "Stays", ownerEmail: "owner@stays.example" })
        const other = yield* platforms.create({ name: "Elsewhere", ownerEmail: "owner@elsewhere.example" })
        const scope = { platform: created.platform.id, baseUrl }
        const missing = yield* Effect.flip(platforms.transferOwnership(created.platform.id, "no-such-user"))
        assert.strictEqual(missing._tag, "ResourceNotFound")
        assert.strictEqual(missing.message, "User \"no-such-user\" not found")
        const foreign = yield* Effect.flip(
          platforms.transferOwnership(created.platform.id, Option.getOrThrow(other.owner).id)
        )
        assert.strictEqual(foreign._tag, "ResourceNotFound")
        const inactive = yield* users.create(scope, userBody("gone@stays.example", { active: false }))
        const error = yield* Effect.flip(
          platforms.transferOwnership(created.platform.id, String(inactive.resource["id"]))
        )
        assert.strictEqual(error._tag, "InvalidValue")
        assert.include(error.message, "\"gone@stays.example\"")
        assert.include(error.message, "inactive")
        assert.deepStrictEqual(
          (yield* platforms.get(created.platform.id)).ownerId,
          Option.some(Option.getOrThrow(created.owner).id)
        )
        const unknownPlatform = yield* Effect.flip(
          platforms.transferOwnership(PlatformId.make("no-such-platform"), String(inactive.resource["id"]))
        )
        assert.strictEqual(unknownPlatform._tag, "ResourceNotFound")
      }))
  })
})

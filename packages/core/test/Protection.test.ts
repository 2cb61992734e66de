import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as DomainModel from "../src/domain/DomainModel.js"
import { Platform, PlatformId, StoredUser, UserId } from "../src/domain/Model.js"
import * as Protection from "../src/policy/Protection.js"

const now = DateTime.makeUnsafe(0)
const user = (id: string, fields: Partial<{ active: boolean; platformRole: StoredUser["platformRole"] }> = {}) =>
  new StoredUser({
    id: UserId.make(id),
    userName: `${id}@example.com`,
    externalId: Option.none(),
    displayName: Option.none(),
    active: fields.active ?? true,
    platformRole: fields.platformRole ?? "ADMIN",
    document: { userName: `${id}@example.com` },
    version: 1,
    created: now,
    lastModified: now
  })
const platform = new Platform({
  id: PlatformId.make("p1"),
  name: "Acme",
  ownerId: Option.some(UserId.make("owner")),
  compatibility: "lenient",
  created: now
})

describe("Protection", () => {
  const owner = user("owner")

  it.effect("the owner cannot be deactivated", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Protection.checkUpdate(platform, owner, user("owner", { active: false })))
      assert.strictEqual(error._tag, "Forbidden")
      assert.include(error.detail, "owner")
      assert.include(error.detail, "deactivated")
    }))

  it.effect("the owner cannot lose ADMIN", () =>
    Effect.gen(function*() {
      for (const role of ["OPERATOR", "MEMBER"] as const) {
        const error = yield* Effect.flip(Protection.checkUpdate(platform, owner, user("owner", { platformRole: role })))
        assert.include(error.detail, "ADMIN")
        assert.include(error.detail, role)
      }
    }))

  it.effect("the owner cannot be deleted", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Protection.checkRemove(platform, owner))
      assert.include(error.detail, "cannot be deleted")
    }))

  it.effect("every other change to the owner, and any change to other users, is allowed", () =>
    Effect.gen(function*() {
      yield* Protection.checkUpdate(platform, owner, user("owner"))
      yield* Protection.checkUpdate(platform, user("u2"), user("u2", { active: false, platformRole: "MEMBER" }))
      yield* Protection.checkRemove(platform, user("u2"))
      yield* Protection.checkRemove(new Platform({ ...platform, ownerId: Option.none() }), owner)
    }))

  it("updateNeedsCheck is true exactly for deactivation or losing ADMIN", () => {
    assert.isTrue(Protection.updateNeedsCheck(owner, user("owner", { active: false })))
    assert.isTrue(Protection.updateNeedsCheck(owner, user("owner", { platformRole: "MEMBER" })))
    assert.isFalse(Protection.updateNeedsCheck(owner, user("owner")))
    assert.isFalse(
      Protection.updateNeedsCheck(user("x", { platformRole: "MEMBER" }), user("x", { platformRole: "OPERATOR" }))
    )
  })
})

describe("Protection with a host's model", () => {
  const urn = "urn:acme:scim:1.0:User"
  const withOwnerRole = DomainModel.make({
    userExtension: { urn, role: { attribute: "tier", values: ["FREE", "PRO"], ownerRole: "PRO" } }
  })
  const unprotected = DomainModel.make({ userExtension: { urn, role: { attribute: "tier", values: ["FREE", "PRO"] } } })
  const owner = user("owner", { platformRole: "PRO" })

  it.effect("the owner keeps the model's owner role, named by the model's attribute", () =>
    Effect.gen(function*() {
      const next = user("owner", { platformRole: "FREE" })
      assert.isTrue(Protection.updateNeedsCheck(owner, next, withOwnerRole))
      const error = yield* Effect.flip(Protection.checkUpdate(platform, owner, next, withOwnerRole))
      assert.include(error.detail, "must keep tier PRO")
      assert.include(error.detail, "FREE")
    }))

  it.effect("a model without an owner role protects only activation", () =>
    Effect.gen(function*() {
      const demoted = user("owner", { platformRole: "FREE" })
      assert.isFalse(Protection.updateNeedsCheck(owner, demoted, unprotected))
      yield* Protection.checkUpdate(platform, owner, demoted, unprotected)
      const error = yield* Effect.flip(
        Protection.checkUpdate(platform, owner, user("owner", { active: false, platformRole: "PRO" }), unprotected)
      )
      assert.include(error.detail, "deactivated")
    }))
})

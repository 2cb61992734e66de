/**
 * The UserStore contract: what is stored comes back exactly (any string core lets through),
 * userName unique in any case, externalId unique only where the platform asks for it, and
 * updates and removals that check the expected version.
 */
import { assert } from "@effect/vitest"
import { Model, UserStore } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { at, freshPlatform, newUser, nextUser, unique, uniqueExternalIdPlatform } from "./fixtures.js"
import { allItems, sameIds, usersWhere, type It } from "./harness.js"

/** The UserStore tests. */
export const userStore = (it: It): void => {
  it.effect("every string core lets through is stored and found exactly: astral and combining characters, quotes, backslashes, LIKE wildcards, long text", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const p = freshPlatform()
      // core refuses U+0000 and lone surrogates (Input.check); everything else must round-trip
      const names = [
        "😀.emoji+𠀋@example.com",
        "e\u0301cole@example.com",
        "o'brien\"quoted\"@example.com",
        "back\\slash@example.com",
        "100%_sure@example.com",
        "[brackets]*glob?@example.com",
        `long-${"x".repeat(4000)}@example.com`
      ]
      const stored = yield* Effect.forEach(
        names,
        (userName, i) =>
          users.insert(
            p,
            newUser({ userName, externalId: `ext ${userName}`, displayName: `Display ${i} ${userName.slice(0, 30)}` })
          )
      )
      for (const [i, user] of stored.entries()) {
        assert.deepStrictEqual(yield* users.get(p, user.id), user)
        assert.deepStrictEqual((yield* users.findByUserName(p, names[i]!)).map((u) => u.id), [user.id])
        const eq = yield* users.query(
          p,
          usersWhere({ _tag: "Compare", path: { attribute: "externalId" }, op: "eq", value: `ext ${names[i]!}` })
        )
        assert.deepStrictEqual(eq.items.map((u) => u.id), [user.id], `externalId eq ${names[i]!.slice(0, 40)}`)
      }
      // LIKE/GLOB metacharacters are matched literally by co/sw/ew
      const literal = (op: "co" | "sw" | "ew", value: string) =>
        Effect.map(
          users.query(p, usersWhere({ _tag: "Compare", path: { attribute: "userName" }, op, value })),
          (page) => page.items.map((u) => u.userName)
        )
      assert.deepStrictEqual(yield* literal("co", "%_"), ["100%_sure@example.com"])
      assert.deepStrictEqual(yield* literal("sw", "[brackets]*"), ["[brackets]*glob?@example.com"])
      assert.deepStrictEqual(yield* literal("co", "\\"), ["back\\slash@example.com"])
      assert.deepStrictEqual(yield* literal("ew", "?@example.com"), ["[brackets]*glob?@example.com"])
      assert.deepStrictEqual(yield* literal("sw", "😀"), ["😀.emoji+𠀋@example.com"])
    }))

  it.effect("insert then get, getMany and findByUserName return the stored user", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const p = freshPlatform()
      const u = newUser({
        userName: "bjensen@example.com",
        externalId: "ext-1",
        displayName: "Barbara",
        extra: { title: "Tour Guide" }
      })
      assert.deepStrictEqual(yield* users.insert(p, u), u)
      assert.deepStrictEqual(yield* users.get(p, u.id), u)
      assert.deepStrictEqual(yield* users.getMany(p, [u.id, Model.UserId.make(unique("missing"))]), [u])
      assert.deepStrictEqual(yield* users.findByUserName(p, "BJensen@Example.COM"), [u])
      assert.deepStrictEqual(yield* users.findByUserName(p, "nobody@example.com"), [])
    }))

  it.effect("get of an unknown id is ResourceNotFound", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const error = yield* Effect.flip(users.get(freshPlatform(), Model.UserId.make(unique("missing"))))
      assert.strictEqual(error._tag, "ResourceNotFound")
    }))

  it.effect("userName is unique regardless of case", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const p = freshPlatform()
      yield* users.insert(p, newUser({ userName: "bjensen@example.com" }))
      const error = yield* Effect.flip(users.insert(p, newUser({ userName: "BJensen@Example.com" })))
      assert.strictEqual(error._tag, "Uniqueness")
      if (error._tag === "Uniqueness") assert.strictEqual(error.attribute, "userName")
      const all = yield* users.query(p, allItems)
      assert.strictEqual(all.total, 1)
    }))

  it.effect("externalId is not unique by default (RFC 7643 §3.1); lookups by it find every holder", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const p = freshPlatform()
      const a = yield* users.insert(p, newUser({ userName: "a@example.com", externalId: "nick" }))
      const b = yield* users.insert(p, newUser({ userName: "b@example.com", externalId: "nick" }))
      yield* users.insert(p, newUser({ userName: "c@example.com", externalId: "other" }))
      const byExt = yield* users.query(
        p,
        usersWhere({ _tag: "Compare", path: { attribute: "externalId" }, op: "eq", value: "nick" })
      )
      sameIds(byExt.items.map((u) => u.id), [a.id, b.id])
      const moved = yield* users.update(p, nextUser(b, { externalId: Option.some("other") }), 1)
      assert.deepStrictEqual(moved.externalId, Option.some("other"))
    }))

  it.effect("externalId is unique, compared exactly, on a platform that asks for it", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const p = yield* uniqueExternalIdPlatform
      yield* users.insert(p, newUser({ userName: "a@example.com", externalId: "abc" }))
      const error = yield* Effect.flip(users.insert(p, newUser({ userName: "b@example.com", externalId: "abc" })))
      assert.strictEqual(error._tag, "Uniqueness")
      if (error._tag === "Uniqueness") assert.strictEqual(error.attribute, "externalId")
      yield* users.insert(p, newUser({ userName: "c@example.com", externalId: "ABC" }))
      yield* users.insert(p, newUser({ userName: "d@example.com" }))
      yield* users.insert(p, newUser({ userName: "e@example.com" }))
      assert.strictEqual((yield* users.query(p, allItems)).total, 4)
    }))

  it.effect("update writes the next version only when the expected version matches", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const p = freshPlatform()
      const u = yield* users.insert(p, newUser({ userName: "a@example.com" }))
      const v2 = nextUser(u, { displayName: Option.some("Anna"), lastModified: at(5) })
      assert.deepStrictEqual(yield* users.update(p, v2, 1), v2)
      assert.deepStrictEqual(yield* users.get(p, u.id), v2)
      const stale = yield* Effect.flip(users.update(p, nextUser(u, { active: false }), 1))
      assert.strictEqual(stale._tag, "VersionMismatch")
      if (stale._tag === "VersionMismatch") {
        assert.strictEqual(stale.expected, "1")
        assert.strictEqual(stale.actual, "2")
      }
      assert.deepStrictEqual(yield* users.get(p, u.id), v2)
      const missing = yield* Effect.flip(users.update(p, newUser({ userName: "x@example.com" }), 1))
      assert.strictEqual(missing._tag, "ResourceNotFound")
    }))

  it.effect("a rename keeps uniqueness: another user's name (any case) is taken, one's own in another case is not", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const p = yield* uniqueExternalIdPlatform
      const a = yield* users.insert(p, newUser({ userName: "a@example.com", externalId: "xa" }))
      const b = yield* users.insert(p, newUser({ userName: "b@example.com", externalId: "xb" }))
      const clash = yield* Effect.flip(users.update(p, nextUser(b, { userName: "A@EXAMPLE.COM" }), 1))
      assert.strictEqual(clash._tag, "Uniqueness")
      const clashExt = yield* Effect.flip(users.update(p, nextUser(b, { externalId: Option.some("xa") }), 1))
      assert.strictEqual(clashExt._tag, "Uniqueness")
      const recased = yield* users.update(p, nextUser(a, { userName: "A@Example.com" }), 1)
      assert.strictEqual(recased.userName, "A@Example.com")
      const renamed = yield* users.update(p, nextUser(b, { userName: "c@example.com", externalId: Option.none() }), 1)
      assert.deepStrictEqual(yield* users.findByUserName(p, "c@example.com"), [renamed])
      assert.deepStrictEqual(yield* users.findByUserName(p, "b@example.com"), [])
      yield* users.insert(p, newUser({ userName: "B@example.com", externalId: "xb" }))
    }))

  it.effect("remove checks the version, then deletes the user and frees its userName", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const p = freshPlatform()
      const u = yield* users.insert(p, newUser({ userName: "gone@example.com", externalId: "g" }))
      const wrong = yield* Effect.flip(users.remove(p, u.id, 7))
      assert.strictEqual(wrong._tag, "VersionMismatch")
      assert.deepStrictEqual(yield* users.get(p, u.id), u)
      yield* users.remove(p, u.id, 1)
      assert.strictEqual((yield* Effect.flip(users.get(p, u.id)))._tag, "ResourceNotFound")
      assert.strictEqual((yield* Effect.flip(users.remove(p, u.id, 1)))._tag, "ResourceNotFound")
      assert.strictEqual((yield* users.query(p, allItems)).total, 0)
      yield* users.insert(p, newUser({ userName: "GONE@example.com", externalId: "g" }))
    }))
}

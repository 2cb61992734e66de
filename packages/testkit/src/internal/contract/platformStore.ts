/**
 * The PlatformStore contract: lookups by name in any case, unique names, the cursor secret kept,
 * and `uniqueExternalId` refused while users or groups share an externalId.
 */
import { assert } from "@effect/vitest"
import { Model, PlatformStore, ProjectStore, UserStore } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { at, freshPlatform, newProject, newUser, nextUser, unique } from "./fixtures.js"
import type { It } from "./harness.js"

const platform = (name: string, minute = 0): Model.Platform =>
  new Model.Platform({
    id: freshPlatform(),
    name,
    ownerId: Option.none(),
    compatibility: "lenient",
    created: at(minute)
  })

/** The PlatformStore tests. */
export const platformStore = (it: It): void => {
  it.effect("keeps each platform's cursor secret, and none for a platform created without one", () =>
    Effect.gen(function*() {
      const store = yield* PlatformStore.PlatformStore
      const secret = unique("secret")
      const withSecret = yield* store.insert(
        new Model.Platform({ ...platform(unique("Signed")), cursorSecret: Option.some(Redacted.make(secret)) })
      )
      const read = yield* store.get(withSecret.id)
      assert.deepStrictEqual(Option.map(read.cursorSecret, Redacted.value), Option.some(secret))
      const without = yield* store.insert(platform(unique("Unsigned")))
      assert.isTrue(Option.isNone((yield* store.get(without.id)).cursorSecret))
      const renamed = yield* store.update(new Model.Platform({ ...read, name: unique("Signed again") }))
      assert.deepStrictEqual(
        Option.map((yield* store.get(renamed.id)).cursorSecret, Redacted.value),
        Option.some(secret)
      )
    }))

  it.effect("turning uniqueExternalId on fails while users or groups share an externalId, and then succeeds", () =>
    Effect.gen(function*() {
      const store = yield* PlatformStore.PlatformStore
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const pl = yield* store.insert(platform(unique("Dupes")))
      assert.isFalse(pl.uniqueExternalId)
      const a = yield* users.insert(pl.id, newUser({ userName: "a@example.com", externalId: "same" }))
      const b = yield* users.insert(pl.id, newUser({ userName: "b@example.com", externalId: "same" }))
      const refused = yield* Effect.flip(store.update(new Model.Platform({ ...pl, uniqueExternalId: true })))
      assert.strictEqual(refused._tag, "Uniqueness")
      assert.isFalse((yield* store.get(pl.id)).uniqueExternalId, "nothing changed")
      yield* users.update(pl.id, nextUser(b, { externalId: Option.some("different") }), 1)
      yield* projects.insert(pl.id, newProject("G1", { externalId: "g" }))
      const on = yield* store.update(new Model.Platform({ ...pl, uniqueExternalId: true }))
      assert.isTrue(on.uniqueExternalId)
      assert.isTrue((yield* store.get(pl.id)).uniqueExternalId)
      assert.strictEqual(
        (yield* Effect.flip(users.insert(pl.id, newUser({ userName: "c@example.com", externalId: "same" }))))._tag,
        "Uniqueness"
      )
      assert.strictEqual(
        (yield* Effect.flip(projects.insert(pl.id, newProject("G2", { externalId: "g" }))))._tag,
        "Uniqueness"
      )
      yield* store.update(new Model.Platform({ ...on, uniqueExternalId: false }))
      yield* users.insert(pl.id, newUser({ userName: "c@example.com", externalId: "same" }))
      assert.strictEqual((yield* users.get(pl.id, a.id)).externalId._tag, "Some")
    }))

  it.effect("insert, get, findByName (any case), list and update", () =>
    Effect.gen(function*() {
      const store = yield* PlatformStore.PlatformStore
      const name = unique("Acme")
      const pl = yield* store.insert(platform(name))
      assert.deepStrictEqual(yield* store.get(pl.id), pl)
      assert.deepStrictEqual(yield* store.findByName(name.toUpperCase()), Option.some(pl))
      assert.deepStrictEqual(yield* store.findByName(unique("none")), Option.none())
      assert.isTrue((yield* store.list()).some((x) => x.id === pl.id))
      const owner = Model.UserId.make(unique("owner"))
      const updated = new Model.Platform({ ...pl, ownerId: Option.some(owner), compatibility: "entra" })
      assert.deepStrictEqual(yield* store.update(updated), updated)
      assert.deepStrictEqual(yield* store.get(pl.id), updated)
      assert.strictEqual((yield* Effect.flip(store.get(freshPlatform())))._tag, "ResourceNotFound")
      assert.strictEqual((yield* Effect.flip(store.update(platform(unique("ghost")))))._tag, "ResourceNotFound")
    }))

  it.effect("the platform name is unique regardless of case", () =>
    Effect.gen(function*() {
      const store = yield* PlatformStore.PlatformStore
      const name = unique("Globex")
      yield* store.insert(platform(name))
      const error = yield* Effect.flip(store.insert(platform(name.toLowerCase())))
      assert.strictEqual(error._tag, "Uniqueness")
    }))
}

/** Tenant isolation: nothing of one platform is visible or changeable from another. */
import { assert } from "@effect/vitest"
import { ProjectStore, UserStore } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { freshPlatform, member, newProject, newUser, nextProject, nextUser } from "./fixtures.js"
import { allItems, usersWhere, type It } from "./harness.js"

/** The tenant isolation test. */
export const tenantIsolation = (it: It): void => {
  it.effect("nothing of platform A is visible or changeable from platform B", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const a = freshPlatform()
      const b = freshPlatform()
      const u = yield* users.insert(
        a,
        newUser({ userName: "shared@example.com", externalId: "same", displayName: "Shared" })
      )
      const g = yield* projects.insert(a, newProject("Shared", { externalId: "same" }))
      yield* projects.addMembers(a, g.id, [member(u.id, "Admin")], "scim")

      assert.strictEqual((yield* Effect.flip(users.get(b, u.id)))._tag, "ResourceNotFound")
      assert.deepStrictEqual(yield* users.getMany(b, [u.id]), [])
      assert.deepStrictEqual(yield* users.findByUserName(b, "shared@example.com"), [])
      const none = yield* users.query(b, usersWhere(`userName eq "shared@example.com"`))
      assert.strictEqual(none.total, 0)
      assert.strictEqual((yield* users.query(b, allItems)).total, 0)
      assert.strictEqual(
        (yield* Effect.flip(users.update(b, nextUser(u, { active: false }), 1)))._tag,
        "ResourceNotFound"
      )
      assert.strictEqual((yield* Effect.flip(users.remove(b, u.id, 1)))._tag, "ResourceNotFound")

      assert.strictEqual((yield* Effect.flip(projects.get(b, g.id)))._tag, "ResourceNotFound")
      assert.strictEqual((yield* projects.query(b, allItems)).total, 0)
      assert.strictEqual((yield* Effect.flip(projects.update(b, nextProject(g, {}), 1)))._tag, "ResourceNotFound")
      assert.strictEqual((yield* Effect.flip(projects.remove(b, g.id, 1)))._tag, "ResourceNotFound")
      assert.deepStrictEqual(yield* projects.listMembers(b, g.id), [])
      assert.strictEqual(yield* projects.countMembers(b, g.id), 0)
      assert.deepStrictEqual(yield* projects.listUserProjects(b, u.id), [])
      assert.deepStrictEqual(yield* projects.removeMembers(b, g.id, [u.id], "scim"), [])
      assert.deepStrictEqual(yield* projects.removeAllMembers(b, g.id, "scim"), [])
      assert.deepStrictEqual(yield* projects.removeAllMembers(b, g.id, "host"), [])
      assert.deepStrictEqual(yield* projects.listAllMembers(b, g.id), [])
      assert.isTrue(Option.isNone(yield* projects.setRole(b, g.id, u.id, "Viewer")))
      // A foreign project or user cannot gain members through B (the call fails or adds nothing).
      const bUser = yield* users.insert(b, newUser({ userName: "b@example.com" }))
      const added = yield* Effect.result(projects.addMembers(b, g.id, [member(bUser.id)], "scim"))
      assert.isTrue(Result.isFailure(added) || added.success.length === 0)
      const bProject = yield* projects.insert(b, newProject("B only"))
      const foreign = yield* Effect.result(projects.addMembers(b, bProject.id, [member(u.id)], "host"))
      assert.isTrue(Result.isFailure(foreign) || foreign.success.length === 0)
      assert.deepStrictEqual(yield* projects.listMembers(b, bProject.id), [])

      // A is untouched.
      assert.deepStrictEqual(yield* users.get(a, u.id), u)
      assert.deepStrictEqual(yield* projects.get(a, g.id), g)
      const members = yield* projects.listMembers(a, g.id)
      assert.deepStrictEqual(members.map((m) => [m.userId, m.role]), [[u.id, "Admin"]])
      // Uniqueness is per platform: B may use A's names and externalIds.
      yield* users.insert(b, newUser({ userName: "SHARED@example.com", externalId: "same" }))
      yield* projects.insert(b, newProject("shared", { externalId: "same" }))
    }))
}

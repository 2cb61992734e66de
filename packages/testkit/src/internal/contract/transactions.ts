/**
 * The Transactions contract: `run` commits every write when its effect succeeds (writers see
 * their own writes inside) and rolls every write back when it fails or dies.
 */
import { assert } from "@effect/vitest"
import { ProjectStore, Transactions, UserStore } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { freshPlatform, member, newProject, newUser, nextUser } from "./fixtures.js"
import { allItems, type It } from "./harness.js"

/** The Transactions tests. */
export const transactions = (it: It): void => {
  it.effect("run commits every write when the effect succeeds, and writers see their own writes", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const tx = yield* Transactions.Transactions
      const p = freshPlatform()
      const u = newUser({ userName: "tx@example.com" })
      const g = newProject("Tx")
      const seen = yield* tx.run(Effect.gen(function*() {
        yield* users.insert(p, u)
        yield* projects.insert(p, g)
        yield* projects.addMembers(p, g.id, [member(u.id)], "scim")
        return yield* projects.countMembers(p, g.id)
      }))
      assert.strictEqual(seen, 1)
      assert.deepStrictEqual(yield* users.get(p, u.id), u)
      assert.deepStrictEqual(yield* projects.listUserProjects(p, u.id).pipe(Effect.map((r) => r.map((x) => x.id))), [
        g.id
      ])
    }))

  it.effect("run rolls back every write when the effect fails", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const tx = yield* Transactions.Transactions
      const p = freshPlatform()
      const existing = yield* users.insert(p, newUser({ userName: "keep@example.com" }))
      const g0 = yield* projects.insert(p, newProject("Existing"))
      const u = newUser({ userName: "rollback@example.com" })
      const g = newProject("Rolled back")
      const failure = yield* Effect.flip(tx.run(Effect.gen(function*() {
        yield* users.insert(p, u)
        yield* users.update(p, nextUser(existing, { displayName: Option.some("Changed") }), 1)
        yield* projects.insert(p, g)
        yield* projects.addMembers(p, g0.id, [member(u.id), member(existing.id)], "scim")
        assert.deepStrictEqual(yield* users.get(p, u.id), u)
        return yield* Effect.fail("boom" as const)
      })))
      assert.strictEqual(failure, "boom")
      assert.strictEqual((yield* Effect.flip(users.get(p, u.id)))._tag, "ResourceNotFound")
      assert.deepStrictEqual(yield* users.get(p, existing.id), existing)
      assert.strictEqual((yield* Effect.flip(projects.get(p, g.id)))._tag, "ResourceNotFound")
      assert.strictEqual(yield* projects.countMembers(p, g0.id), 0)
      yield* users.insert(p, newUser({ userName: "ROLLBACK@example.com" }))
      yield* projects.insert(p, newProject("rolled back"))
    }))

  it.effect("run rolls back when the effect dies or a store call inside fails", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const tx = yield* Transactions.Transactions
      const p = freshPlatform()
      const a = newUser({ userName: "a@example.com" })
      const exit = yield* Effect.exit(tx.run(Effect.andThen(users.insert(p, a), Effect.die(new Error("defect")))))
      assert.isTrue(exit._tag === "Failure")
      assert.strictEqual((yield* users.query(p, allItems)).total, 0)
      const clash = yield* Effect.flip(tx.run(Effect.gen(function*() {
        yield* users.insert(p, a)
        yield* users.insert(p, newUser({ userName: "A@example.com" }))
      })))
      assert.strictEqual(clash._tag, "Uniqueness")
      assert.strictEqual((yield* users.query(p, allItems)).total, 0)
    }))
}

/**
 * Concurrency: concurrent member additions and touches all count, and of concurrent writes that
 * conflict (one userName, one expected version) exactly one wins.
 */
import { assert } from "@effect/vitest"
import { ProjectStore, UserStore } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { at, freshPlatform, member, newProject, newUser, nextUser } from "./fixtures.js"
import { allItems, sameIds, type It } from "./harness.js"

/** The concurrency tests. */
export const concurrency = (it: It): void => {
  it.effect("100 concurrent member additions to one project are all present afterwards", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const p = freshPlatform()
      const us = yield* Effect.forEach(Array.from({ length: 100 }, (_, i) => i), (i) =>
        users.insert(p, newUser({ userName: `member${i}@example.com` })))
      const g = yield* projects.insert(p, newProject("Crowded"))
      const added = yield* Effect.forEach(us, (u) =>
        projects.addMembers(p, g.id, [member(u.id)], "scim"), {
        concurrency: "unbounded"
      })
      assert.strictEqual(added.reduce((a, b) => a + b.length, 0), 100)
      assert.strictEqual(yield* projects.countMembers(p, g.id), 100)
      sameIds(
        (yield* projects.listMembers(p, g.id)).map((m) => m.userId),
        us.map((u) => u.id)
      )
    }))

  it.effect("50 concurrent touches of one project each count: the version ends 50 higher", () =>
    Effect.gen(function*() {
      const projects = yield* ProjectStore.ProjectStore
      const p = freshPlatform()
      const g = yield* projects.insert(p, newProject("Busy"))
      yield* Effect.forEach(Array.from({ length: 50 }, (_, i) => i), (i) => projects.touch(p, g.id, at(i)), {
        concurrency: "unbounded"
      })
      assert.strictEqual((yield* projects.get(p, g.id)).version, 51)
    }))

  it.effect("20 concurrent creates of one userName yield exactly one success and 19 Uniqueness", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const p = freshPlatform()
      const results = yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => i),
        (i) =>
          Effect.result(users.insert(p, newUser({ userName: i % 2 === 0 ? "race@example.com" : "RACE@example.com" }))),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.filter(Result.isSuccess).length, 1)
      const failures = results.filter(Result.isFailure).map((r) => r.failure._tag)
      assert.deepStrictEqual(failures, Array.from({ length: 19 }, () => "Uniqueness"))
      assert.strictEqual((yield* users.query(p, allItems)).total, 1)
    }))

  it.effect("concurrent updates with the same expected version: exactly one wins", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const p = freshPlatform()
      const u = yield* users.insert(p, newUser({ userName: "contended@example.com" }))
      const results = yield* Effect.forEach(
        Array.from({ length: 10 }, (_, i) => i),
        (i) => Effect.result(users.update(p, nextUser(u, { displayName: Option.some(`v${i}`) }), 1)),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.filter(Result.isSuccess).length, 1)
      assert.isTrue(results.filter(Result.isFailure).every((r) => r.failure._tag === "VersionMismatch"))
      assert.strictEqual((yield* users.get(p, u.id)).version, 2)
    }))
}

/**
 * Memberships and transactions on every dialect: adding users who do not exist adds none, a
 * transaction's writes are invisible to concurrent requests until it commits (on PGlite's and
 * SQLite's single connection too), concurrent membership changes all take effect.
 */
import { assert, layer } from "@effect/vitest"
import { Model, ProjectStore, Transactions, UserStore } from "@scimkit/core"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TestClock from "effect/testing/TestClock"
import { Fixtures } from "@scimkit/testkit"
import { databases, storesOver, unique } from "./helpers.js"

const user = Fixtures.user
const project = (displayName: string) => Fixtures.project(displayName, unique("g"))

/** A real pause (the test clock does not move by itself), so that the fibers interleave. */
const pause = (duration: Duration.Input) => TestClock.withLive(Effect.sleep(duration))

for (const db of databases) {
  layer(storesOver(db), { timeout: "5 minutes" })(`memberships and transactions (${db.name})`, (it) => {
    it.effect("adding members who are not users of the platform fails and adds none", () =>
      Effect.gen(function*() {
        const users = yield* UserStore.UserStore
        const projects = yield* ProjectStore.ProjectStore
        const p = Model.PlatformId.make(unique("p"))
        const u = yield* users.insert(p, user(1, unique("u")))
        const g = yield* projects.insert(p, project("Some"))
        const error = yield* Effect.flip(projects.addMembers(p, g.id, [
          new Model.Membership({ userId: u.id, role: "Editor" }),
          new Model.Membership({ userId: Model.UserId.make(unique("ghost")), role: "Editor" })
        ], "scim"))
        assert.strictEqual(error._tag, "StoreError")
        assert.match(error.message, /does not exist on this platform/)
        assert.strictEqual(yield* projects.countMembers(p, g.id), 0)
      }))

    it.effect("a transaction's writes are invisible to concurrent requests until it commits, and gone when it fails", () =>
      Effect.gen(function*() {
        const users = yield* UserStore.UserStore
        const transactions = yield* Transactions.Transactions
        const p = Model.PlatformId.make(unique("p"))
        const prefix = unique("t")
        const names = (page: { readonly items: ReadonlyArray<Model.StoredUser> }) =>
          page.items.map((u) => u.userName).sort()
        const all = users.query(p, {
          filter: Option.none(),
          sort: Option.none(),
          page: { _tag: "Index", startIndex: 1, count: 100 }
        })
        const failing = transactions.run(
          Effect.gen(function*() {
            yield* users.insert(p, user(1, prefix))
            yield* pause("30 millis")
            assert.deepStrictEqual(names(yield* all), [`${prefix}1@example.com`], "a transaction sees its own writes")
            return yield* Effect.fail("abort" as const)
          })
        )
        const committing = transactions.run(
          Effect.gen(function*() {
            yield* users.insert(p, user(2, prefix))
            yield* pause("30 millis")
            return names(yield* all)
          })
        )
        const readers = Effect.forEach([1, 2, 3, 4, 5], () => Effect.andThen(pause("10 millis"), all), {
          concurrency: "unbounded"
        })
        const [failed, seenByCommitting, seenByReaders] = yield* Effect.all(
          [Effect.flip(failing), committing, readers],
          {
            concurrency: "unbounded"
          }
        )
        assert.strictEqual(failed, "abort")
        assert.deepStrictEqual(seenByCommitting, [`${prefix}2@example.com`])
        for (const page of seenByReaders) {
          assert.notInclude(
            names(page),
            `${prefix}1@example.com`,
            "never see the other transaction's uncommitted write"
          )
        }
        assert.deepStrictEqual(names(yield* all), [`${prefix}2@example.com`])
      }))

    it.effect("concurrent additions and removals of different members of one project all take effect", () =>
      Effect.gen(function*() {
        const users = yield* UserStore.UserStore
        const projects = yield* ProjectStore.ProjectStore
        const p = Model.PlatformId.make(unique("p"))
        const prefix = `${unique("u")}-`
        const all = yield* Effect.forEach(
          Array.from({ length: 60 }, (_, n) => user(n, prefix)),
          (u) => users.insert(p, u)
        )
        const g = yield* projects.insert(p, project("Busy"))
        yield* projects.addMembers(
          p,
          g.id,
          all.slice(0, 30).map((u) => new Model.Membership({ userId: u.id, role: "Editor" })),
          "scim"
        )
        yield* Effect.all([
          ...all.slice(30).map((u) =>
            projects.addMembers(p, g.id, [new Model.Membership({ userId: u.id, role: "Editor" })], "scim")
          ),
          ...all.slice(0, 10).map((u) => projects.removeMembers(p, g.id, [u.id], "scim"))
        ], { concurrency: "unbounded" })
        const members = (yield* projects.listMembers(p, g.id)).map((m) => m.userId)
        assert.deepStrictEqual(members, all.slice(10).map((u) => u.id))
      }))
  })
}

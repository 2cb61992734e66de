import { assert, describe, it } from "@effect/vitest"
import {
  ChangeEvent,
  EventStore,
  Filter,
  Model,
  ProjectStore,
  Schemas,
  Transactions,
  UserStore,
  type StoreQuery,
  type Stores
} from "@scimkit/core"
import { StoreMemory } from "@scimkit/store-memory"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { StoreContract } from "@scimkit/testkit"

StoreContract.suite("memory", StoreMemory.layer)

const platform = Model.PlatformId.make("p")
let n = 0

const user = (userName: string, fields: { readonly minute?: number; readonly role?: "ADMIN" } = {}): Model.StoredUser =>
  new Model.StoredUser({
    id: Model.UserId.make(`u${++n}`),
    userName,
    externalId: Option.none(),
    displayName: Option.none(),
    active: true,
    platformRole: fields.role ?? "MEMBER",
    document: { userName },
    version: 1,
    created: DateTime.makeUnsafe((fields.minute ?? 0) * 60_000),
    lastModified: DateTime.makeUnsafe(0)
  })

const project = (displayName: string): Model.StoredProject =>
  new Model.StoredProject({
    id: Model.ProjectId.make(`g${++n}`),
    displayName,
    externalId: Option.none(),
    document: { displayName },
    version: 1,
    created: DateTime.makeUnsafe(0),
    lastModified: DateTime.makeUnsafe(0)
  })

/** A filter on users as the services hand it to a store: parsed and checked. */
const checked = (text: string) =>
  Result.getOrThrow(Filter.check(Schemas.UserResourceType, Result.getOrThrow(Filter.parseResult(text))))

const all: StoreQuery.StoreQuery = {
  filter: Option.none(),
  sort: Option.none(),
  page: { _tag: "Index", startIndex: 1, count: 100 }
}

const withStore = <A, E>(effect: Effect.Effect<A, E, Stores.Stores>) => Effect.provide(effect, StoreMemory.layer)

describe("StoreMemory", () => {
  it.effect("each build of the layer is a fresh, empty store", () =>
    Effect.gen(function*() {
      yield* withStore(Effect.flatMap(UserStore.UserStore, (users) => users.insert(platform, user("a@example.com"))))
      const total = yield* withStore(Effect.flatMap(UserStore.UserStore, (users) => users.query(platform, all)))
      assert.strictEqual(total.total, 0)
    }))

  it.effect("a nested run is a savepoint: its failure undoes only its own writes", () =>
    withStore(Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const tx = yield* Transactions.Transactions
      const outer = user("outer@example.com")
      const inner = user("inner@example.com")
      yield* tx.run(Effect.gen(function*() {
        yield* users.insert(platform, outer)
        const failed = yield* Effect.result(tx.run(Effect.andThen(users.insert(platform, inner), Effect.fail("inner"))))
        assert.isTrue(Result.isFailure(failed))
        assert.strictEqual((yield* Effect.flip(users.get(platform, inner.id)))._tag, "ResourceNotFound")
      }))
      assert.deepStrictEqual(yield* users.get(platform, outer.id), outer)
      assert.strictEqual((yield* Effect.flip(users.get(platform, inner.id)))._tag, "ResourceNotFound")
    })))

  it.effect("a write outside a transaction waits for it, so a rollback never loses that write", () =>
    withStore(Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const tx = yield* Transactions.Transactions
      const started = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const inside = user("inside@example.com")
      const outside = user("outside@example.com")
      const transaction = yield* Effect.forkChild(Effect.result(tx.run(Effect.gen(function*() {
        yield* users.insert(platform, inside)
        yield* Deferred.succeed(started, undefined)
        yield* Deferred.await(release)
        return yield* Effect.fail("rollback")
      }))))
      yield* Deferred.await(started)
      const writer = yield* Effect.forkChild(users.insert(platform, outside))
      // Readers outside the transaction never see its uncommitted writes.
      assert.strictEqual((yield* Effect.flip(users.get(platform, inside.id)))._tag, "ResourceNotFound")
      yield* Deferred.succeed(release, undefined)
      assert.isTrue(Result.isFailure(yield* Fiber.join(transaction)))
      yield* Fiber.join(writer)
      assert.deepStrictEqual(yield* users.get(platform, outside.id), outside)
      assert.strictEqual((yield* Effect.flip(users.get(platform, inside.id)))._tag, "ResourceNotFound")
    })))

  it.effect("fibers forked inside a transaction write into it without deadlock, and roll back with it", () =>
    withStore(Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const tx = yield* Transactions.Transactions
      const batch = Array.from({ length: 10 }, (_, i) => user(`batch${i}@example.com`))
      const exit = yield* Effect.exit(tx.run(Effect.andThen(
        Effect.forEach(batch, (u) => users.insert(platform, u), { concurrency: "unbounded" }),
        Effect.fail("undo")
      )))
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual((yield* users.query(platform, all)).total, 0)
      yield* tx.run(Effect.forEach(batch, (u) => users.insert(platform, u), { concurrency: "unbounded" }))
      assert.strictEqual((yield* users.query(platform, all)).total, 10)
    })))

  it.effect("addMembers fails like a foreign key would, applying nothing, for an unknown project or user", () =>
    withStore(Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const u = yield* users.insert(platform, user("m@example.com"))
      const g = yield* projects.insert(platform, project("G"))
      const noProject = yield* Effect.flip(
        projects.addMembers(platform, Model.ProjectId.make("nope"), [
          new Model.Membership({ userId: u.id, role: "Editor" })
        ], "scim")
      )
      assert.strictEqual(noProject._tag, "StoreError")
      const noUser = yield* Effect.flip(projects.addMembers(platform, g.id, [
        new Model.Membership({ userId: u.id, role: "Editor" }),
        new Model.Membership({ userId: Model.UserId.make("ghost"), role: "Editor" })
      ], "scim"))
      assert.strictEqual(noUser._tag, "StoreError")
      assert.include(noUser.message, "ghost")
      assert.strictEqual(yield* projects.countMembers(platform, g.id), 0)
    })))

  it.effect("Uniqueness names the attribute and the taken value", () =>
    withStore(Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      yield* users.insert(platform, user("taken@example.com"))
      const error = yield* Effect.flip(users.insert(platform, user("Taken@example.com")))
      assert.strictEqual(error._tag, "Uniqueness")
      if (error._tag === "Uniqueness") {
        assert.strictEqual(error.value, "Taken@example.com")
        assert.include(error.detail, "userName")
      }
    })))

  it.effect("kept orders and member lists serve repeated reads and follow every change of the users and memberships", () =>
    withStore(Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const named = (userName: string, displayName: string, minute: number) =>
        new Model.StoredUser({
          ...user(userName, { minute }),
          displayName: Option.some(displayName),
          document: { userName, displayName }
        })
      const [a, b, c] = yield* Effect.forEach(
        [["a@x.com", "Carol", 3], ["b@x.com", "Alice", 1], ["c@x.com", "Bob", 2]] as const,
        ([u, d, m]) => users.insert(platform, named(u, d, m))
      )
      const byDisplayName: StoreQuery.StoreQuery = {
        ...all,
        sort: Option.some({ path: { attribute: "displayName" }, descending: false })
      }
      const names = (query: StoreQuery.StoreQuery) =>
        Effect.map(users.query(platform, query), (page) => page.items.map((u) => u.userName))
      assert.deepStrictEqual(yield* names(byDisplayName), ["b@x.com", "c@x.com", "a@x.com"])
      assert.deepStrictEqual(yield* names(all), ["b@x.com", "c@x.com", "a@x.com"])
      // from the kept order: a filter keeps it, a cursor walks it
      const active = { ...byDisplayName, filter: Option.some(checked("userName ne \"c@x.com\"")) }
      assert.deepStrictEqual(yield* names(active), ["b@x.com", "a@x.com"])
      const after = yield* users.query(platform, {
        ...byDisplayName,
        page: { _tag: "Cursor", after: Option.some({ sortValue: "Alice", id: b.id }), backward: false, count: 1 }
      })
      assert.deepStrictEqual([after.items.map((u) => u.userName), after.total, after.hasMore], [["c@x.com"], 3, true])
      // a rename reorders
      const renamed = yield* users.update(
        platform,
        new Model.StoredUser({ ...named("a@x.com", "Aaron", 3), id: a.id, version: 2 }),
        1
      )
      assert.deepStrictEqual(yield* names(byDisplayName), ["a@x.com", "b@x.com", "c@x.com"])
      assert.deepStrictEqual(yield* names(active), ["a@x.com", "b@x.com"])

      const g = yield* projects.insert(platform, project("Kept"))
      yield* projects.addMembers(
        platform,
        g.id,
        [c, renamed].map((u) => new Model.Membership({ userId: u.id, role: "Editor" })),
        "scim"
      )
      const first = yield* projects.listMembers(platform, g.id)
      assert.strictEqual(
        yield* projects.listMembers(platform, g.id),
        first,
        "an unchanged group's members are not rebuilt"
      )
      yield* users.update(platform, new Model.StoredUser({ ...named("c@x.com", "Bobby", 2), id: c.id, version: 2 }), 1)
      const afterRename = yield* projects.listMembers(platform, g.id)
      assert.deepStrictEqual(
        afterRename.map((m) => [m.userId, Option.getOrNull(m.displayName)]).sort(),
        [[renamed.id, "Aaron"], [c.id, "Bobby"]].sort()
      )
      yield* projects.addMembers(platform, g.id, [new Model.Membership({ userId: b.id, role: "Viewer" })], "scim")
      assert.deepStrictEqual(
        (yield* projects.listMembers(platform, g.id)).map((m) => m.userId),
        [a.id, b.id, c.id].sort()
      )
    })))

  it.effect("a position a rolled-back transaction used goes to the next commit, and a platform never reads another's event there", () =>
    withStore(Effect.gen(function*() {
      const events = yield* EventStore.EventStore
      const tx = yield* Transactions.Transactions
      const other = Model.PlatformId.make("other")
      const event = (on: Model.PlatformId, resourceId: string) =>
        new ChangeEvent.NewEvent({
          platform: on,
          type: "user.created",
          resourceType: "User",
          resourceId,
          version: 1,
          changed: ["userName"],
          before: Option.none(),
          after: Option.none(),
          member: Option.none(),
          at: DateTime.makeUnsafe(0),
          actor: ChangeEvent.systemActor
        })
      const failed = yield* Effect.exit(
        tx.run(Effect.andThen(events.append([event(platform, "gone")]), Effect.fail("undo")))
      )
      assert.isTrue(Exit.isFailure(failed))
      const [taken] = yield* events.append([event(other, "kept")])
      assert.strictEqual(taken!.position, 1)
      assert.deepStrictEqual(yield* events.read({ after: 0, limit: 10, platform }), [])
      assert.deepStrictEqual((yield* events.read({ after: 0, limit: 10, platform: other })).map((e) => e.resourceId), [
        "kept"
      ])
      // a savepoint that fails takes its events back, the enclosing transaction keeps its own
      yield* tx.run(Effect.gen(function*() {
        yield* events.append([event(platform, "outer")])
        yield* Effect.exit(tx.run(Effect.andThen(events.append([event(platform, "inner")]), Effect.fail("undo"))))
      }))
      yield* events.append([event(platform, "after")])
      assert.deepStrictEqual(
        (yield* events.read({ after: 0, limit: 10, platform })).map((e) => [e.position, e.resourceId]),
        [[2, "outer"], [3, "after"]]
      )
      assert.strictEqual(yield* events.latest, 3)
    })))
})

/**
 * What each store call costs in statements, on every dialect: a read is one round trip (a user
 * with their groups, the groups of a page of users, a list page with its exact total), nothing at
 * all for no ids. Counted as the client spans `effect/sql` opens per statement. And a stored row
 * that does not have the shape the store reads fails the read with a `StoreError` naming what was
 * being done and the column. Inside a transaction, appending events and changing SCIM memberships
 * take the few statements their design says.
 */
import { assert, layer } from "@effect/vitest"
import {
  ApiKeyStore,
  ChangeEvent,
  EventStore,
  Model,
  PlatformStore,
  ProjectStore,
  Transactions,
  UserStore,
  type StoreQuery
} from "@scimkit/core"
import { Fixtures } from "@scimkit/testkit"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as SqlClient from "effect/sql/SqlClient"
import * as Tracer from "effect/Tracer"
import { databases, storesOver, unique } from "./helpers.js"

/** The statements `effect` runs (each opens one client span). */
const statements = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<readonly [A, number], E, R> =>
  Effect.suspend(() => {
    let count = 0
    const counting = Tracer.make({
      span(options) {
        if (options.kind === "client") count++
        return new Tracer.NativeSpan(options)
      }
    })
    return Effect.map(Effect.withTracer(effect, counting), (a) => [a, count] as const)
  })

/** A `user.created` event of the platform. */
const event = (platform: Model.PlatformId): ChangeEvent.NewEvent =>
  new ChangeEvent.NewEvent({
    platform,
    type: "user.created",
    resourceType: "User",
    resourceId: unique("u"),
    version: 1,
    changed: ["userName"],
    before: Option.none(),
    after: Option.none(),
    member: Option.none(),
    at: DateTime.makeUnsafe(Date.UTC(2025, 0, 1)),
    actor: ChangeEvent.systemActor
  })

const indexPage = (startIndex: number, count: number): StoreQuery.StoreQuery => ({
  filter: Option.none(),
  sort: Option.none(),
  page: { _tag: "Index", startIndex, count }
})

for (const db of databases) {
  layer(storesOver(db), { timeout: "5 minutes" })(`statements per call (${db.name})`, (it) => {
    it.effect("a read is one statement: get, getWithProjects, listUsersProjects, a list page with its total; no ids read nothing", () =>
      Effect.gen(function*() {
        const users = yield* UserStore.UserStore
        const projects = yield* ProjectStore.ProjectStore
        const p = Model.PlatformId.make(unique("p"))
        const prefix = `${unique("u")}-`
        const us = yield* Effect.forEach([1, 2, 3], (n) => users.insert(p, Fixtures.user(n, prefix)))
        const g = yield* projects.insert(p, Fixtures.project("Readers", unique("g")))
        yield* projects.addMembers(
          p,
          g.id,
          us.slice(0, 2).map((u) => new Model.Membership({ userId: u.id, role: "Viewer" })),
          "scim"
        )

        const [, get] = yield* statements(users.get(p, us[0]!.id))
        const [read, withProjects] = yield* statements(users.getWithProjects(p, us[0]!.id))
        assert.deepStrictEqual(read.projects.map((r) => r.id), [g.id])
        const [all, batch] = yield* statements(projects.listUsersProjects(p, us.map((u) => u.id)))
        assert.deepStrictEqual(us.map((u) => all.get(u.id)?.length), [1, 1, 0])
        const [none, empty] = yield* statements(projects.listUsersProjects(p, []))
        assert.strictEqual(none.size, 0)
        const [page, list] = yield* statements(users.query(p, indexPage(2, 1)))
        assert.deepStrictEqual([page.items.length, page.total, page.hasMore], [1, 3, true])
        const [nothing, fresh] = yield* statements(
          users.query(Model.PlatformId.make(unique("empty")), indexPage(1, 10))
        )
        assert.deepStrictEqual([nothing.items.length, nothing.total, nothing.hasMore], [0, 0, false])
        const [past, pastEnd] = yield* statements(users.query(p, indexPage(10, 5)))
        assert.deepStrictEqual([past.items.length, past.total, past.hasMore], [0, 3, false])
        const [totalOnly, countOnly] = yield* statements(users.query(p, indexPage(1, 0)))
        assert.deepStrictEqual([totalOnly.items.length, totalOnly.total, totalOnly.hasMore], [0, 3, true])

        assert.deepStrictEqual(
          { get, withProjects, batch, empty, list, fresh, pastEnd, countOnly },
          { get: 1, withProjects: 1, batch: 1, empty: 0, list: 1, fresh: 1, pastEnd: 2, countOnly: 1 }
        )
      }))

    it.effect("a stored row that does not fit fails the read with a StoreError naming the action and the column", () =>
      Effect.gen(function*() {
        const users = yield* UserStore.UserStore
        const sql = yield* SqlClient.SqlClient
        const d = db.dialect.sql(sql)
        const p = Model.PlatformId.make(unique("p"))
        const u = yield* users.insert(p, Fixtures.user(1, `${unique("u")}-`))
        const expectFailure = <A, E extends { readonly _tag: string; readonly message: string }>(
          effect: Effect.Effect<A, E>,
          action: string,
          column: string
        ) =>
          Effect.map(Effect.flip(effect), (error) => {
            assert.strictEqual(error._tag, "StoreError")
            assert.include(
              error.message,
              `Cannot ${action}: a stored row does not have the expected shape (column ${column} should hold`
            )
            assert.include(error.message, "check the database was migrated by this version")
          })

        // a JSON array where the document (a JSON object) belongs
        yield* sql`update scimkit_users set document = ${d.jsonStrings([["not an object", undefined]])}
          where platform = ${p} and id = ${u.id}`
        yield* expectFailure(users.get(p, u.id), `read user ${u.id}`, "document")
        yield* expectFailure(users.getWithProjects(p, u.id), `read user ${u.id}`, "document")
        yield* expectFailure(users.query(p, indexPage(1, 10)), "list Users", "document")
        yield* expectFailure(users.findByUserName(p, u.userName), "find a user by userName", "document")
        yield* expectFailure(users.getMany(p, [u.id, Model.UserId.make(unique("missing"))]), "read users", "document")

        // an event whose member is not { userId, role }, and one whose changed is not an array of strings
        const events = yield* EventStore.EventStore
        const start = yield* events.latest
        const [first, second] = yield* events.append([event(p), event(p)])
        yield* sql`update scimkit_events set member = ${d.json({ userId: 7 })} where position = ${first!.position}`
        yield* expectFailure(events.read({ after: start, limit: 10, platform: p }), "read events", "member")
        yield* sql`update scimkit_events set member = null, changed = ${d.json([1])}
          where position = ${first!.position}`
        yield* expectFailure(events.read({ after: start, limit: 10, platform: p }), "read events", "changed")
        assert.deepStrictEqual(yield* events.read({ after: first!.position, limit: 10, platform: p }), [second])
      }))

    it.effect("inside a transaction, appending events is two statements (the counter, the rows) and a SCIM membership change one or two", () =>
      Effect.gen(function*() {
        const users = yield* UserStore.UserStore
        const projects = yield* ProjectStore.ProjectStore
        const events = yield* EventStore.EventStore
        const tx = yield* Transactions.Transactions
        const p = Model.PlatformId.make(unique("p"))
        const prefix = `${unique("u")}-`
        const us = yield* Effect.forEach([1, 2, 3], (n) => users.insert(p, Fixtures.user(n, prefix)))
        const g = yield* projects.insert(p, Fixtures.project("Counted", unique("g")))
        const members = us.map((u) => new Model.Membership({ userId: u.id, role: "Editor" }))
        const counts = yield* tx.run(Effect.gen(function*() {
          const [, append] = yield* statements(events.append([event(p), event(p), event(p)]))
          const [added, add] = yield* statements(projects.addMembers(p, g.id, members, "scim"))
          const [, addHost] = yield* statements(projects.addMembers(p, g.id, members.slice(0, 1), "host"))
          const [removed, remove] = yield* statements(
            projects.removeMembers(p, g.id, us.slice(1).map((u) => u.id), "scim")
          )
          const [released, removeShared] = yield* statements(projects.removeMembers(p, g.id, [us[0]!.id], "scim"))
          assert.strictEqual(added.length, 3)
          assert.strictEqual(removed.length, 2)
          assert.strictEqual(released.length, 1)
          return { append, add, addHost, remove, removeShared }
        }))
        // removing a membership the host manages too clears the flag, then deletes the rows left with none
        assert.deepStrictEqual(counts, { append: 2, add: 1, addHost: 1, remove: 2, removeShared: 3 })
      }))

    it.effect("a platform or API key row that does not fit fails its SqlSchema read with a StoreError naming the action and the column", () =>
      Effect.gen(function*() {
        const platforms = yield* PlatformStore.PlatformStore
        const keys = yield* ApiKeyStore.ApiKeyStore
        const sql = yield* SqlClient.SqlClient
        const p = Model.PlatformId.make(unique("p"))
        const now = DateTime.makeUnsafe(Date.UTC(2025, 0, 1))
        yield* platforms.insert(
          new Model.Platform({
            id: p,
            name: unique("platform"),
            ownerId: Option.none(),
            compatibility: "rfc",
            created: now
          })
        )
        const key = yield* keys.insert(
          new Model.StoredApiKey({
            id: Model.ApiKeyId.make(unique("k")),
            platform: p,
            name: "ci",
            hash: unique("hash"),
            prefix: "scim_",
            created: now,
            lastUsed: Option.none(),
            revoked: Option.none()
          })
        )
        const expectFailure = <A, E extends { readonly _tag: string; readonly message: string }>(
          effect: Effect.Effect<A, E>,
          action: string,
          column: string
        ) =>
          Effect.map(Effect.flip(effect), (error) => {
            assert.strictEqual(error._tag, "StoreError")
            assert.include(error.message, `Cannot ${action}: a stored row does not have the expected shape (`)
            assert.include(error.message, column)
            assert.include(error.message, "check the database was migrated by this version")
          })

        yield* sql`update scimkit_platforms set compatibility = 'nobody' where id = ${p}`
        yield* expectFailure(platforms.get(p), `read platform ${p}`, "compatibility")
        yield* sql`update scimkit_api_keys set created = 'infinity' where id = ${key.id}`
        yield* expectFailure(keys.get(key.id), `read API key ${key.id}`, "created")
        yield* expectFailure(keys.list(p), "list API keys", "created")
      }))
  })
}

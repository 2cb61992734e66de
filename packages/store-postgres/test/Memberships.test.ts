/**
 * Memberships are rows: one member's change touches one row of a large project; transactions are
 * isolated from concurrent requests (on PGlite's single connection too).
 */
import { assert, layer } from "@effect/vitest"
import * as SqlClient from "effect/sql/SqlClient"
import {
  Membership,
  PlatformId,
  ProjectId,
  ProjectStore,
  StoredProject,
  StoredUser,
  Transactions,
  UserId,
  UserStore
} from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/testing/TestClock"
import { databases, storesOver, unique } from "./helpers.js"

const t0 = DateTime.makeUnsafe(Date.UTC(2025, 0, 1))

const user = (n: number, prefix: string): StoredUser =>
  new StoredUser({
    id: UserId.make(`${prefix}${String(n).padStart(5, "0")}`),
    userName: `${prefix}${n}@example.com`,
    externalId: Option.none(),
    displayName: n % 2 === 0 ? Option.some(`User ${n}`) : Option.none(),
    active: true,
    platformRole: "MEMBER",
    document: { userName: `${prefix}${n}@example.com` },
    version: 1,
    created: t0,
    lastModified: t0
  })

const project = (displayName: string): StoredProject =>
  new StoredProject({
    id: ProjectId.make(unique("g")),
    displayName,
    externalId: Option.none(),
    document: { displayName },
    version: 1,
    created: t0,
    lastModified: t0
  })

const RowVersion = Schema.Array(Schema.Struct({ user_id: Schema.String, xmin: Schema.String, ctid: Schema.String }))

/** Every membership row of the project with its row version (xmin) and physical place (ctid). */
const rowVersions = (platform: PlatformId, id: ProjectId) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* Schema.decodeUnknownEffect(RowVersion)(
      yield* sql`select user_id, xmin::text as xmin, ctid::text as ctid from scimkit_project_members
        where platform = ${platform} and project_id = ${id}`
    )
    return new Map(rows.map((r) => [r.user_id, `${r.xmin}/${r.ctid}`]))
  }).pipe(Effect.orDie)

const size = 3_000

/** A real pause (the test clock does not move by itself), so that the fibers interleave. */
const pause = (duration: Duration.Input) => TestClock.withLive(Effect.sleep(duration))

for (const db of databases) {
  layer(storesOver(db.client), { timeout: "5 minutes" })(`memberships and transactions (${db.name})`, (it) => {
    it.effect(`adding or removing one member of a ${size}-member project writes that one row and no other`, () =>
      Effect.gen(function*() {
        const users = yield* UserStore
        const projects = yield* ProjectStore
        const p = PlatformId.make(unique("p"))
        const prefix = `${unique("u")}-`
        const all = Array.from({ length: size + 1 }, (_, n) => user(n, prefix))
        yield* (yield* Transactions).run(Effect.forEach(all, (u) => users.insert(p, u), { discard: true }))
        const big = yield* projects.insert(p, project("Everyone"))
        assert.strictEqual(
          yield* projects.addMembers(p, big.id, all.slice(0, size).map((u) => new Membership({ userId: u.id, role: "Editor" }))),
          size
        )
        const before = yield* rowVersions(p, big.id)
        const newcomer = all[size]!
        assert.strictEqual(yield* projects.addMembers(p, big.id, [new Membership({ userId: newcomer.id, role: "Viewer" })]), 1)
        const afterAdd = yield* rowVersions(p, big.id)
        assert.strictEqual(afterAdd.size, size + 1)
        for (const [id, version] of before) assert.strictEqual(afterAdd.get(id), version, `${id} untouched by the addition`)

        const leaving = all[17]!
        assert.strictEqual(yield* projects.removeMembers(p, big.id, [leaving.id]), 1)
        const afterRemove = yield* rowVersions(p, big.id)
        assert.isFalse(afterRemove.has(leaving.id))
        for (const [id, version] of afterAdd) {
          if (id !== leaving.id) assert.strictEqual(afterRemove.get(id), version, `${id} untouched by the removal`)
        }
        assert.strictEqual(yield* projects.countMembers(p, big.id), size)
        const listed = yield* projects.listMembers(p, big.id)
        assert.strictEqual(listed.length, size)
        const second = listed.find((m) => m.userId === all[2]!.id)!
        assert.strictEqual(second.userName, all[2]!.userName)
        assert.deepStrictEqual(second.displayName, Option.some("User 2"))
        assert.deepStrictEqual(listed.find((m) => m.userId === newcomer.id)?.role, "Viewer")
      }))

    it.effect("adding members who are not users of the platform fails and adds none", () =>
      Effect.gen(function*() {
        const users = yield* UserStore
        const projects = yield* ProjectStore
        const p = PlatformId.make(unique("p"))
        const u = yield* users.insert(p, user(1, unique("u")))
        const g = yield* projects.insert(p, project("Some"))
        const error = yield* Effect.flip(projects.addMembers(p, g.id, [
          new Membership({ userId: u.id, role: "Editor" }),
          new Membership({ userId: UserId.make(unique("ghost")), role: "Editor" })
        ]))
        assert.strictEqual(error._tag, "StoreError")
        assert.match(error.message, /does not exist on this platform/)
        assert.strictEqual(yield* projects.countMembers(p, g.id), 0)
      }))

    it.effect("a transaction's writes are invisible to concurrent requests until it commits, and gone when it fails", () =>
      Effect.gen(function*() {
        const users = yield* UserStore
        const transactions = yield* Transactions
        const p = PlatformId.make(unique("p"))
        const prefix = unique("t")
        const names = (page: { readonly items: ReadonlyArray<StoredUser> }) => page.items.map((u) => u.userName).sort()
        const all = users.query(p, { filter: Option.none(), sort: Option.none(), page: { _tag: "Index", startIndex: 1, count: 100 } })
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
        const readers = Effect.forEach([1, 2, 3, 4, 5], () => Effect.andThen(pause("10 millis"), all), { concurrency: "unbounded" })
        const [failed, seenByCommitting, seenByReaders] = yield* Effect.all([Effect.flip(failing), committing, readers], {
          concurrency: "unbounded"
        })
        assert.strictEqual(failed, "abort")
        assert.deepStrictEqual(seenByCommitting, [`${prefix}2@example.com`])
        for (const page of seenByReaders) {
          assert.notInclude(names(page), `${prefix}1@example.com`, "never see the other transaction's uncommitted write")
        }
        assert.deepStrictEqual(names(yield* all), [`${prefix}2@example.com`])
      }))

    it.effect("concurrent additions and removals of different members of one project all take effect", () =>
      Effect.gen(function*() {
        const users = yield* UserStore
        const projects = yield* ProjectStore
        const p = PlatformId.make(unique("p"))
        const prefix = `${unique("u")}-`
        const all = yield* Effect.forEach(Array.from({ length: 60 }, (_, n) => user(n, prefix)), (u) => users.insert(p, u))
        const g = yield* projects.insert(p, project("Busy"))
        yield* projects.addMembers(p, g.id, all.slice(0, 30).map((u) => new Membership({ userId: u.id, role: "Editor" })))
        yield* Effect.all([
          ...all.slice(30).map((u) => projects.addMembers(p, g.id, [new Membership({ userId: u.id, role: "Editor" })])),
          ...all.slice(0, 10).map((u) => projects.removeMembers(p, g.id, [u.id]))
        ], { concurrency: "unbounded" })
        const members = (yield* projects.listMembers(p, g.id)).map((m) => m.userId)
        assert.deepStrictEqual(members, all.slice(10).map((u) => u.id))
      }))
  })
}

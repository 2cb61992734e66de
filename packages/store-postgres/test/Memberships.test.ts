/**
 * Memberships are rows: one member's change touches one row of a large project (Postgres row
 * versions). Transaction isolation and the other membership rules run on every dialect:
 * store-sql/test/Memberships.test.ts.
 */
import { assert, layer } from "@effect/vitest"
import * as SqlClient from "effect/sql/SqlClient"
import { Model, ProjectStore, Transactions, UserStore } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Fixtures } from "@scimkit/testkit"
import { databases, storesOver, unique } from "./helpers.js"

const user = Fixtures.user
const project = (displayName: string) => Fixtures.project(displayName, unique("g"))

const RowVersion = Schema.Array(Schema.Struct({ user_id: Schema.String, xmin: Schema.String, ctid: Schema.String }))

/** Every membership row of the project with its row version (xmin) and physical place (ctid). */
const rowVersions = (platform: Model.PlatformId, id: Model.ProjectId) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* Schema.decodeUnknownEffect(RowVersion)(
      yield* sql`select user_id, xmin::text as xmin, ctid::text as ctid from scimkit_project_members
        where platform = ${platform} and project_id = ${id}`
    )
    return new Map(rows.map((r) => [r.user_id, `${r.xmin}/${r.ctid}`]))
  }).pipe(Effect.orDie)

const size = 3_000

for (const db of databases) {
  layer(storesOver(db.client), { timeout: "5 minutes" })(`memberships and transactions (${db.name})`, (it) => {
    it.effect(`adding or removing one member of a ${size}-member project writes that one row and no other`, () =>
      Effect.gen(function*() {
        const users = yield* UserStore.UserStore
        const projects = yield* ProjectStore.ProjectStore
        const p = Model.PlatformId.make(unique("p"))
        const prefix = `${unique("u")}-`
        const all = Array.from({ length: size + 1 }, (_, n) => user(n, prefix))
        yield* (yield* Transactions.Transactions).run(Effect.forEach(all, (u) => users.insert(p, u), { discard: true }))
        const big = yield* projects.insert(p, project("Everyone"))
        assert.strictEqual(
          (yield* projects.addMembers(
            p,
            big.id,
            all.slice(0, size).map((u) => new Model.Membership({ userId: u.id, role: "Editor" })),
            "scim"
          )).length,
          size
        )
        const before = yield* rowVersions(p, big.id)
        const newcomer = all[size]!
        assert.strictEqual(
          (yield* projects.addMembers(
            p,
            big.id,
            [new Model.Membership({ userId: newcomer.id, role: "Viewer" })],
            "scim"
          ))
            .length,
          1
        )
        const afterAdd = yield* rowVersions(p, big.id)
        assert.strictEqual(afterAdd.size, size + 1)
        for (const [id, version] of before) {
          assert.strictEqual(afterAdd.get(id), version, `${id} untouched by the addition`)
        }

        const leaving = all[17]!
        assert.strictEqual((yield* projects.removeMembers(p, big.id, [leaving.id], "scim")).length, 1)
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
  })
}

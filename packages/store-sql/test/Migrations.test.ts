/**
 * The migrations of issue 18 on a database an earlier version wrote, on every dialect: the
 * memberships it holds become SCIM-managed (as they were made through SCIM), and the change feed
 * starts empty at position 0.
 */
import { assert, layer } from "@effect/vitest"
import { DeliveryLog, EventStore, Model, ProjectStore } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as SqlClient from "effect/sql/SqlClient"
import * as StoreSql from "../src/StoreSql.js"
import { databases } from "./helpers.js"

for (const db of databases) {
  layer(StoreSql.layer(db.dialect).pipe(Layer.provideMerge(db.client)), { timeout: "3 minutes" })(
    `migrations of the change feed and membership sources (${db.name})`,
    (it) => {
      it.effect("memberships written before are SCIM's; the feed starts empty at position 0", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const d = db.dialect.sql(sql)
          const all = Object.entries(db.dialect.migrations)
          const index = all.findIndex(([name]) => name.endsWith("_member_sources"))
          assert.isAbove(index, 0)
          // the schema as the migrations before it left it, holding rows an earlier version wrote
          yield* sql.withTransaction(db.dialect.beforeMigrate(StoreSql.migrationsTable))
          for (const [name, migration] of all.slice(0, index)) {
            yield* migration
            yield* sql`insert into ${sql(StoreSql.migrationsTable)} (migration_id, name) values (${
              Number.parseInt(name, 10)
            }, ${name.slice(5)})`
          }
          const t0 = d.timestamp(DateTime.makeUnsafe(Date.UTC(2025, 0, 1)))
          for (const id of ["a", "b"]) {
            yield* sql`insert into scimkit_users (platform, id, user_name, active, platform_role, document, version, created, last_modified)
              values ('p', ${id}, ${id}, ${d.boolean(true)}, 'MEMBER', ${d.document({})}, 1, ${t0}, ${t0})`
          }
          yield* sql`insert into scimkit_projects (platform, id, display_name, document, version, created, last_modified)
            values ('p', 'g', 'G', ${d.document({})}, 1, ${t0}, ${t0})`
          yield* sql`insert into scimkit_project_members (platform, project_id, user_id, role)
            values ('p', 'g', 'a', 'Admin'), ('p', 'g', 'b', 'Viewer')`

          const applied = yield* StoreSql.migrate(db.dialect)
          assert.deepStrictEqual(applied.map(([id]) => id), all.slice(index).map(([name]) => Number.parseInt(name, 10)))

          const projects = yield* ProjectStore.ProjectStore
          const p = Model.PlatformId.make("p")
          const g = Model.ProjectId.make("g")
          assert.deepStrictEqual(
            (yield* projects.listAllMembers(p, g)).map((m) => [m.userId, m.role, m.scim, m.host]),
            [["a", "Admin", true, false], ["b", "Viewer", true, false]]
          )
          assert.strictEqual(yield* projects.countMembers(p, g), 2)
          const events = yield* EventStore.EventStore
          assert.strictEqual(yield* events.latest, 0)
          assert.deepStrictEqual(yield* events.read({ after: 0, limit: 10 }), [])
          assert.isTrue(Option.isNone(yield* events.checkpoint("webhooks")))
          assert.deepStrictEqual(yield* (yield* DeliveryLog.DeliveryLog).list({ limit: 10 }), [])
          assert.deepStrictEqual(yield* StoreSql.migrate(db.dialect), [])
        }))
    }
  )
}

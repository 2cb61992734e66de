/**
 * Migrations: idempotent, and safe when several processes start at once (an advisory lock
 * serialises them; the others find nothing left to do).
 */
import { assert, layer } from "@effect/vitest"
import * as SqlClient from "effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { StorePostgres } from "../src/index.js"
import { databases } from "./helpers.js"

const Applied = Schema.Array(Schema.Struct({ migration_id: Schema.Int, name: Schema.String }))

for (const db of databases) {
  layer(db.client, { timeout: "3 minutes" })(`migrations (${db.name})`, (it) => {
    it.effect("three concurrent runs on an empty database apply each migration exactly once; a later run applies none", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const runs = yield* Effect.all([StorePostgres.migrate, StorePostgres.migrate, StorePostgres.migrate], {
          concurrency: "unbounded"
        })
        const appliedNow = runs.flat()
        const rows = yield* Schema.decodeUnknownEffect(Applied)(
          yield* sql`select migration_id, name from scimkit_migrations order by migration_id`
        )
        assert.deepStrictEqual(appliedNow.map(([id]) => id).sort(), rows.map((r) => r.migration_id))
        assert.strictEqual(
          runs.filter((r) => r.length > 0).length,
          1,
          "one run migrated, the others found nothing to do"
        )
        assert.isAtLeast(rows.length, 2)
        assert.deepStrictEqual(yield* StorePostgres.migrate, [])
        const tables = yield* sql`select count(*)::int as n from information_schema.tables
          where table_schema = current_schema() and table_name like 'scimkit_%'`
        // 7, then the change feed's: events, their counter, checkpoints, leases, delivery attempts
        assert.strictEqual(tables[0]?.["n"], 12)
      }))
  })

  layer(db.client, { timeout: "3 minutes" })(`platform counts migration (${db.name})`, (it) => {
    it.effect("fills the counts of the rows that existed before it; the triggers keep them from then on", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const all = Object.entries(StorePostgres.dialect.migrations)
        const index = all.findIndex(([name]) => name.endsWith("_platform_counts"))
        assert.isAbove(index, 0)
        // the schema as the migrations before it left it, holding rows an earlier version wrote
        for (const [, migration] of all.slice(0, index)) yield* migration
        const user = (platform: string, id: string) =>
          sql`insert into scimkit_users (platform, id, user_name, active, platform_role, document, version, created, last_modified)
            values (${platform}, ${id}, ${id}, true, 'MEMBER', '{}'::jsonb, 1, now(), now())`
        for (const [platform, id] of [["p1", "a"], ["p1", "b"], ["p1", "c"], ["p2", "a"]] as const) {
          yield* user(platform, id)
        }
        yield* sql`insert into scimkit_projects (platform, id, display_name, document, version, created, last_modified)
          values ('p2', 'g', 'G', '{}'::jsonb, 1, now(), now())`
        yield* all[index]![1]
        const counts = () =>
          sql<{ readonly platform: string; readonly users: number; readonly projects: number }>`
            select platform, users, projects from scimkit_platform_counts order by platform`
        assert.deepStrictEqual(yield* counts(), [{ platform: "p1", users: 3, projects: 0 }, {
          platform: "p2",
          users: 1,
          projects: 1
        }])
        yield* sql`delete from scimkit_users where platform = 'p1' and id in ('a', 'b')`
        yield* user("p3", "a")
        yield* sql`truncate scimkit_project_members, scimkit_projects`
        assert.deepStrictEqual(yield* counts(), [
          { platform: "p1", users: 1, projects: 0 },
          { platform: "p2", users: 1, projects: 0 },
          { platform: "p3", users: 1, projects: 0 }
        ])
      }))
  })
}

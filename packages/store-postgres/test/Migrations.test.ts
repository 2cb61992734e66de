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
        const runs = yield* Effect.all([StorePostgres.migrate, StorePostgres.migrate, StorePostgres.migrate], { concurrency: "unbounded" })
        const appliedNow = runs.flat()
        const rows = yield* Schema.decodeUnknownEffect(Applied)(yield* sql`select migration_id, name from scimkit_migrations order by migration_id`)
        assert.deepStrictEqual(appliedNow.map(([id]) => id).sort(), rows.map((r) => r.migration_id))
        assert.strictEqual(runs.filter((r) => r.length > 0).length, 1, "one run migrated, the others found nothing to do")
        assert.isAtLeast(rows.length, 2)
        assert.deepStrictEqual(yield* StorePostgres.migrate, [])
        const tables = yield* sql`select count(*)::int as n from information_schema.tables
          where table_schema = current_schema() and table_name like 'scimkit_%'`
        assert.strictEqual(tables[0]?.["n"], 6)
      }))
  })
}

/**
 * Every store call is observed: its duration in `scimkit_store_statement_seconds` and, when it
 * fails with a `StoreError`, one more in `scimkit_store_errors_total`, both by `operation`; an
 * answer such as not-found is no error. The observation code is the same on every dialect, so one
 * database (SQLite in memory) runs it.
 */
import { assert, layer } from "@effect/vitest"
import { Model, UserStore } from "@scimkit/core"
import { Fixtures } from "@scimkit/testkit"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as SqlClient from "effect/sql/SqlClient"
import * as StoreSql from "../src/StoreSql.js"
import { databases, storesOver, unique } from "./helpers.js"

/** The snapshot of the metric `id` for `operation`, if any. */
const series = (snapshots: ReadonlyArray<Metric.Metric.Snapshot>, id: string, operation: string) =>
  snapshots.find((s) => s.id === id && s.attributes?.["operation"] === operation)

layer(storesOver(databases[0]!))(`store metrics (${databases[0]!.name})`, (it) => {
  it.effect("each call is timed by operation; only StoreErrors count as errors", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const sql = yield* SqlClient.SqlClient
      const p = Model.PlatformId.make(unique("p"))
      const u = yield* users.insert(p, Fixtures.user(1, `${unique("u")}-`))
      yield* users.get(p, u.id)
      yield* users.get(p, u.id)
      assert.strictEqual(
        (yield* Effect.flip(users.get(p, Model.UserId.make(unique("missing")))))._tag,
        "ResourceNotFound"
      )
      yield* sql`update scimkit_users set document = '[]' where platform = ${p} and id = ${u.id}`
      assert.strictEqual((yield* Effect.flip(users.get(p, u.id)))._tag, "StoreError")

      const snapshots = yield* Metric.snapshot
      const gets = series(snapshots, StoreSql.statementSecondsMetric, "UserStore.get")
      assert.strictEqual(gets?.type, "Histogram")
      if (gets?.type === "Histogram") {
        assert.strictEqual(gets.state.count, 4)
        assert.isAtLeast(gets.state.min, 0)
      }
      const inserts = series(snapshots, StoreSql.statementSecondsMetric, "UserStore.insert")
      assert.strictEqual(inserts?.type === "Histogram" ? inserts.state.count : undefined, 1)
      const errors = series(snapshots, StoreSql.storeErrorsMetric, "UserStore.get")
      assert.strictEqual(errors?.type === "Counter" ? Number(errors.state.count) : undefined, 1)
      assert.isUndefined(series(snapshots, StoreSql.storeErrorsMetric, "UserStore.insert"))
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))
})

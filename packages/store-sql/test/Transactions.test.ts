/**
 * `Transactions.run` on every dialect: a COMMIT that fails (here on a constraint checked only at
 * COMMIT) is a `StoreError` in the error channel, never a defect; nothing of the unit is written,
 * and the store goes on serving. The unit's own failure comes back as it was, after a rollback.
 */
import { assert, layer } from "@effect/vitest"
import { Model, Transactions, UserStore } from "@scimkit/core"
import { Fixtures } from "@scimkit/testkit"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as SqlClient from "effect/sql/SqlClient"
import { databases, storesOver, unique } from "./helpers.js"

class Refused {
  readonly _tag = "Refused"
}

for (const db of databases) {
  layer(storesOver(db), { timeout: "5 minutes" })(`transactions (${db.name})`, (it) => {
    it.effect("a failed COMMIT is a StoreError, nothing of the unit is written, and the store goes on", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const users = yield* UserStore.UserStore
        const transactions = yield* Transactions.Transactions
        const p = Model.PlatformId.make(unique("p"))
        const table = sql(unique("deferred").replace(/-/g, "_"))
        // a foreign key checked at COMMIT only, on both engines
        yield* sql`create table ${table} (id text primary key, parent text references ${table} (id) deferrable initially deferred)`
        const user = Fixtures.user(1, `${unique("u")}-`)

        // a defect would fail the test here: flip sees failures only
        const error = yield* Effect.flip(transactions.run(Effect.gen(function*() {
          yield* users.insert(p, user)
          yield* sql`insert into ${table} (id, parent) values ('child', 'missing')`
        })))
        assert.strictEqual(error._tag, "StoreError")
        assert.include(error.message, "Cannot run a transaction")
        assert.strictEqual(Exit.isFailure(yield* Effect.exit(users.get(p, user.id))), true, "the unit was rolled back")

        const after = yield* transactions.run(users.insert(p, user))
        assert.strictEqual(after.id, user.id)
        yield* sql`drop table ${table}`
      }))

    it.effect("the unit's own failure comes back as it was, after a rollback", () =>
      Effect.gen(function*() {
        const users = yield* UserStore.UserStore
        const transactions = yield* Transactions.Transactions
        const p = Model.PlatformId.make(unique("p"))
        const user = Fixtures.user(1, `${unique("u")}-`)
        const error = yield* Effect.flip(
          transactions.run(Effect.andThen(users.insert(p, user), Effect.fail(new Refused())))
        )
        assert.strictEqual(error._tag, "Refused")
        assert.strictEqual(Exit.isFailure(yield* Effect.exit(users.get(p, user.id))), true)
      }))
  })
}

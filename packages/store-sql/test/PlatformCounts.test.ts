/**
 * The per-platform counters an unfiltered list reads its total from stay exact, on every dialect:
 * through inserts and deletes of users and groups, per platform, through an insert that fails on
 * a unique index, and through a transaction that rolls back (the counters roll back with it). A
 * filtered list still counts its matches; cursor pages read the same totals.
 */
import { assert, layer } from "@effect/vitest"
import { Filter, Model, ProjectStore, Schemas, Transactions, UserStore, type StoreQuery } from "@scimkit/core"
import { Fixtures } from "@scimkit/testkit"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { databases, storesOver, unique } from "./helpers.js"

const everything = (count: number): StoreQuery.StoreQuery => ({
  filter: Option.none(),
  sort: Option.none(),
  page: { _tag: "Index", startIndex: 1, count }
})

const cursor: StoreQuery.StoreQuery = {
  filter: Option.none(),
  sort: Option.none(),
  page: { _tag: "Cursor", after: Option.none(), backward: false, count: 1 }
}

const filtered = (text: string): StoreQuery.StoreQuery => ({
  filter: Option.some(Result.getOrThrowWith(
    Result.flatMap(Filter.parseResult(text), (ast) => Filter.check(Schemas.UserResourceType, ast)),
    (e) => new Error(e.message)
  )),
  sort: Option.none(),
  page: { _tag: "Index", startIndex: 1, count: 10 }
})

for (const db of databases) {
  layer(storesOver(db), { timeout: "5 minutes" })(`platform counts (${db.name})`, (it) => {
    it.effect("list totals stay exact through inserts, deletes, failed inserts and rolled-back transactions, per platform", () =>
      Effect.gen(function*() {
        const users = yield* UserStore.UserStore
        const projects = yield* ProjectStore.ProjectStore
        const transactions = yield* Transactions.Transactions
        const p = Model.PlatformId.make(unique("p"))
        const other = Model.PlatformId.make(unique("other"))
        const prefix = `${unique("u")}-`
        const totals = (platform: Model.PlatformId) =>
          Effect.all([
            users.query(platform, everything(0)),
            users.query(platform, everything(2)),
            users.query(platform, cursor),
            projects.query(platform, everything(1)),
            projects.query(platform, cursor)
          ]).pipe(Effect.map((pages) => pages.map((page) => page.total)))
        const expect = (platform: Model.PlatformId, u: number, g: number) =>
          Effect.map(totals(platform), (found) => assert.deepStrictEqual(found, [u, u, u, g, g]))

        yield* expect(p, 0, 0)
        const us = yield* Effect.forEach([1, 2, 3, 4, 5], (n) => users.insert(p, Fixtures.user(n, prefix)))
        yield* users.insert(other, Fixtures.user(1, prefix))
        const g = yield* projects.insert(p, Fixtures.project("Readers", unique("g")))
        yield* projects.insert(p, Fixtures.project("Writers", unique("g")))
        yield* expect(p, 5, 2)
        yield* expect(other, 1, 0)

        yield* users.remove(p, us[0]!.id, us[0]!.version)
        yield* projects.remove(p, g.id, g.version)
        yield* expect(p, 4, 1)
        yield* expect(other, 1, 0)

        // a uniqueness violation inserts nothing and counts nothing
        const duplicate = yield* Effect.flip(users.insert(p, Fixtures.user(2, prefix)))
        assert.strictEqual(duplicate._tag, "Uniqueness")
        yield* expect(p, 4, 1)

        // a transaction that fails takes its counts back with its rows
        const rolledBack = yield* Effect.flip(transactions.run(Effect.gen(function*() {
          yield* users.insert(p, Fixtures.user(6, prefix))
          yield* users.insert(other, Fixtures.user(6, prefix))
          yield* users.remove(p, us[1]!.id, us[1]!.version)
          yield* projects.insert(p, Fixtures.project("Auditors", unique("g")))
          yield* expect(p, 4, 2)
          yield* expect(other, 2, 0)
          return yield* Effect.fail("abort" as const)
        })))
        assert.strictEqual(rolledBack, "abort")
        yield* expect(p, 4, 1)
        yield* expect(other, 1, 0)

        // a filter still counts its matches, not the platform
        const one = yield* users.query(p, filtered(`userName eq "${prefix}3@example.com"`))
        assert.deepStrictEqual([one.items.length, one.total], [1, 1])
        const none = yield* users.query(p, filtered(`userName eq "${prefix}1@example.com"`))
        assert.deepStrictEqual([none.items.length, none.total], [0, 0])

        for (const u of us.slice(1)) yield* users.remove(p, u.id, u.version)
        yield* expect(p, 0, 1)
      }))
  })
}

/**
 * The SQLite store as a file: WAL mode, one process at a time (the lock names the holder), data
 * kept across close and reopen, readers beside the server (read-only), idempotent migrations,
 * unique violations as `Uniqueness`, and lookups on their indexes (EXPLAIN QUERY PLAN of the
 * statements the store runs).
 */
import { assert, describe, it } from "@effect/vitest"
import {
  Filter,
  Model,
  PlatformStore,
  ProjectStore,
  Schemas,
  Sort,
  UserStore,
  type StoreQuery,
  type Stores
} from "@scimkit/core"
import { StoreSql } from "@scimkit/store-sql"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as SqlClient from "effect/sql/SqlClient"
import type { Row } from "effect/sql/SqlConnection"
import type { Statement } from "effect/sql/Statement"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { Fixtures } from "@scimkit/testkit"
import { StoreSqlite } from "../src/index.js"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "scimkit-sqlite-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

const t0 = DateTime.makeUnsafe(Date.UTC(2025, 0, 1))
const someone = (id: string, fields: Partial<{ userName: string; externalId: string }> = {}) => {
  const userName = fields.userName ?? `${id}@example.com`
  return new Model.StoredUser({
    id: Model.UserId.make(id),
    userName,
    externalId: Option.fromNullishOr(fields.externalId),
    displayName: Option.some(id),
    active: true,
    platformRole: "MEMBER",
    document: { userName, displayName: id, title: "Owner" },
    version: 1,
    created: t0,
    lastModified: t0
  })
}
const p = Model.PlatformId.make("sqlite")

const withStores = <A, E>(layer: Layer.Layer<Stores.Stores, E>, body: Effect.Effect<A, E, Stores.Stores | never>) =>
  Effect.scoped(Effect.flatMap(Layer.build(layer), (context) => Effect.provide(body, context)))

describe("SQLite store (file)", () => {
  it.effect("creates its directory, runs in WAL mode with foreign keys, and keeps its data across close and reopen", () =>
    Effect.gen(function*() {
      const filename = Path.join(yield* tempDir, "nested", "data", "scimkit.db")
      const alice = someone("alice")
      yield* withStores(
        StoreSqlite.layer({ filename }),
        Effect.flatMap(UserStore.UserStore, (users) => users.insert(p, alice))
      )
      assert.isFalse(Fs.existsSync(StoreSqlite.lockFile(filename)), "the lock is released on close")
      const back = yield* withStores(
        StoreSqlite.layer({ filename }),
        Effect.flatMap(UserStore.UserStore, (users) => users.get(p, alice.id))
      )
      assert.deepStrictEqual(back, alice)
      const pragmas = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(StoreSqlite.layerClient({ filename }))
        const sql = Context.get(context, SqlClient.SqlClient)
        const mode = yield* sql`pragma journal_mode`
        const fk = yield* sql`pragma foreign_keys`
        return { mode: Object.values(mode[0]!)[0], fk: Object.values(fk[0]!)[0] }
      }))
      assert.deepStrictEqual(pragmas, { mode: "wal", fk: 1 })
    }))

  it.effect("a second opener is refused with the pid of the process holding the database; a reader is not", () =>
    Effect.gen(function*() {
      const filename = Path.join(yield* tempDir, "scimkit.db")
      yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(StoreSqlite.layer({ filename }))
        yield* Effect.provide(Effect.flatMap(UserStore.UserStore, (users) => users.insert(p, someone("bob"))), context)
        assert.strictEqual(Fs.readFileSync(StoreSqlite.lockFile(filename), "utf8").trim(), String(process.pid))
        const error = yield* Effect.flip(Effect.scoped(Layer.build(StoreSqlite.layer({ filename }))))
        assert.strictEqual(error._tag, "StoreError")
        assert.include(
          error.message,
          `the SQLite database ${filename} is in use by process ${process.pid}; stop that server first`
        )
        // WAL: a read-only opener reads beside the writer, and cannot write
        const found = yield* withStores(
          StoreSqlite.layerReadOnly({ filename }),
          Effect.gen(function*() {
            const users = yield* UserStore.UserStore
            const seen = yield* users.findByUserName(p, "BOB@example.com")
            const refused = yield* Effect.flip(users.insert(p, someone("carol")))
            return { seen: seen.map((u) => u.id), refused: refused._tag }
          })
        )
        assert.deepStrictEqual(found, { seen: [Model.UserId.make("bob")], refused: "StoreError" })
        // the writer still writes while the reader is open
        yield* Effect.provide(Effect.flatMap(UserStore.UserStore, (users) => users.insert(p, someone("dave"))), context)
      }))
    }))

  it.effect("a read-only open of a database without the schema fails, saying to start the server once", () =>
    Effect.gen(function*() {
      const filename = Path.join(yield* tempDir, "empty.db")
      yield* Effect.scoped(Layer.build(StoreSqlite.layerClient({ filename })))
      const error = yield* Effect.flip(Effect.scoped(Layer.build(StoreSqlite.layerReadOnly({ filename }))))
      assert.include(error.message, "start the server once")
    }))

  it.effect("a database from before per-platform cursor secrets gets one for every platform it holds", () =>
    Effect.gen(function*() {
      const filename = Path.join(yield* tempDir, "scimkit.db")
      const secrets = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(StoreSqlite.layerClient({ filename }))
        return yield* Effect.provide(
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            // the schema as migrations 1 and 2 left it, with two platforms, as an earlier version wrote them
            yield* sql.unsafe(
              `create table ${StoreSql.migrationsTable} (migration_id integer primary key, created_at text, name text)`
            )
            for (const [name, migration] of Object.entries(StoreSqlite.dialect.migrations).slice(0, 2)) {
              yield* migration
              yield* sql`insert into ${sql(StoreSql.migrationsTable)} (migration_id, created_at, name) values (${
                Number(name.slice(0, 4))
              }, '', ${name.slice(5)})`
            }
            yield* sql`insert into scimkit_platforms (id, name, owner_id, compatibility, created) values ('p1', 'One', null, 'lenient', 0), ('p2', 'Two', null, 'lenient', 0)`
            const applied = yield* StoreSqlite.migrate
            assert.deepStrictEqual(applied.map(([id]) => id), [3, 4, 5, 6])
            return yield* sql<
              { readonly cursor_secret: string | null }
            >`select cursor_secret from scimkit_platforms order by id`
          }),
          context
        )
      }))
      assert.strictEqual(secrets.length, 2)
      for (const row of secrets) assert.match(row.cursor_secret ?? "", /^[A-Za-z0-9_-]{43}$/)
      assert.notStrictEqual(secrets[0]!.cursor_secret, secrets[1]!.cursor_secret)
    }))

  it.effect("a database from before per-platform counts gets the counts of the rows it holds, then keeps them", () =>
    Effect.gen(function*() {
      const filename = Path.join(yield* tempDir, "scimkit.db")
      yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(StoreSqlite.layerClient({ filename }))
        return yield* Effect.provide(
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            // the schema as migrations 1 to 3 left it, with users and groups an earlier version wrote
            yield* sql.unsafe(
              `create table ${StoreSql.migrationsTable} (migration_id integer primary key, created_at text, name text)`
            )
            for (const [name, migration] of Object.entries(StoreSqlite.dialect.migrations).slice(0, 3)) {
              yield* migration
              yield* sql`insert into ${sql(StoreSql.migrationsTable)} (migration_id, created_at, name) values (${
                Number(name.slice(0, 4))
              }, '', ${name.slice(5)})`
            }
            for (const [platform, id] of [["p1", "a"], ["p1", "b"], ["p1", "c"], ["p2", "a"]]) {
              yield* sql`insert into scimkit_users (platform, id, user_name, active, platform_role, document, version, created, last_modified)
              values (${platform}, ${id}, ${id}, 1, 'MEMBER', '{}', 1, 0, 0)`
            }
            yield* sql`insert into scimkit_projects (platform, id, display_name, document, version, created, last_modified)
            values ('p2', 'g', 'G', '{}', 1, 0, 0)`
            assert.deepStrictEqual((yield* StoreSqlite.migrate).map(([id]) => id), [4, 5, 6])
          }),
          context
        )
      }))
      yield* withStores(
        StoreSqlite.layer({ filename }),
        Effect.gen(function*() {
          const users = yield* UserStore.UserStore
          const projects = yield* ProjectStore.ProjectStore
          const all = {
            filter: Option.none(),
            sort: Option.none(),
            page: { _tag: "Index", startIndex: 1, count: 0 }
          } as const
          const totals = () =>
            Effect.all([
              users.query(Model.PlatformId.make("p1"), all),
              users.query(Model.PlatformId.make("p2"), all),
              projects.query(Model.PlatformId.make("p1"), all),
              projects.query(Model.PlatformId.make("p2"), all)
            ])
              .pipe(Effect.map((pages) => pages.map((page) => page.total)))
          assert.deepStrictEqual(yield* totals(), [3, 1, 0, 1])
          yield* users.remove(Model.PlatformId.make("p1"), Model.UserId.make("b"), 1)
          yield* users.insert(Model.PlatformId.make("p2"), someone("zed"))
          assert.deepStrictEqual(yield* totals(), [2, 2, 0, 1])
        })
      )
    }))

  it.effect("migrations are idempotent: a reopened database applies none", () =>
    Effect.gen(function*() {
      const filename = Path.join(yield* tempDir, "scimkit.db")
      const first = yield* Effect.scoped(
        Effect.provide(StoreSqlite.migrate, yield* Layer.build(StoreSqlite.layerClient({ filename })))
      )
      assert.deepStrictEqual(first.map(([id]) => id), [1, 2, 3, 4, 5, 6])
      const again = yield* Effect.scoped(
        Effect.gen(function*() {
          const context = yield* Layer.build(StoreSqlite.layerClient({ filename }))
          return yield* Effect.provide(
            Effect.all([StoreSqlite.migrate, StoreSqlite.migrate], { concurrency: "unbounded" }),
            context
          )
        })
      )
      assert.deepStrictEqual(again, [[], []])
    }))
})

describe("SQLite store (rows written past today's limits)", () => {
  it.effect("reads a document nested 20,000 deep, written behind the server's back, without walking it", () =>
    Effect.gen(function*() {
      const filename = Path.join(yield* tempDir, "scimkit.db")
      const user = someone("deep")
      yield* withStores(
        StoreSqlite.layer({ filename }),
        Effect.flatMap(UserStore.UserStore, (users) => users.insert(p, user))
      )
      let deep = "1"
      for (let i = 0; i < 20_000; i++) deep = `[${deep}]`
      // an older version, or a hand edit, stored what Input.check now refuses
      yield* Effect.scoped(
        Effect.flatMap(Layer.build(StoreSqlite.layerClient({ filename })), (context) =>
          Effect.provide(
            Effect.flatMap(SqlClient.SqlClient, (sql) =>
              sql`update scimkit_users set document = ${`{"userName":"deep@example.com","urn:x:ext":{"v":${deep}}}`} where id = ${user.id}`),
            context
          ))
      )
      yield* withStores(
        StoreSqlite.layer({ filename }),
        Effect.gen(function*() {
          const users = yield* UserStore.UserStore
          const read = yield* users.get(p, user.id)
          assert.strictEqual(read.userName, user.userName)
          const page = yield* users.query(p, {
            filter: Option.none(),
            sort: Option.none(),
            page: { _tag: "Index", startIndex: 1, count: 10 }
          })
          assert.deepStrictEqual(page.items.map((u) => u.id), [user.id])
          yield* users.remove(p, user.id, 1)
        })
      )
    }))
})

describe("SQLite store (errors)", () => {
  it.effect("unique violations become Uniqueness naming userName, externalId, id and group displayName", () =>
    withStores(
      StoreSqlite.layerMemory,
      Effect.gen(function*() {
        const users = yield* UserStore.UserStore
        const projects = yield* ProjectStore.ProjectStore
        // externalId is unique only on a platform that asks for it
        yield* (yield* PlatformStore.PlatformStore).insert(
          new Model.Platform({
            id: p,
            name: "Unique externalIds",
            ownerId: Option.none(),
            compatibility: "lenient",
            created: t0,
            uniqueExternalId: true
          })
        )
        yield* users.insert(p, someone("erin", { externalId: "ext-1" }))
        const byName = yield* Effect.flip(users.insert(p, someone("erin2", { userName: "ERIN@example.com" })))
        const byExternal = yield* Effect.flip(users.insert(p, someone("erin3", { externalId: "ext-1" })))
        const byId = yield* Effect.flip(users.insert(p, someone("erin", { userName: "other@example.com" })))
        yield* projects.insert(p, Fixtures.project("Sales", "g1"))
        const byDisplayName = yield* Effect.flip(projects.insert(p, Fixtures.project("SALES", "g2")))
        const attributes = [byName, byExternal, byId, byDisplayName].map((
          e
        ) => (e._tag === "Uniqueness" ? e.attribute : e._tag))
        assert.deepStrictEqual(attributes, ["userName", "externalId", "id", "displayName"])
        // another platform may reuse every value
        yield* users.insert(Model.PlatformId.make("other"), someone("erin", { externalId: "ext-1" }))
      })
    ))
})

// ---------------------------------------------------------------------------------------------
// query plans

const platform = Model.PlatformId.make("explain")

const loadRows = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < 20000)
    insert into scimkit_users (platform, id, user_name, external_id, display_name, active, platform_role, document, version, created, last_modified)
    select ${platform}, 'u' || substr('000000' || i, -6), 'user' || i || '@example.com', 'ext-' || i, 'User ' || i, 1, 'MEMBER',
      json_object('userName', 'user' || i || '@example.com', 'title', 'T' || (i % 10)), 1, 1704067200000 + i * 1000, 1704067200000 + i * 1000
    from n`
  yield* sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000)
    insert into scimkit_projects (platform, id, display_name, external_id, document, version, created, last_modified)
    select ${platform}, 'g' || substr('000000' || i, -6), 'Group ' || i, null, json_object('displayName', 'Group ' || i), 1,
      1704067200000 + i * 1000, 1704067200000 + i * 1000
    from n`
  yield* sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < 5000)
    insert into scimkit_project_members (platform, project_id, user_id, role)
    select ${platform}, 'g000001', 'u' || substr('000000' || i, -6), 'Editor' from n`
  yield* sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < 10000)
    insert into scimkit_project_members (platform, project_id, user_id, role)
    select ${platform}, 'g' || substr('000000' || (2 + i % 1999), -6), 'u' || substr('000000' || (1 + (i * 7) % 20000), -6), 'Editor'
    from n where true on conflict do nothing`
}).pipe(Effect.orDie)

const load = Effect.andThen(loadRows, Effect.flatMap(SqlClient.SqlClient, (sql) => sql`analyze`)).pipe(Effect.orDie)

const detail = (row: object): string => String((row as { readonly detail?: unknown }).detail)

const explain = (statement: Statement<Row>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [text, params] = statement.compile()
    const rows = yield* sql.unsafe(`explain query plan ${text}`, params).pipe(Effect.orDie)
    return rows.map(detail)
  })

/** A filter as the services hand it to a store: parsed and checked against the resource type. */
const checked = (text: string, resource: "User" | "Group" = "User") =>
  Result.getOrThrowWith(
    Result.flatMap(Filter.parseResult(text), (ast) =>
      Filter.check(resource === "User" ? Schemas.UserResourceType : Schemas.GroupResourceType, ast)),
    (e) =>
      new Error(e.message)
  )
const page = (count: number): StoreQuery.IndexPage => ({ _tag: "Index", startIndex: 1, count })

const plans = (resource: "User" | "Group", query: StoreQuery.StoreQuery) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const planned = StoreSql.queryStatements(StoreSqlite.dialect, sql, resource, platform, query)
    return {
      total: yield* explain(planned.total),
      rows: planned.rows === undefined ? [] : yield* explain(planned.rows),
      text: planned.rows === undefined ? "" : planned.rows.compile()[0]
    }
  })

const usesIndex = (found: ReadonlyArray<string>, index: string, label: string): void => {
  assert.isTrue(
    found.some((d) => d.includes(`INDEX ${index} `)),
    `${label}: expected ${index}, got ${JSON.stringify(found)}`
  )
  assert.isFalse(found.some((d) => /^SCAN t\b/.test(d)), `${label}: no full scan, got ${JSON.stringify(found)}`)
}

const withClient = <A, E>(body: Effect.Effect<A, E, SqlClient.SqlClient | Stores.Stores>) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(
      StoreSql.layerMigrated(StoreSqlite.dialect).pipe(
        Layer.provideMerge(StoreSqlite.layerClient({ filename: ":memory:" }))
      )
    )
    return yield* Effect.provide(body, context)
  }))

/** The plans of the statements that read a user's groups (with the user, alone, for several users). */
const groupsPlans = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const statements = StoreSql.groupsStatements(StoreSqlite.dialect, sql, platform, ["u000042", "u000043"])
  return yield* Effect.forEach(
    Object.entries(statements),
    ([label, statement]) => Effect.map(explain(statement), (found) => [label, found] as const)
  )
})

describe("SQLite query plans", () => {
  it.effect(
    "a user's groups are read by the user's membership index, before statistics exist and after ANALYZE",
    () =>
      withClient(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* loadRows
        for (const when of ["without statistics", "after ANALYZE"]) {
          if (when === "after ANALYZE") yield* sql`analyze`.pipe(Effect.orDie)
          for (const [label, found] of yield* groupsPlans) {
            assert.isTrue(
              found.some((d) => d.includes("INDEX scimkit_project_members_user_idx ")),
              `${label} ${when}: ${JSON.stringify(found)}`
            )
          }
        }
      })),
    { timeout: 120_000 }
  )

  it.effect(
    "lookups by id, userName (any case), externalId and group displayName use their indexes; cursors are keyset reads",
    () =>
      withClient(Effect.gen(function*() {
        yield* load
        const lookups: ReadonlyArray<readonly [string, "User" | "Group", string]> = [
          ["userName eq \"USER123@Example.com\"", "User", "scimkit_users_user_name_key"],
          ["externalId eq \"ext-42\"", "User", "scimkit_users_external_id_idx"],
          ["id eq \"u000042\"", "User", "sqlite_autoindex_scimkit_users_1"],
          ["displayName eq \"group 7\"", "Group", "scimkit_projects_display_name_key"],
          ["id eq \"g000007\"", "Group", "sqlite_autoindex_scimkit_projects_1"]
        ]
        for (const [text, resource, index] of lookups) {
          const found = yield* plans(resource, {
            filter: Option.some(checked(text, resource)),
            sort: Option.none(),
            page: page(10)
          })
          usesIndex(found.total, index, `${text} (total)`)
          // the page carries its total (a scalar subquery): both parts of the one statement use the index
          assert.include(found.text, "scimkit_total")
          usesIndex(found.rows, index, `${text} (page with its total)`)
        }
        // a page of everything reads 10 rows in index order and counts on an index: no sort, no full scan
        const everything = yield* plans("User", { filter: Option.none(), sort: Option.none(), page: page(10) })
        usesIndex(everything.rows, "scimkit_users_created_idx", "a first page with its total")
        assert.isFalse(
          everything.rows.some((d) => d.includes("TEMP B-TREE")),
          `no sort step: ${JSON.stringify(everything.rows)}`
        )
        // with no filter the total is the platform's counter, one row by key: nothing counts the users
        for (const [label, found] of [["total", everything.total], ["page with its total", everything.rows]] as const) {
          assert.isTrue(
            found.some((d) => d.includes("INDEX sqlite_autoindex_scimkit_platform_counts_1 ")),
            `${label} reads the counter: ${JSON.stringify(found)}`
          )
        }
        assert.isFalse(
          everything.total.some((d) => /\b(SCAN|SEARCH) t\b/.test(d)),
          `no read of users for the total: ${JSON.stringify(everything.total)}`
        )
        const cursorTotal = yield* plans("Group", {
          filter: Option.none(),
          sort: Option.none(),
          page: { _tag: "Cursor", after: Option.none(), backward: false, count: 10 }
        })
        assert.isFalse(
          cursorTotal.total.some((d) => /\b(SCAN|SEARCH) t\b/.test(d)),
          `no read of groups for a cursor total: ${JSON.stringify(cursorTotal.total)}`
        )
        // with a filter it still counts the matches
        const matching = yield* plans("User", {
          filter: Option.some(checked("title eq \"T3\"")),
          sort: Option.none(),
          page: page(10)
        })
        assert.isTrue(
          matching.total.some((d) => /\b(SCAN|SEARCH) t\b/.test(d)),
          `a filtered total counts: ${JSON.stringify(matching.total)}`
        )
        assert.isFalse(
          matching.total.some((d) => d.includes("scimkit_platform_counts")),
          JSON.stringify(matching.total)
        )
        // the store's own lookup by userName
        const sql = yield* SqlClient.SqlClient
        const byName = yield* sql.unsafe(
          "explain query plan select * from scimkit_users t where t.platform = ? and lower(t.user_name) = lower(?)",
          [platform, "USER1@example.com"]
        )
        usesIndex(byName.map(detail), "scimkit_users_user_name_key", "findByUserName")

        const byUserName = Result.getOrThrow(Sort.parse(Schemas.UserResourceType, "userName"))
        const cases: ReadonlyArray<readonly [Option.Option<StoreQuery.Sort>, StoreQuery.CursorPosition, string]> = [
          [byUserName, { sortValue: "user15000@example.com", id: "u015000" }, "scimkit_users_user_name_key"],
          [Option.none(), { sortValue: "2024-01-01T04:00:00.000Z", id: "u014400" }, "scimkit_users_created_idx"]
        ]
        for (const [sort, position, index] of cases) {
          for (const backward of [false, true]) {
            const found = yield* plans("User", {
              filter: Option.none(),
              sort,
              page: { _tag: "Cursor", after: Option.some(position), backward, count: 100 }
            })
            assert.notMatch(found.text, /offset/i)
            usesIndex(found.rows, index, `cursor ${backward ? "backward" : "forward"} on ${index}`)
            // read in index order; at most ties of the key are sorted by id (LAST TERM), never the whole result
            assert.isFalse(
              found.rows.some((d) => d.includes("TEMP B-TREE FOR ORDER BY")),
              `no sort step: ${JSON.stringify(found.rows)}`
            )
          }
        }
        // a members filter probes membership rows by index
        const withMembers = yield* plans("Group", {
          filter: Option.some(checked("members[value eq \"u000042\"]", "Group")),
          sort: Option.none(),
          page: page(10)
        })
        assert.isFalse(
          withMembers.rows.some((d) => /^SCAN m\b/.test(d)),
          `no full scan of memberships: ${JSON.stringify(withMembers.rows)}`
        )
        const users = yield* UserStore.UserStore
        assert.strictEqual(
          (yield* users.findByUserName(platform, "USER77@EXAMPLE.COM"))[0]?.id,
          Model.UserId.make("u000077")
        )
      })),
    { timeout: 120_000 }
  )
})

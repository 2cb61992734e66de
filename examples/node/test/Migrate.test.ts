/**
 * Moving to SQLite from the embedded Postgres (PGlite) of earlier versions, and on to a Postgres
 * server, with `pnpm scimkit migrate`: the server refuses a PGlite data directory and prints the
 * commands that migrate it; those commands copy every platform, API key, user, group and membership
 * with ids, versions, timestamps, hashes and roles unchanged (compared field by field through the
 * ports); the server on the copy serves the same users, groups and keys; a second run into the now
 * non-empty target is refused and changes nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  ApiKeys,
  ApiKeyStore,
  Live,
  Model,
  Platforms,
  PlatformStore,
  Projects,
  ProjectStore,
  ScimOptions,
  Users,
  UserStore,
  type StoreQuery,
  type Stores
} from "@scimkit/core"
import { StorePostgres } from "@scimkit/store-postgres"
import { StoreSqlite } from "@scimkit/store-sqlite"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { sqliteFile } from "../src/Settings.js"
import { freshDatabase } from "./support/Database.js"
import { arr, at, cli, client, runServerToExit, startServer, str, tempDir } from "./support/Harness.js"

const scope = (platform: string) => ({ platform: platform as never, baseUrl: "http://localhost/api/v1/scim/v2" })

interface Seeded {
  readonly secret: string
  readonly revokedSecret: string
  readonly acmeSecret: string
  readonly userIds: ReadonlyArray<string>
  readonly groupId: string
  readonly adminMember: string
}

/** Data in a PGlite directory as an earlier version left it: two platforms, keys (one revoked, one used), users, groups, roles. */
const seedPglite = (dataDir: string): Effect.Effect<Seeded, unknown> =>
  Effect.gen(function*() {
    const platforms = yield* Platforms.Platforms
    const keys = yield* ApiKeys.ApiKeys
    const users = yield* Users.Users
    const projects = yield* Projects.Projects
    const projectStore = yield* ProjectStore.ProjectStore
    const main = yield* platforms.create({ name: "default", ownerEmail: "admin@example.com" })
    const acme = yield* platforms.create({ name: "acme", ownerEmail: "it@acme.example" })
    const revoked = yield* keys.create(main.platform.id, "old")
    yield* keys.revoke(revoked.key.id)
    yield* (yield* ApiKeyStore.ApiKeyStore).touch(main.key.key.id, yield* DateTime.now) // a key used before
    const userIds: Array<string> = []
    for (let i = 0; i < 25; i++) {
      const created = yield* users.create(scope(main.platform.id), {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: `user${i}@example.com`,
        externalId: `ext-${i}`,
        displayName: `User ${i}`,
        emails: [{ value: `user${i}@example.com`, type: "work", primary: true }],
        active: i % 3 !== 0
      })
      userIds.push(str(created.resource, "id"))
    }
    // a user changed twice: version 3
    yield* users.patch(scope(main.platform.id), userIds[0]!, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "title", value: "Boss" }]
    }, Option.none())
    yield* users.patch(scope(main.platform.id), userIds[0]!, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "displayName", value: "The Boss" }]
    }, Option.none())
    const group = yield* projects.create(scope(main.platform.id), {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Engineering",
      externalId: "eng",
      members: userIds.slice(0, 10).map((value) => ({ value }))
    })
    const groupId = str(group.resource, "id")
    yield* projects.create(scope(main.platform.id), {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Empty"
    })
    // a member with another role than SCIM gives (set by the application, not through SCIM)
    yield* projectStore.addMembers(main.platform.id, groupId as never, [
      new Model.Membership({ userId: Model.UserId.make(userIds[20]!), role: "Admin" })
    ], "scim")
    yield* users.create(scope(acme.platform.id), {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "user0@example.com"
    })
    return {
      secret: main.key.secret,
      revokedSecret: revoked.secret,
      acmeSecret: acme.key.secret,
      userIds,
      groupId,
      adminMember: userIds[20]!
    }
  }).pipe(
    Effect.provide(
      Live.layerWebCrypto.pipe(
        Layer.provideMerge(ScimOptions.layer({ ...ScimOptions.defaults })),
        Layer.provideMerge(StorePostgres.layerEmbedded({ dataDir }))
      )
    )
  )

/** Every field of everything a store holds, as plain JSON (instants as ISO text, options as null), in a fixed order. */
const snapshot = (layer: Layer.Layer<Stores.Stores, unknown>) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(layer)
    const all = <A extends { readonly id: string }>(
      query: (q: StoreQuery.StoreQuery) => Effect.Effect<StoreQuery.Page<A>, unknown>
    ) =>
      Effect.gen(function*() {
        const items: Array<A> = []
        for (;;) {
          const page = yield* query({
            filter: Option.none(),
            sort: Option.none(),
            page: { _tag: "Index", startIndex: items.length + 1, count: 7 }
          })
          for (const item of page.items) items.push(item)
          if (!page.hasMore || page.items.length === 0) break
        }
        return [...items].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
      })
    const platforms = yield* Context.get(context, PlatformStore.PlatformStore).list()
    const result = []
    for (const platform of platforms) {
      const projects = yield* all((q) => Context.get(context, ProjectStore.ProjectStore).query(platform.id, q))
      const members = []
      for (const project of projects) {
        const found = yield* Context.get(context, ProjectStore.ProjectStore).listMembers(platform.id, project.id)
        members.push({ project: project.id, members: [...found].sort((a, b) => a.userId < b.userId ? -1 : 1) })
      }
      result.push({
        platform,
        keys: yield* Context.get(context, ApiKeyStore.ApiKeyStore).list(platform.id),
        users: yield* all((q) => Context.get(context, UserStore.UserStore).query(platform.id, q)),
        projects,
        members
      })
    }
    return plain(result)
  }).pipe(Effect.scoped)

const plain = (value: unknown): unknown => {
  if (DateTime.isDateTime(value)) return DateTime.formatIso(DateTime.toUtc(value))
  if (Option.isOption(value)) return Option.isSome(value) ? plain(value.value) : null
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, plain(v)]))
  }
  return value
}

/** The server on the copy serves what the source held: the keys, the users, the group with its members and version. */
const checkServed = (baseUrl: string, seeded: Seeded) =>
  Effect.gen(function*() {
    const scim = client(baseUrl, seeded.secret)
    const users = yield* scim.get("/Users?count=100")
    assert.strictEqual(users.status, 200, users.text)
    assert.strictEqual(at(users.body, "totalResults"), 26) // the owner and 25 users
    const boss = yield* scim.get(`/Users/${seeded.userIds[0]}`)
    assert.strictEqual(at(boss.body, "displayName"), "The Boss")
    assert.strictEqual(at(boss.body, "title"), "Boss")
    assert.strictEqual(boss.headers.get("etag"), "W/\"3\"")
    const group = yield* scim.get(`/Groups/${seeded.groupId}`)
    assert.strictEqual(group.status, 200, group.text)
    assert.sameMembers(arr(group.body, "members").map((m) => at(m, "value")), [
      ...seeded.userIds.slice(0, 10),
      seeded.adminMember
    ])
    const groups = yield* scim.get(`/Users/${seeded.adminMember}`)
    assert.deepStrictEqual(arr(groups.body, "groups").map((g) => at(g, "value")), [seeded.groupId])
    assert.strictEqual((yield* client(baseUrl, seeded.revokedSecret).get("/Users")).status, 401)
    const acme = yield* client(baseUrl, seeded.acmeSecret).get("/Users")
    assert.deepStrictEqual(arr(acme.body, "Resources").map((u) => at(u, "userName")).sort(), [
      "it@acme.example",
      "user0@example.com"
    ])
  })

describe("pnpm scimkit migrate", () => {
  it.live(
    "PGlite directory → SQLite (the steps the server prints) → Postgres server: everything kept, served, not copied twice",
    () =>
      Effect.gen(function*() {
        const root = yield* tempDir("migrate")
        const dataDir = Path.join(root, ".scimkit")
        const seeded = yield* seedPglite(dataDir)
        const before = yield* snapshot(StorePostgres.layerEmbedded({ dataDir }))
        const keysBefore = JSON.stringify(before)
        assert.match(keysBefore, /"lastUsed":"\d{4}-/, "the source has a used key")
        assert.match(keysBefore, /"revoked":"\d{4}-/, "the source has a revoked key")

        // the server refuses the PGlite directory, changes nothing, and prints the commands to run
        const refused = yield* runServerToExit({ SCIMKIT_DATA_DIR: dataDir })
        assert.strictEqual(refused.code, 1, refused.stdout)
        assert.include(refused.stderr, `${dataDir} holds the embedded Postgres (PGlite) data of an earlier scimkit`)
        assert.notMatch(refused.stderr, /\n\s+at /)
        assert.isFalse(Fs.existsSync(sqliteFile(dataDir)))
        const steps = refused.stderr.split("\n").map((line) => line.trim()).filter((line) =>
          /^(mv|pnpm scimkit) /.test(line)
        )
        assert.deepStrictEqual(steps, [
          `mv ${dataDir} ${dataDir}-pglite`,
          `pnpm scimkit migrate --from pglite:${dataDir}-pglite --to sqlite:${dataDir}`
        ])

        // run them
        Fs.renameSync(dataDir, `${dataDir}-pglite`)
        const migrated = yield* cli(steps[1]!.split(" ").slice(2), {})
        assert.strictEqual(migrated.code, 0, migrated.stderr)
        assert.include(migrated.stdout, "2 platform(s), 3 API key(s), 28 user(s), 2 group(s), 11 membership(s)")

        // field by field the same
        const copied = yield* snapshot(StoreSqlite.layer({ filename: sqliteFile(dataDir), readOnly: true }))
        assert.deepStrictEqual(copied, before)

        // again into the same, now non-empty, target: refused, nothing changed
        const again = yield* cli(["migrate", "--from", `pglite:${dataDir}-pglite`, "--to", `sqlite:${dataDir}`], {})
        assert.strictEqual(again.code, 1, again.stdout)
        assert.include(again.stderr, "The target store is not empty: it holds 2 platforms (\"default\", \"acme\")")
        assert.include(again.stderr, "nothing was changed")
        assert.strictEqual(again.stdout, "")
        assert.deepStrictEqual(
          yield* snapshot(StoreSqlite.layer({ filename: sqliteFile(dataDir), readOnly: true })),
          before
        )

        // the server on SQLite serves the same users, groups and keys
        const server = yield* startServer({ SCIMKIT_DATA_DIR: dataDir })
        assert.notInclude(server.stdout(), "Secret Token")
        yield* checkServed(server.baseUrl, seeded)
        assert.strictEqual((yield* server.stop("SIGTERM")).code, 0, server.stderr())

        // SQLite → a Postgres server (--to defaults to the configured store: DATABASE_URL); the server
        // just recorded the use of a key, so compare with what SQLite holds now
        const onSqlite = yield* snapshot(StoreSqlite.layer({ filename: sqliteFile(dataDir), readOnly: true }))
        const url = yield* freshDatabase
        const toPostgres = yield* cli(["migrate", "--from", "sqlite:.scimkit", "--json"], {
          DATABASE_URL: url,
          INIT_CWD: root
        })
        assert.strictEqual(toPostgres.code, 0, toPostgres.stderr)
        const summary: unknown = JSON.parse(toPostgres.stdout)
        assert.strictEqual(at(summary, "users"), 28)
        assert.strictEqual(at(summary, "memberships"), 11)
        assert.notInclude(toPostgres.stdout, url)
        assert.deepStrictEqual(yield* snapshot(StorePostgres.layerUrl(Redacted.make(url))), onSqlite)
        const onPostgres = yield* startServer({ DATABASE_URL: url })
        yield* checkServed(onPostgres.baseUrl, seeded)
      }),
    240_000
  )

  it.live("wrong stores are refused with a sentence", () =>
    Effect.gen(function*() {
      const root = yield* tempDir("migrate-usage")
      const missing = yield* cli(["migrate", "--to", "sqlite:x"], { INIT_CWD: root })
      assert.strictEqual(missing.code, 2)
      assert.include(missing.stderr, "migrate needs --from <store>")
      const bad = yield* cli(["migrate", "--from", "mysql://x"], { INIT_CWD: root })
      assert.strictEqual(bad.code, 2)
      assert.include(bad.stderr, "--from must be sqlite:<data directory>, pglite:<data directory> or a postgres:// URL")
      const same = yield* cli(["migrate", "--from", "sqlite:data", "--to", `sqlite:${Path.join(root, "data")}`], {
        INIT_CWD: root
      })
      assert.strictEqual(same.code, 1)
      assert.include(same.stderr, "--from and --to are the same store")
      const notPglite = yield* cli(["migrate", "--from", "pglite:nothing", "--to", "sqlite:data"], { INIT_CWD: root })
      assert.strictEqual(notPglite.code, 1)
      assert.include(notPglite.stderr, "holds no PGlite data")
    }), 60_000)
})

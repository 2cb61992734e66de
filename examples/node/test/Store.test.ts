/**
 * Where the example server keeps its data: SQLite in `SCIMKIT_DATA_DIR` (also when that directory
 * is a symbolic link or is reached through one), the CLI reading it while the server runs, the
 * memory store of `SCIMKIT_STORE=memory` with its banner, `SCIMKIT_STORE` validated like every
 * setting, and start-up failures that state their cause once.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as SqlClient from "effect/sql/SqlClient"
import { freshDatabase } from "./support/Database.js"
import { arr, at, banner, cli, client, makeKey, runServerToExit, startServer, str, tempDir } from "./support/Harness.js"

const userBody = (userName: string) => ({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName })

/** Sentences (or clauses) of a message that appear more than once. */
const repeated = (text: string): ReadonlyArray<string> => {
  const parts = text.split(/[\n.;()]|: /).map((part) => part.trim()).filter((part) => part.length >= 12)
  return parts.filter((part, i) => parts.indexOf(part) !== i)
}

describe("the SQLite store in SCIMKIT_DATA_DIR", () => {
  it.live(
    "a data directory that is a symlink, or reached through one, works and is one store under both names",
    () =>
      Effect.gen(function*() {
        const root = yield* tempDir("symlink")
        const real = Path.join(root, "volume")
        Fs.mkdirSync(real)
        const link = Path.join(root, "link")
        Fs.symlinkSync(real, link)
        const viaParent = Path.join(root, "parent-link")
        Fs.symlinkSync(root, viaParent)

        // the directory itself is a symlink
        const key = makeKey()
        const first = yield* startServer({ SCIMKIT_DATA_DIR: link, SCIMKIT_BOOTSTRAP_KEY: key })
        assert.include(first.stdout(), `store: SQLite in ${Path.join(real, "scimkit.db")}`)
        const created = yield* client(first.baseUrl, key).post("/Users", userBody("linked@example.com"))
        assert.strictEqual(created.status, 201, created.text)
        assert.isTrue(Fs.existsSync(Path.join(real, "scimkit.db")))

        // the same store under another spelling (through a symlinked parent): one lock, so the CLI's
        // writes are refused while the server runs, and its reads work
        const other = Path.join(viaParent, "volume")
        const refused = yield* cli(["keys", "create"], { SCIMKIT_DATA_DIR: other })
        assert.strictEqual(refused.code, 1, refused.stdout)
        assert.include(refused.stderr, `in use by process ${first.pid}`)
        assert.include(refused.stderr, "stop the server")
        const listed = yield* cli(["keys", "list", "--json"], { SCIMKIT_DATA_DIR: other })
        assert.strictEqual(listed.code, 0, listed.stderr)
        assert.includeMembers(arr(JSON.parse(listed.stdout), "").map((k) => at(k, "name")), [
          "initial key",
          "SCIMKIT_BOOTSTRAP_KEY"
        ])
        assert.strictEqual((yield* first.stop("SIGTERM")).code, 0, first.stderr())

        // a directory below a symlinked parent, created on first start; the data of the first start is there
        const second = yield* startServer({ SCIMKIT_DATA_DIR: other, SCIMKIT_BOOTSTRAP_KEY: key })
        assert.isTrue(Option.isNone(banner(second.stdout())), second.stdout())
        const found = yield* client(second.baseUrl, key).get(
          `/Users?filter=${encodeURIComponent("userName eq \"linked@example.com\"")}`
        )
        assert.strictEqual(at(found.body, "totalResults"), 1, found.text)
        assert.strictEqual((yield* second.stop("SIGTERM")).code, 0, second.stderr())

        const fresh = Path.join(viaParent, "new", "data")
        const third = yield* startServer({ SCIMKIT_DATA_DIR: fresh, SCIMKIT_BOOTSTRAP_KEY: key })
        assert.isTrue(Fs.existsSync(Path.join(root, "new", "data", "scimkit.db")))
        assert.strictEqual((yield* third.stop("SIGTERM")).code, 0, third.stderr())
      }),
    120_000
  )

  it.live("a start-up failure states its underlying cause once", () =>
    Effect.gen(function*() {
      const root = yield* tempDir("broken")
      // the data directory is a file
      const file = Path.join(root, "file")
      Fs.writeFileSync(file, "")
      const notDir = yield* runServerToExit({ SCIMKIT_DATA_DIR: file })
      assert.strictEqual(notDir.code, 1, notDir.stdout)
      assert.match(notDir.stderr, /^scimkit could not start: /)
      assert.include(notDir.stderr, file)
      assert.strictEqual(notDir.stderr.split("EEXIST").length - 1, 1, notDir.stderr)
      assert.deepStrictEqual(repeated(notDir.stderr), [], notDir.stderr)
      assert.notMatch(notDir.stderr, /\n\s+at /)

      // a database file that is not SQLite
      const garbage = Path.join(root, "garbage")
      Fs.mkdirSync(garbage)
      Fs.writeFileSync(
        Path.join(garbage, "scimkit.db"),
        "this is not a database, but it is long enough to be read as one ".repeat(20)
      )
      const bad = yield* runServerToExit({ SCIMKIT_DATA_DIR: garbage })
      assert.strictEqual(bad.code, 1, bad.stdout)
      assert.include(bad.stderr, Path.join(garbage, "scimkit.db"))
      assert.strictEqual(bad.stderr.split("not a database").length - 1, 1, bad.stderr)
      assert.deepStrictEqual(repeated(bad.stderr), [], bad.stderr)
      assert.notMatch(bad.stderr, /\n\s+at /)
    }), 60_000)
})

describe("SCIMKIT_STORE", () => {
  it.live(
    "memory: a loud banner, a working server, nothing on disk, nothing kept after a restart",
    () =>
      Effect.gen(function*() {
        const dataDir = Path.join(yield* tempDir("memory"), "never")
        const key = makeKey()
        const env = { SCIMKIT_STORE: "memory", SCIMKIT_DATA_DIR: dataDir, SCIMKIT_BOOTSTRAP_KEY: key }
        const first = yield* startServer(env)
        assert.include(first.stdout(), "SCIMKIT_STORE=memory")
        assert.include(first.stdout(), "ALL DATA (platforms, API keys, users, groups) IS LOST WHEN THE SERVER STOPS")
        assert.isTrue(first.stdout().indexOf("IS LOST") < first.stdout().indexOf("listening"))
        assert.include(first.stdout(), "store: memory (data is lost at exit)")
        assert.isTrue(Option.isSome(banner(first.stdout())))
        const scim = client(first.baseUrl, key)
        const created = yield* scim.post("/Users", userBody("ephemeral@example.com"))
        assert.strictEqual(created.status, 201, created.text)
        assert.strictEqual((yield* scim.get(`/Users/${str(created.body, "id")}`)).status, 200)
        assert.strictEqual((yield* first.stop("SIGTERM")).code, 0, first.stderr())
        assert.include(first.stdout(), "the data of the memory store is gone")
        assert.isFalse(Fs.existsSync(dataDir))

        // a new process starts empty again: a new platform and first key
        const second = yield* startServer(env)
        assert.isTrue(Option.isSome(banner(second.stdout())), second.stdout())
        const users = yield* client(second.baseUrl, key).get("/Users")
        assert.deepStrictEqual(arr(users.body, "Resources").map((u) => at(u, "userName")), ["admin@example.com"])

        // the CLI cannot reach it, and says so
        const refused = yield* cli(["keys", "list"], { SCIMKIT_STORE: "memory" })
        assert.strictEqual(refused.code, 1, refused.stdout)
        assert.include(refused.stderr, "SCIMKIT_STORE=memory")
        assert.strictEqual(refused.stdout, "")
      }),
    60_000
  )

  it.live(
    "an invalid value or a contradiction with DATABASE_URL stops start-up naming the variables",
    () =>
      Effect.gen(function*() {
        const unknown = yield* runServerToExit({
          SCIMKIT_STORE: "pglite",
          SCIMKIT_DATA_DIR: "/nonexistent/never-created"
        })
        assert.strictEqual(unknown.code, 1)
        assert.include(unknown.stderr, "SCIMKIT_STORE must be one of sqlite, memory, postgres")
        assert.include(unknown.stderr, "\"pglite\"")
        assert.notMatch(unknown.stderr, /\n\s+at /)

        const both = yield* runServerToExit({
          SCIMKIT_STORE: "memory",
          DATABASE_URL: "postgres://u:secret@127.0.0.1:1/db"
        })
        assert.strictEqual(both.code, 1)
        assert.include(both.stderr, "SCIMKIT_STORE is memory but DATABASE_URL is set")
        assert.notInclude(both.stderr, "secret")

        const noUrl = yield* runServerToExit({ SCIMKIT_STORE: "Postgres" })
        assert.strictEqual(noUrl.code, 1)
        assert.include(noUrl.stderr, "SCIMKIT_STORE is postgres but DATABASE_URL is not set")

        // reported together with the other invalid settings
        const many = yield* runServerToExit({ SCIMKIT_STORE: "disk", PORT: "eighty" })
        assert.include(many.stderr, "SCIMKIT_STORE")
        assert.include(many.stderr, "PORT")
      }),
    60_000
  )
})

describe("SCIMKIT_RATE_LIMIT", () => {
  it.live(
    "limits each platform's requests: 429 with Retry-After once the burst is spent; a bad value stops start-up",
    () =>
      Effect.gen(function*() {
        const key = makeKey()
        const server = yield* startServer({
          SCIMKIT_STORE: "memory",
          SCIMKIT_BOOTSTRAP_KEY: key,
          SCIMKIT_RATE_LIMIT: "1/min,burst=3"
        })
        const scim = client(server.baseUrl, key)
        const statuses: Array<number> = []
        for (let i = 0; i < 4; i++) statuses.push((yield* scim.get("/Users")).status)
        assert.deepStrictEqual(statuses, [200, 200, 200, 429])
        const limited = yield* scim.get("/Users")
        assert.strictEqual(limited.status, 429)
        assert.strictEqual(limited.headers.get("retry-after"), "60")
        assert.strictEqual(at(limited.body, "status"), "429")

        const bad = yield* runServerToExit({ SCIMKIT_STORE: "memory", SCIMKIT_RATE_LIMIT: "lots" })
        assert.strictEqual(bad.code, 1)
        assert.include(bad.stderr, "SCIMKIT_RATE_LIMIT")
        assert.include(bad.stderr, "50/s,burst=200")
      }),
    60_000
  )
})

describe("a stored resource past today's limits (written by an earlier version or by hand)", () => {
  it.live(
    "is left out of lists, answers its own GET with a SCIM error naming the repair, and `scimkit doctor --fix` repairs it",
    () =>
      Effect.gen(function*() {
        const dataDir = yield* tempDir("poisoned")
        const key = makeKey()
        const env = { SCIMKIT_DATA_DIR: dataDir, SCIMKIT_BOOTSTRAP_KEY: key }
        let server = yield* startServer(env)
        let scim = client(server.baseUrl, key)
        const good = yield* scim.post("/Users", userBody("good@example.com"))
        const bad = yield* scim.post("/Users", userBody("bad@example.com"))
        assert.strictEqual(bad.status, 201, bad.text)
        const badId = str(bad.body, "id")
        assert.strictEqual((yield* server.stop("SIGTERM")).code, 0)

        // nest an attribute 5,000 deep behind the server's back
        const { DatabaseSync } = yield* Effect.promise(() => import("node:sqlite"))
        const db = new DatabaseSync(Path.join(dataDir, "scimkit.db"))
        const deep = "[".repeat(5000) + "1" + "]".repeat(5000)
        db.prepare("update scimkit_users set document = ? where id = ?").run(
          `{"userName":"bad@example.com","urn:x:ext":{"v":${deep}}}`,
          badId
        )
        db.close()

        server = yield* startServer(env)
        scim = client(server.baseUrl, key)
        const list = yield* scim.get("/Users")
        assert.strictEqual(list.status, 200, list.text)
        const names = arr(list.body, "Resources").map((u) => at(u, "userName"))
        assert.include(names, "good@example.com")
        assert.notInclude(names, "bad@example.com")
        const one = yield* scim.get(`/Users/${badId}`)
        assert.strictEqual(one.status, 500)
        assert.strictEqual(at(one.body, "status"), "500")
        assert.include(String(at(one.body, "detail")), "scimkit doctor --fix")
        assert.strictEqual((yield* scim.get(`/Users/${str(good.body, "id")}`)).status, 200)
        assert.strictEqual((yield* server.stop("SIGTERM")).code, 0)

        // the operator's repair: doctor finds it, doctor --fix drops the offending attribute
        const found = yield* cli(["doctor", "--json"], { SCIMKIT_DATA_DIR: dataDir })
        assert.strictEqual(found.code, 0, found.stderr)
        const findings = JSON.parse(found.stdout) as ReadonlyArray<{ id: string; fixed: boolean; problem: string }>
        assert.deepStrictEqual(findings.map((f) => [f.id, f.fixed]), [[badId, false]])
        assert.include(findings[0]!.problem, "nested more than 64 levels")
        const fixed = yield* cli(["doctor", "--fix"], { SCIMKIT_DATA_DIR: dataDir })
        assert.strictEqual(fixed.code, 0, fixed.stderr)
        assert.include(fixed.stdout, "dropped urn:x:ext.v")
        assert.include(fixed.stdout, "1 repaired, 0 left")
        assert.include((yield* cli(["doctor"], { SCIMKIT_DATA_DIR: dataDir })).stdout, "No stored user or group breaks")

        server = yield* startServer(env)
        scim = client(server.baseUrl, key)
        const repaired = yield* scim.get(`/Users/${badId}`)
        assert.strictEqual(repaired.status, 200, repaired.text)
        assert.strictEqual(at(repaired.body, "userName"), "bad@example.com")
        assert.strictEqual(at(repaired.body, "meta.version"), "W/\"2\"")
        assert.include(
          arr((yield* scim.get("/Users")).body, "Resources").map((u) => at(u, "userName")),
          "bad@example.com"
        )
        const deleted = yield* scim.delete(`/Users/${badId}`)
        assert.strictEqual(deleted.status, 204, deleted.text)
        assert.strictEqual((yield* scim.get(`/Users/${badId}`)).status, 404)
      }),
    180_000
  )
})

describe("a stored resource past today's limits, on Postgres (DATABASE_URL)", () => {
  it.live("doctor reports it and doctor --fix repairs it; lists work throughout", () =>
    Effect.gen(function*() {
      const url = yield* freshDatabase
      const key = makeKey()
      const env = { DATABASE_URL: url, SCIMKIT_BOOTSTRAP_KEY: key }
      const server = yield* startServer(env)
      const scim = client(server.baseUrl, key)
      const group = yield* scim.post("/Groups", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        displayName: "Poisoned"
      })
      assert.strictEqual(group.status, 201, group.text)
      const id = str(group.body, "id")
      yield* Effect.scoped(
        Effect.flatMap(Layer.build(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })), (context) =>
          Effect.provide(
            Effect.flatMap(SqlClient.SqlClient, (sql) =>
              // jsonb refuses \u0000 in text; a hand edit can still nest a value 2,000 deep
              sql.unsafe(
                `update scimkit_projects set document = '{"displayName":"Poisoned","urn:x:ext":{"v":${
                  "[".repeat(2000)
                }1${"]".repeat(2000)},"ok":"kept"}}'::jsonb where id = '${id}'`
              )),
            context
          ))
      )
      const list = yield* scim.get("/Groups")
      assert.strictEqual(list.status, 200, list.text)
      assert.notInclude(
        arr(list.body, "Resources").map((g) =>
          at(g, "id")
        ),
        id
      )
      const found = yield* cli(["doctor", "--json"], { DATABASE_URL: url })
      assert.strictEqual(found.code, 0, found.stderr)
      assert.deepStrictEqual((JSON.parse(found.stdout) as ReadonlyArray<{ id: string }>).map((f) => f.id), [id])
      const fixed = yield* cli(["doctor", "--fix", "--json"], { DATABASE_URL: url })
      assert.strictEqual(fixed.code, 0, fixed.stderr)
      assert.deepStrictEqual(
        (JSON.parse(fixed.stdout) as ReadonlyArray<{ dropped: ReadonlyArray<string> }>)[0]!.dropped,
        ["urn:x:ext.v"]
      )
      const repaired = yield* scim.get(`/Groups/${id}`)
      assert.strictEqual(repaired.status, 200, repaired.text)
      assert.strictEqual(at(repaired.body, "urn:x:ext.ok"), "kept")
      assert.include(arr((yield* scim.get("/Groups")).body, "Resources").map((g) => at(g, "id")), id)
    }), 180_000)
})

/**
 * The SQL store on its three engines side by side, in one run: SQLite in a file (the embedded
 * default), PGlite in a data directory, and the Postgres server when one answers. At 10,000 users:
 * the cost of single statements (a primary-key `select`, a lookup by `lower(user_name)`, a
 * one-row `update`, each outside a transaction) and of the store's own calls (insert a user, get by
 * id, findByUserName, a `userName eq` query with its exact total, add one member). Then the
 * resident memory of a process holding the store with 10,000 and 100,000 users (a child process
 * per store; set SCIMKIT_BENCH_MEMORY=0 to skip, SCIMKIT_BENCH_PGLITE_100K=0 to skip PGlite at
 * 100,000). Prints figures; asserts nothing.
 *
 * The server: SCIMKIT_BENCH_DATABASE_URL, else SCIMKIT_TEST_DATABASE_URL, else DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test (a schema created and dropped by the run).
 *
 *   npx tsx --conditions=@scimkit/source bench/run.ts stores
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as SqlClient from "effect/sql/SqlClient"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { Filter, Model, ProjectStore, Schemas, Transactions, UserStore, type StoreQuery } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import { PgliteClient, StorePostgres } from "@scimkit/store-postgres"
import type { Dialect } from "@scimkit/store-sql"
import { StoreSql } from "@scimkit/store-sql"
import { StoreSqlite } from "@scimkit/store-sqlite"
import { mulberry32 } from "./random.js"
import { benchUser, benchUserId } from "./users.js"

const users = 10_000
const platform = Model.PlatformId.make("bench")
const group = Model.ProjectId.make("bench-group")

const baseUrl = process.env["SCIMKIT_BENCH_DATABASE_URL"] ?? process.env["SCIMKIT_TEST_DATABASE_URL"] ??
  process.env["DATABASE_URL"] ??
  "postgres://postgres@127.0.0.1:5432/test"

const userId = benchUserId
const user = benchUser

/** A filter on users as the services hand it to a store: parsed and checked. */
const parse = (text: string) => {
  const parsed = Result.flatMap(Filter.parseResult(text), (ast) => Filter.check(Schemas.UserResourceType, ast))
  if (Result.isFailure(parsed)) throw new Error(parsed.failure.message)
  return parsed.success
}

interface Engine {
  readonly name: string
  readonly dialect: Dialect.Dialect
  readonly client: Layer.Layer<SqlClient.SqlClient, unknown>
}

const tmp = (label: string) => Fs.mkdtempSync(Path.join(Os.tmpdir(), `scimkit-bench-${label}-`))

interface Figure {
  readonly mean: number
  readonly p50: number
  readonly p99: number
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!

const serverReachable = async (): Promise<boolean> => {
  const admin = ManagedRuntime.make(
    StorePostgres.layerClient(Redacted.make(baseUrl), { maxConnections: 1, connectTimeout: "3 seconds" })
  )
  const ok = await admin.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql`select 1`).pipe(
      Effect.as(true),
      Effect.catch(() => Effect.succeed(false))
    )
  ).catch(() => false)
  await admin.dispose()
  return ok
}

const serverSchema = `scimkit_bench_stores_${process.pid}`
const withSchema = (url: string, sql: (s: SqlClient.SqlClient) => Effect.Effect<unknown, unknown>) => {
  const admin = ManagedRuntime.make(StorePostgres.layerClient(Redacted.make(url), { maxConnections: 1 }))
  return admin.runPromise(Effect.flatMap(SqlClient.SqlClient, sql)).finally(() => admin.dispose())
}

const benchEngine = async (engine: Engine): Promise<Map<string, Figure>> => {
  const runtime = ManagedRuntime.make(StoreSql.layerMigrated(engine.dialect).pipe(Layer.provideMerge(engine.client)))
  const figures = new Map<string, Figure>()
  try {
    const started = performance.now()
    await runtime.runPromise(Effect.gen(function*() {
      const store = yield* UserStore.UserStore
      const transactions = yield* Transactions.Transactions
      for (let from = 1; from <= users; from += 1000) {
        yield* transactions.run(
          Effect.forEach(Array.from({ length: 1000 }, (_, i) => user(from + i)), (u) => store.insert(platform, u), {
            discard: true
          })
        )
      }
      const projects = yield* ProjectStore.ProjectStore
      const t0 = DateTime.makeUnsafe(Date.UTC(2024, 0, 1))
      yield* projects.insert(
        platform,
        new Model.StoredProject({
          id: group,
          displayName: "Everyone",
          externalId: Option.none(),
          document: { displayName: "Everyone" },
          version: 1,
          created: t0,
          lastModified: t0
        })
      )
    }))
    console.log(
      `${engine.name}: loaded ${users.toLocaleString("en")} users in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s`
    )
    const sql = await runtime.runPromise(SqlClient.SqlClient)
    const userStore = await runtime.runPromise(UserStore.UserStore)
    const projectStore = await runtime.runPromise(ProjectStore.ProjectStore)
    const d = engine.dialect.sql(sql)
    const random = mulberry32(11)
    const pick = () => 1 + Math.floor(random() * users)

    const measure = async (name: string, iterations: number, make: (i: number) => Effect.Effect<unknown, unknown>) => {
      for (let i = 0; i < Math.min(200, iterations); i++) await runtime.runPromise(make(-1 - i))
      const times: Array<number> = []
      for (let i = 0; i < iterations; i++) {
        const effect = make(i)
        const start = performance.now()
        await runtime.runPromise(effect)
        times.push(performance.now() - start)
      }
      times.sort((a, b) => a - b)
      const mean = times.reduce((a, b) => a + b, 0) / times.length
      figures.set(name, { mean: mean * 1000, p50: percentile(times, 50) * 1000, p99: percentile(times, 99) * 1000 })
    }

    const n = engine.name.startsWith("pglite") ? 2000 : 5000
    await measure(
      "statement: select by primary key",
      n,
      () => sql`select * from scimkit_users where platform = ${platform} and id = ${d.text(userId(pick()))}`
    )
    await measure(
      "statement: select by lower(user_name)",
      n,
      () =>
        sql`select * from scimkit_users t where t.platform = ${platform} and ${d.folded(sql`t.user_name`)} = ${
          d.folded(d.text(`USER${pick()}@example.com`))
        }`
    )
    await measure(
      "statement: update one row",
      n,
      (i) =>
        sql`update scimkit_users set display_name = ${`User ${i}`} where platform = ${platform} and id = ${
          d.text(userId(pick()))
        }`
    )
    let next = users + 1
    await measure("store: insert a user", n, () => userStore.insert(platform, user(next++)))
    await measure("store: get by id", n, () => userStore.get(platform, userId(pick())))
    await measure("store: findByUserName", n, () => userStore.findByUserName(platform, `USER${pick()}@example.com`))
    const page: StoreQuery.IndexPage = { _tag: "Index", startIndex: 1, count: 10 }
    await measure(
      "store: query userName eq (with total)",
      n,
      () =>
        userStore.query(platform, {
          filter: Option.some(parse(`userName eq "User${pick()}@Example.com"`)),
          sort: Option.none(),
          page
        })
    )
    let member = 0
    await measure(
      "store: add one member",
      Math.min(n, users - 300),
      () =>
        projectStore.addMembers(
          platform,
          group,
          [new Model.Membership({ userId: userId(++member), role: "Editor" })],
          "scim"
        )
    )
  } finally {
    await runtime.dispose()
  }
  return figures
}

const memory = (kind: "sqlite" | "pglite", count: number): Promise<string> =>
  new Promise((resolve) => {
    const here = Path.dirname(fileURLToPath(import.meta.url))
    const dir = tmp(`${kind}-mem`)
    const child = ChildProcess.spawn(
      process.execPath,
      [
        "--expose-gc",
        "--conditions=@scimkit/source",
        "--import",
        "tsx",
        Path.join(here, "storesChild.ts"),
        kind,
        String(count),
        dir
      ],
      { cwd: Path.resolve(here, ".."), stdio: ["ignore", "pipe", "inherit"] }
    )
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()))
    child.on("exit", () => {
      Fs.rmSync(dir, { recursive: true, force: true })
      resolve(out.trim())
    })
  })

export default async function(): Promise<void> {
  const dirs: Array<string> = []
  const sqliteDir = tmp("sqlite")
  const pgliteDir = tmp("pglite")
  dirs.push(sqliteDir, pgliteDir)
  const engines: Array<Engine> = [
    {
      name: "sqlite (file)",
      dialect: StoreSqlite.dialect,
      client: StoreSqlite.layerClient({ filename: Path.join(sqliteDir, "scimkit.db") })
    },
    { name: "pglite (file)", dialect: StorePostgres.dialect, client: PgliteClient.layer({ dataDir: pgliteDir }) }
  ]
  const server = await serverReachable()
  if (server) {
    await withSchema(baseUrl, (sql) => sql`create schema ${sql(serverSchema)}`)
    const u = new URL(baseUrl)
    u.searchParams.set("options", `-c search_path=${serverSchema}`)
    engines.push({
      name: "postgres server",
      dialect: StorePostgres.dialect,
      client: StorePostgres.layerClient(Redacted.make(u.toString()), { maxConnections: 4 })
    })
  } else {
    console.log(`no Postgres server answers at ${new URL(baseUrl).host}: measuring SQLite and PGlite only`)
  }
  const results: Array<readonly [string, Map<string, Figure>]> = []
  try {
    for (const engine of engines) results.push([engine.name, await benchEngine(engine)])
  } finally {
    if (server) await withSchema(baseUrl, (sql) => sql`drop schema ${sql(serverSchema)} cascade`).catch(() => undefined)
    for (const dir of dirs) Fs.rmSync(dir, { recursive: true, force: true })
  }

  console.log(`\n${users.toLocaleString("en")} users; sequential calls, mean / p50 / p99 in µs (ops/s from the mean)`)
  console.log(`${"".padEnd(42)}${results.map(([name]) => name.padStart(30)).join("")}`)
  for (const name of results[0]![1].keys()) {
    const cells = results.map(([, figures]) => {
      const f = figures.get(name)!
      return `${f.mean.toFixed(1)} / ${f.p50.toFixed(1)} / ${f.p99.toFixed(0)}`.padStart(30)
    })
    console.log(`${name.padEnd(42)}${cells.join("")}`)
  }
  console.log(
    `${"  (ops/s, select by primary key)".padEnd(42)}${
      results.map(([, figures]) =>
        `${Math.round(1e6 / figures.get("statement: select by primary key")!.mean).toLocaleString("en")}/s`.padStart(30)
      ).join("")
    }`
  )

  if (process.env["SCIMKIT_BENCH_MEMORY"] === "0") return
  console.log(
    "\nresident memory of a process holding the store (MB: before opening, opened, loaded, after 1,000 lookups)"
  )
  const cases: Array<readonly ["sqlite" | "pglite", number]> = [["sqlite", 10_000], ["sqlite", 100_000], [
    "pglite",
    10_000
  ]]
  if (process.env["SCIMKIT_BENCH_PGLITE_100K"] !== "0") cases.push(["pglite", 100_000])
  for (const [kind, count] of cases) {
    const line = await memory(kind, count)
    try {
      const m = JSON.parse(line) as { before: number; opened: number; loaded: number; used: number }
      console.log(
        `${
          `${kind} with ${count.toLocaleString("en")} users`.padEnd(32)
        } ${m.before} → ${m.opened} → ${m.loaded} → ${m.used}`
      )
    } catch {
      console.log(`${kind} with ${count}: ${line}`)
    }
  }
}

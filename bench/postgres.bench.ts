/**
 * The Postgres store at scale: 1,000,000 users and a 100,000-member project on the Postgres
 * server, measured through the store's own methods (what a SCIM request costs in the database):
 * p50/p99 of `userName eq`, `externalId eq`, adding and removing one member of the big project,
 * and a page of 100 users sorted by userName (index paging, and RFC 9865 keyset cursors at the
 * start and at the end of the walk). Every list call also returns the exact total: with no filter
 * the platform's counter row (kept by triggers), with a filter a count of the matches.
 *
 * The data lives in the schema `scimkit_bench` and is loaded once (generate_series), then reused;
 * the store's migrations run first, so a schema from an older version gains the counters (filled
 * from its rows) and is reused too.
 * Uses SCIMKIT_BENCH_DATABASE_URL, else SCIMKIT_TEST_DATABASE_URL, else DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test; prints a message and skips when no server answers.
 *
 *   npx tsx --conditions=@scimkit/source bench/run.ts postgres
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as SqlClient from "effect/sql/SqlClient"
import { Filter, Model, ProjectStore, Schemas, Sort, UserStore, type StoreQuery } from "@scimkit/core"
import { StorePostgres } from "@scimkit/store-postgres"
import { mulberry32 } from "./random.js"

const schema = "scimkit_bench"
const platform = Model.PlatformId.make("bench")
const bigProject = Model.ProjectId.make("bench-big")
const userCount = 1_000_000
const memberCount = 100_000
const chunk = 100_000

const baseUrl = process.env["SCIMKIT_BENCH_DATABASE_URL"] ?? process.env["SCIMKIT_TEST_DATABASE_URL"] ??
  process.env["DATABASE_URL"] ??
  "postgres://postgres@127.0.0.1:5432/test"

const withSearchPath = (url: string): string => {
  const u = new URL(url)
  u.searchParams.set("options", `-c search_path=${schema}`)
  return u.toString()
}

const userId = (n: number): string => `u${String(n).padStart(7, "0")}`

const random = mulberry32(7)
const pick = (from: number, to: number): number => from + Math.floor(random() * (to - from + 1))

/** A filter on users as the services hand it to a store: parsed and checked. */
const parse = (text: string) => {
  const parsed = Result.flatMap(Filter.parseResult(text), (ast) => Filter.check(Schemas.UserResourceType, ast))
  if (Result.isFailure(parsed)) throw new Error(parsed.failure.message)
  return parsed.success
}

/** Creates the schema and loads the data unless a previous run left it complete. */
const ensureData = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const users = yield* sql<{ n: number }>`select count(*)::int as n from scimkit_users where platform = ${platform}`
  const members = yield* sql<{ n: number }>`select count(*)::int as n from scimkit_project_members
    where platform = ${platform} and project_id = ${bigProject}`
  const counted = yield* sql<
    { n: number }
  >`select coalesce((select users from scimkit_platform_counts where platform = ${platform}), 0) as n`
  if (users[0]?.n === userCount && members[0]?.n === memberCount && counted[0]?.n === userCount) {
    console.log(
      `reusing ${userCount.toLocaleString("en")} users and a ${
        memberCount.toLocaleString("en")
      }-member project in schema ${schema}`
    )
    return
  }
  console.log(
    `loading ${userCount.toLocaleString("en")} users and a ${
      memberCount.toLocaleString("en")
    }-member project into schema ${schema} (once)…`
  )
  const started = performance.now()
  yield* sql`truncate scimkit_project_members, scimkit_projects, scimkit_users`
  yield* sql`set synchronous_commit = off`
  for (let from = 1; from <= userCount; from += chunk) {
    const to = Math.min(userCount, from + chunk - 1)
    yield* sql`insert into scimkit_users
        (platform, id, user_name, external_id, display_name, active, platform_role, document, version, created, last_modified)
      select ${platform}, 'u' || lpad(i::text, 7, '0'), 'user' || i || '@example.com', 'ext-' || i, 'User ' || i, true, 'MEMBER',
        jsonb_build_object(
          'schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'),
          'userName', 'user' || i || '@example.com',
          'displayName', 'User ' || i,
          'active', true,
          'name', jsonb_build_object('givenName', 'User', 'familyName', 'Number ' || i),
          'emails', jsonb_build_array(jsonb_build_object('value', 'user' || i || '@example.com', 'type', 'work', 'primary', true)),
          'title', 'Title ' || (i % 50)),
        1, timestamptz '2024-01-01' + i * interval '1 second', timestamptz '2024-01-01' + i * interval '1 second'
      from generate_series(${from}::int, ${to}::int) i`
    process.stdout.write(`  users ${to.toLocaleString("en")}\r`)
  }
  yield* sql`insert into scimkit_projects (platform, id, display_name, external_id, document, version, created, last_modified)
    values (${platform}, ${bigProject}, 'Everyone', null, '{"displayName":"Everyone"}'::jsonb, 1, now(), now())`
  yield* sql`insert into scimkit_project_members (platform, project_id, user_id, role)
    select ${platform}, ${bigProject}, 'u' || lpad(i::text, 7, '0'), 'Editor' from generate_series(1, ${memberCount}::int) i`
  yield* sql`vacuum analyze scimkit_users`
  yield* sql`vacuum analyze scimkit_projects`
  yield* sql`vacuum analyze scimkit_project_members`
  console.log(`loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`)
})

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!

const index = (count: number): StoreQuery.IndexPage => ({ _tag: "Index", startIndex: 1, count })

export default async function(): Promise<void> {
  const admin = ManagedRuntime.make(
    StorePostgres.layerClient(Redacted.make(baseUrl), { maxConnections: 1, connectTimeout: "3 seconds" })
  )
  const reachable = await admin.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql`create schema if not exists ${sql(schema)}`).pipe(
      Effect.as(true),
      Effect.catch((e) =>
        Effect.sync(() => {
          console.log(
            `skipped: no Postgres server answers at ${
              new URL(baseUrl).host
            } (${e.message}); set SCIMKIT_BENCH_DATABASE_URL to run`
          )
          return false
        })
      )
    )
  ).catch(() => false)
  await admin.dispose()
  if (!reachable) return

  const layer = Layer.merge(StorePostgres.layer, StorePostgres.layerMigrations).pipe(
    Layer.provideMerge(StorePostgres.layerClient(Redacted.make(withSearchPath(baseUrl)), { maxConnections: 4 }))
  )
  const runtime = ManagedRuntime.make(layer)
  try {
    await runtime.runPromise(ensureData)
    const users = await runtime.runPromise(UserStore.UserStore)
    const projects = await runtime.runPromise(ProjectStore.ProjectStore)

    const measure = async (name: string, iterations: number, make: (i: number) => Effect.Effect<unknown, unknown>) => {
      for (let i = 0; i < Math.min(50, iterations); i++) await runtime.runPromise(make(i))
      const times: Array<number> = []
      for (let i = 0; i < iterations; i++) {
        const effect = make(i)
        const start = performance.now()
        await runtime.runPromise(effect)
        times.push(performance.now() - start)
      }
      times.sort((a, b) => a - b)
      console.log(
        `${name.padEnd(58)} p50 ${percentile(times, 50).toFixed(2).padStart(7)} ms   p99 ${
          percentile(times, 99).toFixed(2).padStart(7)
        } ms   (${iterations} calls)`
      )
    }

    console.log(
      `\n${userCount.toLocaleString("en")} users, project of ${
        memberCount.toLocaleString("en")
      } members; sequential calls through the store`
    )
    await measure(
      "users: filter userName eq (any case), count 100",
      1000,
      () =>
        users.query(platform, {
          filter: Option.some(parse(`userName eq "USER${pick(1, userCount)}@Example.com"`)),
          sort: Option.none(),
          page: index(100)
        })
    )
    await measure(
      "users: filter externalId eq, count 100",
      1000,
      () =>
        users.query(platform, {
          filter: Option.some(parse(`externalId eq "ext-${pick(1, userCount)}"`)),
          sort: Option.none(),
          page: index(100)
        })
    )

    const outsider = (i: number) =>
      Model.UserId.make(userId(memberCount + 1 + ((i * 7919) % (userCount - memberCount))))
    let added = 0
    await measure(
      "project: add one member (addMembers)",
      500,
      (i) =>
        Effect.tap(
          projects.addMembers(
            platform,
            bigProject,
            [new Model.Membership({ userId: outsider(i), role: "Editor" })],
            "scim"
          ),
          (memberships) =>
            Effect.sync(() => {
              added += memberships.length
            })
        )
    )
    await measure(
      "project: remove one member (removeMembers)",
      500,
      (i) =>
        Effect.tap(
          projects.removeMembers(platform, bigProject, [outsider(i)], "scim"),
          (memberships) =>
            Effect.sync(() => {
              added -= memberships.length
            })
        )
    )
    if (added !== 0) console.log(`warning: ${added} members added but not removed`)

    const byUserName = Sort.parse(Schemas.UserResourceType, "userName")
    const sort = Result.isSuccess(byUserName) ? byUserName.success : Option.none()
    await measure(
      "users: page of 100 sorted by userName (startIndex 1, exact total)",
      1000,
      () => users.query(platform, { filter: Option.none(), sort, page: index(100) })
    )
    await measure(
      "users: page of 100 by userName, startIndex 500,001 (OFFSET)",
      20,
      () =>
        users.query(platform, { filter: Option.none(), sort, page: { _tag: "Index", startIndex: 500_001, count: 100 } })
    )
    const cursorAt = (n: number): StoreQuery.CursorPage => ({
      _tag: "Cursor",
      after: Option.some({ sortValue: `user${n}@example.com`, id: userId(n) }),
      backward: false,
      count: 100
    })
    await measure(
      "users: cursor page of 100 by userName, near the start",
      100,
      (i) => users.query(platform, { filter: Option.none(), sort, page: cursorAt(100 + i) })
    )
    await measure(
      "users: cursor page of 100 by userName, near the end",
      100,
      (i) => users.query(platform, { filter: Option.none(), sort, page: cursorAt(999_000 - i) })
    )

    // the keyset read alone (what a page costs besides the exact total), at both ends of the walk
    const sql = await runtime.runPromise(SqlClient.SqlClient)
    const keysetOnly = (n: number) =>
      sql`select t.id from scimkit_users t where t.platform = ${platform}
        and lower(t.user_name) collate "C" >= lower(${`user${n}@example.com`}) collate "C"
        and (lower(t.user_name) collate "C" > lower(${`user${n}@example.com`}) collate "C" or t.id > ${userId(n)})
        order by lower(t.user_name) collate "C", t.id limit 101`
    await measure("  keyset rows only, near the start", 200, (i) => keysetOnly(100 + i))
    await measure("  keyset rows only, near the end", 200, (i) => keysetOnly(999_000 - i))
    await measure(
      "  exact total only (count(*) of 1,000,000)",
      20,
      () => sql`select count(*)::int from scimkit_users t where t.platform = ${platform}`
    )
    await measure(
      "  total from the platform's counter",
      200,
      () => sql`select coalesce((select n.users from scimkit_platform_counts n where n.platform = ${platform}), 0)`
    )
  } finally {
    await runtime.dispose()
  }
}

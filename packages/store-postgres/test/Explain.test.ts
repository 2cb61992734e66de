/**
 * Lookups by id, userName, externalId and group displayName, cursor pages, a user's groups and
 * membership filters run on indexes: `EXPLAIN` of the very statements the store executes, over 20,000 users.
 */
import { assert, layer } from "@effect/vitest"
import * as SqlClient from "effect/sql/SqlClient"
import type { Row } from "effect/sql/SqlConnection"
import type { Statement } from "effect/sql/Statement"
import { Filter, Model, Schemas, Sort, type StoreQuery } from "@scimkit/core"
import { StoreSql } from "@scimkit/store-sql"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Option from "effect/Option"
import { StorePostgres } from "../src/index.js"
import { databases, storesOver } from "./helpers.js"

const platform = Model.PlatformId.make(`explain-${Math.random().toString(36).slice(2, 8)}`)
const users = 20_000
const groups = 2_000
const members = 5_000

interface PlanNode {
  readonly "Node Type": string
  readonly "Relation Name"?: string
  readonly "Index Name"?: string
  readonly Plans?: ReadonlyArray<PlanNode>
}

const nodes = (node: PlanNode): ReadonlyArray<PlanNode> => [node, ...(node.Plans ?? []).flatMap(nodes)]

/** A filter as the services hand it to a store: parsed and checked against the resource type. */
const checked = (text: string, rt: Schemas.ResourceTypeDef = Schemas.UserResourceType) =>
  Result.getOrThrowWith(
    Result.flatMap(Filter.parseResult(text), (ast) => Filter.check(rt, ast)),
    (e) => new Error(e.message)
  )

const load = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`insert into scimkit_users (platform, id, user_name, external_id, display_name, active, platform_role, document, version, created, last_modified)
    select ${platform}, 'u' || lpad(i::text, 6, '0'), 'user' || i || '@example.com', 'ext-' || i, 'User ' || i, true, 'MEMBER',
      jsonb_build_object('userName', 'user' || i || '@example.com', 'title', 'T' || (i % 10)), 1,
      timestamptz '2024-01-01' + i * interval '1 second', timestamptz '2024-01-01' + i * interval '1 second'
    from generate_series(1, ${users}) i`
  yield* sql`insert into scimkit_projects (platform, id, display_name, external_id, document, version, created, last_modified)
    select ${platform}, 'g' || lpad(i::text, 6, '0'), 'Group ' || i, null, jsonb_build_object('displayName', 'Group ' || i), 1,
      timestamptz '2024-01-01' + i * interval '1 second', timestamptz '2024-01-01' + i * interval '1 second'
    from generate_series(1, ${groups}) i`
  yield* sql`insert into scimkit_project_members (platform, project_id, user_id, role)
    select ${platform}, 'g000001', 'u' || lpad(i::text, 6, '0'), 'Editor' from generate_series(1, ${members}) i`
  yield* sql`insert into scimkit_project_members (platform, project_id, user_id, role)
    select ${platform}, 'g' || lpad((2 + i % ${
    groups - 1
  })::text, 6, '0'), 'u' || lpad((1 + (i * 7) % ${users})::text, 6, '0'), 'Editor'
    from generate_series(1, 10000) i on conflict do nothing`
  yield* sql`analyze scimkit_users`
  yield* sql`analyze scimkit_projects`
  yield* sql`analyze scimkit_project_members`
}).pipe(Effect.orDie)

const explain = (statement: Statement<Row>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql`explain (format json) ${statement}`.pipe(Effect.orDie)
    const raw: unknown = Object.values(rows[0]!)[0]
    const json = (typeof raw === "string" ? JSON.parse(raw) : raw) as ReadonlyArray<{ readonly Plan: PlanNode }>
    return nodes(json[0]!.Plan)
  })

const page = (count: number): StoreQuery.IndexPage => ({ _tag: "Index", startIndex: 1, count })

const plans = (table: "scimkit_users" | "scimkit_projects", query: StoreQuery.StoreQuery) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const planned = StoreSql.queryStatements(
      StorePostgres.dialect,
      sql,
      table === "scimkit_users" ? "User" : "Group",
      platform,
      query
    )
    const total = yield* explain(planned.total)
    const rows = planned.rows === undefined ? [] : yield* explain(planned.rows)
    return { total, rows, text: planned.rows === undefined ? "" : planned.rows.compile()[0] }
  })

const usesIndex = (found: ReadonlyArray<PlanNode>, index: string, label: string): void => {
  assert.isTrue(
    found.some((n) => n["Index Name"] === index),
    `${label}: expected index ${index}, got ${
      JSON.stringify(found.map((n) => [n["Node Type"], n["Relation Name"] ?? "", n["Index Name"] ?? ""]))
    }`
  )
  assert.isFalse(found.some((n) => n["Node Type"] === "Seq Scan"), `${label}: no sequential scan`)
}

for (const db of databases) {
  layer(storesOver(db.client), { timeout: "5 minutes" })(`query plans (${db.name})`, (it) => {
    it.effect("lookups by id, userName (any case), externalId and group displayName use their indexes", () =>
      Effect.gen(function*() {
        yield* load
        const lookups: ReadonlyArray<readonly [string, "scimkit_users" | "scimkit_projects", string]> = [
          ["userName eq \"USER123@Example.com\"", "scimkit_users", "scimkit_users_user_name_key"],
          ["externalId eq \"ext-42\"", "scimkit_users", "scimkit_users_external_id_idx"],
          ["id eq \"u000042\"", "scimkit_users", "scimkit_users_pkey"],
          ["displayName eq \"group 7\"", "scimkit_projects", "scimkit_projects_display_name_key"],
          ["id eq \"g000007\"", "scimkit_projects", "scimkit_projects_pkey"]
        ]
        for (const [text, table, index] of lookups) {
          const rt = table === "scimkit_users" ? Schemas.UserResourceType : Schemas.GroupResourceType
          const found = yield* plans(table, {
            filter: Option.some(checked(text, rt)),
            sort: Option.none(),
            page: page(10)
          })
          usesIndex(found.total, index, `${text} (total)`)
          // the page carries its total (an InitPlan): both parts of the one statement use the index
          assert.include(found.text, "scimkit_total")
          usesIndex(found.rows, index, `${text} (page with its total)`)
        }
      }))

    it.effect("an index page with its total reads the page's rows on the sort index under a LIMIT, counting apart from them", () =>
      Effect.gen(function*() {
        const found = yield* plans("scimkit_users", {
          filter: Option.none(),
          sort: Option.none(),
          page: { _tag: "Index", startIndex: 101, count: 10 }
        })
        const kinds = found.rows.map((n) => n["Node Type"])
        assert.isTrue(
          found.rows.some((n) => n["Index Name"] === "scimkit_users_created_idx"),
          `the page walks the created index: ${JSON.stringify(kinds)}`
        )
        assert.strictEqual(found.rows[0]?.["Node Type"], "Limit", "a LIMIT stops the index scan")
        // a count(*) over () window would sort or keep every matching row before the LIMIT
        assert.isFalse(
          found.rows.some((n) => n["Node Type"] === "WindowAgg" || n["Node Type"] === "Sort"),
          JSON.stringify(kinds)
        )
      }))

    it.effect("with no filter the total is the platform's counter row (no count over the users); with one, the matches are counted", () =>
      Effect.gen(function*() {
        const byUserName = Result.getOrThrow(Sort.parse(Schemas.UserResourceType, "userName"))
        const counts = (found: ReadonlyArray<PlanNode>) => found.filter((n) => n["Node Type"] === "Aggregate").length
        const reads = (found: ReadonlyArray<PlanNode>, relation: string) =>
          found.some((n) => n["Relation Name"] === relation)
        const unfiltered: ReadonlyArray<StoreQuery.StoreQuery["page"]> = [
          page(100),
          { _tag: "Index", startIndex: 500, count: 100 },
          {
            _tag: "Cursor",
            after: Option.some({ sortValue: "user15000@example.com", id: "u015000" }),
            backward: false,
            count: 100
          }
        ]
        for (const [table, counted] of [["scimkit_users", "users"], ["scimkit_projects", "groups"]] as const) {
          for (const p of unfiltered) {
            const found = yield* plans(table, {
              filter: Option.none(),
              sort: table === "scimkit_users" ? byUserName : Option.none(),
              page: p
            })
            const label = `${counted}, ${p._tag} page`
            assert.isTrue(reads(found.total, "scimkit_platform_counts"), `${label}: the total reads the counter`)
            assert.isFalse(reads(found.total, table), `${label}: the total reads no ${counted}`)
            assert.strictEqual(counts(found.total), 0, `${label}: nothing is counted`)
            if (p._tag === "Index") {
              assert.isTrue(
                reads(found.rows, "scimkit_platform_counts"),
                `${label}: the page's total reads the counter`
              )
              assert.strictEqual(counts(found.rows), 0, `${label}: the page counts nothing`)
            }
          }
        }
        const matching = yield* plans("scimkit_users", {
          filter: Option.some(checked("title eq \"T3\"")),
          sort: Option.none(),
          page: page(10)
        })
        assert.isTrue(
          reads(matching.total, "scimkit_users") && counts(matching.total) > 0,
          "a filtered total counts the matches"
        )
        assert.isFalse(reads(matching.total, "scimkit_platform_counts"))
        assert.isTrue(
          reads(matching.rows, "scimkit_users") && counts(matching.rows) > 0,
          "a filtered page counts its matches"
        )
      }))

    it.effect("cursor pages are keyset reads on the sort index with no OFFSET, in both directions", () =>
      Effect.gen(function*() {
        const byUserName = Result.getOrThrow(Sort.parse(Schemas.UserResourceType, "userName"))
        const cases: ReadonlyArray<readonly [Option.Option<StoreQuery.Sort>, StoreQuery.CursorPosition, string]> = [
          [byUserName, { sortValue: "user15000@example.com", id: "u015000" }, "scimkit_users_user_name_key"],
          [Option.none(), { sortValue: "2024-01-01T04:00:00.000Z", id: "u014400" }, "scimkit_users_created_idx"]
        ]
        for (const [sort, position, index] of cases) {
          for (const backward of [false, true]) {
            const found = yield* plans("scimkit_users", {
              filter: Option.none(),
              sort,
              page: { _tag: "Cursor", after: Option.some(position), backward, count: 100 }
            })
            assert.notMatch(found.text, /offset/i)
            assert.isTrue(found.rows.some((n) => n["Node Type"] === "Limit"), "a LIMIT stops the index scan")
            usesIndex(found.rows, index, `cursor ${backward ? "backward" : "forward"} on ${index}`)
          }
        }
      }))

    it.effect("a user's groups (with the user, alone, for several users) are read by the user's membership index", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const statements = StoreSql.groupsStatements(StorePostgres.dialect, sql, platform, ["u000042", "u000043"])
        for (const [label, statement] of Object.entries(statements)) {
          const found = yield* explain(statement)
          assert.isTrue(
            found.some((n) => n["Index Name"] === "scimkit_project_members_user_idx"),
            `${label}: ${JSON.stringify(found.map((n) => [n["Node Type"], n["Index Name"] ?? ""]))}`
          )
          assert.isFalse(
            found.some((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "scimkit_project_members"),
            `${label}: no sequential scan of memberships`
          )
        }
      }))

    it.effect("a members filter probes membership rows by index; other group queries never touch them", () =>
      Effect.gen(function*() {
        const withMembers = yield* plans("scimkit_projects", {
          filter: Option.some(checked("members[value eq \"u000042\"]", Schemas.GroupResourceType)),
          sort: Option.none(),
          page: page(10)
        })
        assert.isTrue(withMembers.rows.some((n) => n["Relation Name"] === "scimkit_project_members"))
        assert.isFalse(
          withMembers.rows.some((n) =>
            n["Node Type"] === "Seq Scan" && n["Relation Name"] === "scimkit_project_members"
          ),
          "no sequential scan of memberships"
        )
        for (
          const text of [
            "displayName sw \"Group 1\"",
            "externalId eq \"x\" or meta.version eq \"W/\\\"1\\\"\"",
            "not (displayName pr)"
          ]
        ) {
          const found = yield* plans("scimkit_projects", {
            filter: Option.some(checked(text, Schemas.GroupResourceType)),
            sort: Option.none(),
            page: page(10)
          })
          for (const n of [...found.total, ...found.rows]) {
            assert.notStrictEqual(n["Relation Name"], "scimkit_project_members", `${text} reads no membership rows`)
          }
        }
      }))
  })
}

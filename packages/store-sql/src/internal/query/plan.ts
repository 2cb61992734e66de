/**
 * The statements of a list query (RFC 7644 §3.4.2, RFC 9865): the exact total (with no filter, the
 * platform's counter row; with one, a count of the matches), and the page as
 * `LIMIT/OFFSET` (index paging: the total rides along in the page's statement) or as a keyset query
 * on (sort key, id) with no OFFSET (cursors). Kept apart from their execution so that tests can
 * `EXPLAIN` the very statements the store runs.
 *
 * @internal
 */
import type { Row } from "effect/sql/SqlConnection"
import type { Fragment, Statement } from "effect/sql/Statement"
import type { Model, StoreQuery } from "@scimkit/core"
import * as Option from "effect/Option"
import { compileFilter } from "./filter.js"
import { createdKey, keyset, orderBy, sortKey } from "./order.js"
import type { Sql, View } from "./views.js"

/** The column of an index page's rows that carries the exact total. @internal */
export const totalColumn = "scimkit_total"

/**
 * The per-platform counters (`platform`, `users`, `projects`), kept exact by the database's own
 * triggers in the transaction of every insert and delete of a user or project (see the
 * migrations of each dialect). An unfiltered list reads its total there: one row by primary key
 * instead of a `count(*)` over every row of the platform.
 *
 * @internal
 */
export const countsTable = "scimkit_platform_counts"

const countsColumn = { scimkit_users: "users", scimkit_projects: "projects" } as const

/** @internal */
export type QueryPlan =
  | {
    readonly _tag: "Index"
    /**
     * The exact total alone: for `count` 0, and for a page past the end (no row carries the total
     * then; a page from the start with no row has none to count).
     */
    readonly total: Statement<Row>
    /**
     * The page, every row carrying the exact total in {@link totalColumn}: page and total in one
     * statement. The total is an uncorrelated scalar subquery, computed once (Postgres: an InitPlan;
     * SQLite: a subquery run once) on the cheapest path for a count, while the page keeps its
     * `ORDER BY … LIMIT` on the sort index (a `count(*) over ()` window would read and keep every
     * matching row, documents included, before the LIMIT). Undefined when `count` is 0.
     */
    readonly rows: Statement<Row> | undefined
    readonly start: number
    readonly count: number
  }
  | {
    readonly _tag: "Cursor"
    /** The exact total of the whole result, apart: the page is bounded by the cursor, the total is not. */
    readonly total: Statement<Row>
    /** `count + 1` rows in walking order (the extra one tells `hasMore`); for `count` 0 one probe row */
    readonly rows: Statement<Row>
    readonly count: number
    readonly backward: boolean
  }

/**
 * Plans a query over `table t`. Throws `UncheckedQuery` for a filter or sort the core would reject
 * (the service checks both before it calls the store).
 *
 * @internal
 */
export const plan = (
  c: Sql,
  view: View,
  table: "scimkit_users" | "scimkit_projects",
  columns: string,
  platform: Model.PlatformId,
  query: StoreQuery.StoreQuery
): QueryPlan => {
  const sql = c.sql
  let condition: Fragment = sql`t.platform = ${platform}`
  if (Option.isSome(query.filter)) {
    // checked and compiled once by the service; here only translated
    condition = sql`${condition} and ${compileFilter(c, view, query.filter.value.ast)}`
  }
  const key = Option.match(query.sort, {
    onNone: () => createdKey(c),
    onSome: (sort) => sortKey(c, view, sort.path)
  })
  const descending = Option.exists(query.sort, (s) => s.descending)
  const from = sql`${sql(table)} t`
  const select = sql.literal(columns)
  // no filter: the platform's counter (no row yet: nothing was ever stored, 0); a filter: the matches, counted
  const totalExpression = Option.isNone(query.filter)
    ? sql`coalesce((select n.${sql.literal(countsColumn[table])} from ${
      sql.literal(countsTable)
    } n where n.platform = ${platform}), 0)`
    : sql`(select cast(count(*) as integer) from ${from} where ${condition})`
  const total = sql`select ${totalExpression} as total`
  const page = query.page
  const count = Math.max(0, page.count)
  if (page._tag === "Index") {
    const start = Math.max(1, page.startIndex) - 1
    return {
      _tag: "Index",
      total,
      rows: count === 0
        ? undefined
        : sql`select ${select}, ${totalExpression} as ${sql.literal(totalColumn)}
          from ${from} where ${condition} order by ${orderBy(c, key, descending)} limit ${count} offset ${start}`,
      start,
      count
    }
  }
  // walking forward reads the rows after the position in sort order; backward, the rows before it, in reverse
  const afterInOrder = !page.backward !== descending
  const bounded = Option.match(page.after, {
    onNone: () => condition,
    onSome: (position) => sql`${condition} and ${keyset(c, key, position, afterInOrder)}`
  })
  return {
    _tag: "Cursor",
    total,
    rows: count === 0
      ? sql`select ${select} from ${from} where ${bounded} limit 1`
      : sql`select ${select} from ${from} where ${bounded} order by ${
        orderBy(c, key, descending !== page.backward)
      } limit ${count + 1}`,
    count,
    backward: page.backward
  }
}

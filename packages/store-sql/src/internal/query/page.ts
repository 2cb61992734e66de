/**
 * One list page (RFC 7644 §3.4.2, RFC 9865): the statements of `plan.ts` run and their rows read.
 * Index paging reads page and exact total in one statement (the total rides on every row; only a
 * page past the end, which has no row, counts apart); cursor paging reads the keyset-bounded page
 * and the total of the whole result side by side, in two.
 *
 * @internal
 */
import type { Model, ScimError, StoreQuery } from "@scimkit/core"
import * as Effect from "effect/Effect"
import type { Row } from "effect/sql/SqlConnection"
import type { StoreClient } from "../store/client.js"
import type { ResourceTable } from "../store/tables.js"
import { plan, type QueryPlan, totalColumn } from "./plan.js"
import { UncheckedQuery, type View } from "./views.js"

/** The page of `query` over `table`, its rows read by `decode`. @internal */
export const listPage = <A>(
  client: StoreClient,
  view: View,
  table: ResourceTable,
  columns: string,
  decode: (row: Row) => A,
  platform: Model.PlatformId,
  query: StoreQuery.StoreQuery
): Effect.Effect<StoreQuery.Page<A>, ScimError.StoreError> => {
  const action = `list ${view.rt.name}s`
  let planned: QueryPlan
  try {
    planned = plan(client, view, table, columns, platform, query)
  } catch (e) {
    return Effect.die(
      e instanceof UncheckedQuery ? new Error(`The query reached the store without being checked: ${e.message}`) : e
    )
  }
  const { read } = client
  const total = client.readRows(
    action,
    planned.total,
    (rows) => (rows.length === 0 ? 0 : read.integer(rows[0]!, "total"))
  )
  if (planned._tag === "Index") {
    const { count, rows, start } = planned
    const page = (items: ReadonlyArray<A>, matches: number): StoreQuery.Page<A> => ({
      items,
      total: matches,
      hasMore: start + count < matches
    })
    if (rows === undefined) return Effect.map(total, (matches) => page([], matches))
    return Effect.matchEffect(rows, {
      onFailure: client.sqlFailure(action),
      onSuccess: (found) =>
        found.length > 0
          ? client.decoded(action, () => page(found.map((row) => decode(row)), read.integer(found[0]!, totalColumn)))
          : start === 0
          ? Effect.succeed(page([], 0))
          : Effect.map(total, (matches) => page([], matches))
    })
  }
  const { backward, count } = planned
  return Effect.map(
    Effect.all([total, client.many(decode, action, planned.rows)], { concurrency: "unbounded" }),
    ([matches, found]) => {
      const items = found.slice(0, count)
      return { items: backward ? items.reverse() : items, total: matches, hasMore: found.length > count }
    }
  )
}

/**
 * Deleting old rows (events, delivery attempts) a chunk at a time, so that pruning months of
 * history is many short statements (their locks, their WAL) rather than one long one.
 *
 * @internal
 */
import type { ScimError } from "@scimkit/core"
import * as Effect from "effect/Effect"
import type { Fragment } from "effect/sql/Statement"
import type { StoreClient } from "./client.js"

/**
 * Rows deleted per statement; each statement returns at most this many rows to count. A guess,
 * never measured against other sizes.
 */
const pruneChunk = 5_000

/**
 * Deletes the rows of `table` that `which` selects, identified by the column `key`, `pruneChunk`
 * per statement; the number deleted.
 *
 * @internal
 */
export const pruneInChunks = (
  { sql, sqlFailure }: StoreClient,
  table: string,
  key: string,
  which: Fragment,
  action: string
): Effect.Effect<number, ScimError.StoreError> =>
  Effect.gen(function*() {
    let deleted = 0
    while (true) {
      const rows = yield* sql`delete from ${sql(table)} where ${sql(key)} in
          (select ${sql(key)} from ${sql(table)} where ${which} limit ${pruneChunk})
        returning 1 as deleted`.pipe(Effect.catchTag("SqlError", sqlFailure(action)))
      deleted += rows.length
      if (rows.length < pruneChunk) return deleted
    }
  })

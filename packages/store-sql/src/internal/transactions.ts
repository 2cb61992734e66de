/**
 * The `Transactions` port over SQL: `run` is one SQL transaction of the client every port shares
 * (`SqlClient.withTransaction`: nested runs are savepoints). The engine serialises concurrent
 * transactions as it always does (Postgres: row locks, and the store's statements are written so
 * that check and write are one step; SQLite: one writer, `BEGIN IMMEDIATE`).
 *
 * @internal
 */
import { Transactions } from "@scimkit/core"
import * as Effect from "effect/Effect"
import { isSqlError } from "effect/sql/SqlError"
import type { StoreClient } from "./store/client.js"

/** @internal */
export const make = ({ failure, sql }: StoreClient): Transactions.Transactions["Service"] =>
  Transactions.Transactions.of({
    run: (effect) =>
      sql.withTransaction(effect).pipe(
        // a SqlError here is BEGIN's or COMMIT's (the ports' statements map their own failures)
        Effect.catchIf(isSqlError, (e) => Effect.fail(failure("run a transaction")(e))),
        // effect/sql raises a failed ROLLBACK, and a failed COMMIT whose cleanup failed too, as defects
        Effect.catchDefect((defect) =>
          isSqlError(defect) ? Effect.fail(failure("end a transaction")(defect)) : Effect.die(defect)
        )
      )
  })

/**
 * The `DeliveryLog` port over SQL: every attempt to deliver a batch of events in
 * `scimkit_deliveries`, one row each, `id` assigned by the database (increasing, never reused).
 *
 * @internal
 */
import { DeliveryLog, ScimError } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Fragment } from "effect/sql/Statement"
import type { StoreClient } from "./store/client.js"
import { pruneInChunks } from "./store/prune.js"

const deliveryColumns =
  "id, endpoint, batch_id, first_position, last_position, events, attempt, at, status, ok, error, duration_millis"

/** @internal */
export const make = (client: StoreClient): DeliveryLog.DeliveryLog["Service"] => {
  const { d, first, many, read, sql, timestamp, traced } = client
  const columns = sql.literal(deliveryColumns)

  return DeliveryLog.DeliveryLog.of({
    record: (attempt) =>
      first(
        (row) => read.bigInteger(row, "id"),
        "record a delivery attempt",
        sql`insert into scimkit_deliveries
            (endpoint, batch_id, first_position, last_position, events, attempt, at, status, ok, error, duration_millis)
          values (${d.text(attempt.endpoint)}, ${d.text(attempt.batchId)}, ${attempt.first}, ${attempt.last},
            ${attempt.events}, ${attempt.attempt}, ${timestamp(attempt.at)}, ${Option.getOrNull(attempt.status)},
            ${d.boolean(attempt.ok)}, ${Option.getOrNull(attempt.error)}, ${attempt.durationMillis})
          returning id`,
        () => new ScimError.StoreError({ message: "Cannot record a delivery attempt: the insert returned no id" })
      ).pipe(
        Effect.map((id) => new DeliveryLog.DeliveryAttempt({ ...attempt, id })),
        traced("DeliveryLog.record")
      ),
    list: (options) => {
      if (options.limit <= 0) return Effect.succeed([])
      const conditions: Array<Fragment> = []
      if (options.before !== undefined) conditions.push(sql`id < ${options.before}`)
      if (options.endpoint !== undefined) conditions.push(sql`endpoint = ${d.text(options.endpoint)}`)
      return many(
        read.delivery,
        "list delivery attempts",
        sql`select ${columns} from scimkit_deliveries
          ${conditions.length === 0 ? sql`` : sql`where ${sql.and(conditions)}`}
          order by id desc limit ${Math.floor(options.limit)}`
      ).pipe(traced("DeliveryLog.list"))
    },
    prune: (before) =>
      pruneInChunks(client, "scimkit_deliveries", "id", sql`at < ${timestamp(before)}`, "prune delivery attempts")
        .pipe(traced("DeliveryLog.prune"))
  })
}

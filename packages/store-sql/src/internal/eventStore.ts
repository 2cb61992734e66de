/**
 * The `EventStore` port over SQL: the change feed in `scimkit_events`, one row per event, keyed by
 * its position; the positions' counter in the one row of `scimkit_event_counter`; consumers'
 * checkpoints and leases in `scimkit_event_checkpoints` and `scimkit_event_leases`.
 *
 * Positions in commit order. `append` runs as the write transaction's last statements: first
 * `update scimkit_event_counter set position = position + n returning position`, which takes the
 * next `n` positions, then the insert of the events. On Postgres the update locks the counter row
 * until the transaction commits (or rolls back, undoing the bump), so writers take positions one
 * transaction at a time, each after the previous holder has committed: positions are consecutive,
 * and a transaction's events become visible only after every event with a lower position did. A
 * reader that has seen position p has therefore seen every event before p, and a consumer can
 * resume after the last position it handled without missing a late commit. The lock is held from
 * a write's last statements to its commit only, never across its other work. SQLite has one
 * writer at a time (the write lock from `BEGIN IMMEDIATE` to `COMMIT`), so the same statements
 * give the same order there without waiting on anything.
 *
 * @internal
 */
import { ChangeEvent, EventStore, ScimError } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Row } from "effect/sql/SqlConnection"
import type { Fragment } from "effect/sql/Statement"
import type { StoreClient } from "./store/client.js"
import { pruneInChunks } from "./store/prune.js"

const eventColumns =
  "position, platform, type, resource_type, resource_id, version, changed, before, after, member, at, credential, request_id"

/**
 * Events per insert statement: 13 values each, so 6,500 bound values (Postgres takes up to 65,535
 * per statement, SQLite 32,766). A write adding 10,000 members appends 10,000 events in 20
 * statements. A guess, never measured against other sizes.
 */
const eventChunk = 500

// built from checked events: the class's own checks need not run again
const trusted = { disableChecks: true } as const

const missingCounter = () =>
  new ScimError.StoreError({
    message: "Cannot record events: the event counter row is missing; check the database was migrated by this version"
  })

/** @internal */
export const make = (client: StoreClient): EventStore.EventStore["Service"] => {
  const { d, first, many, read, sql, timestamp, traced } = client
  const columns = sql.literal(eventColumns)
  const position = (row: Row) => read.bigInteger(row, "position")
  const jsonOrNull = <A extends object>(value: Option.Option<A>, json: (a: A) => Fragment): Fragment =>
    Option.isSome(value) ? json(value.value) : d.jsonNull

  const values = (e: ChangeEvent.ChangeEvent): Fragment =>
    sql`(${e.position}, ${e.platform}, ${e.type}, ${e.resourceType}, ${d.text(e.resourceId)}, ${e.version},
      ${d.json(e.changed)}, ${jsonOrNull(e.before, d.document)}, ${jsonOrNull(e.after, d.document)},
      ${jsonOrNull(e.member, (m) => d.json({ userId: m.userId, role: m.role }))}, ${timestamp(e.at)},
      ${Option.getOrNull(e.actor.credential)}, ${Option.getOrNull(e.actor.requestId)})`

  return EventStore.EventStore.of({
    append: (events) => {
      if (events.length === 0) return Effect.succeed([])
      const n = events.length
      return Effect.gen(function*() {
        // the counter first, the events right after: the write's last statements (see the module's doc)
        const last = yield* first(
          position,
          "number events",
          sql`update scimkit_event_counter set position = position + ${n} where id = 1 returning position`,
          missingCounter
        )
        const stored = events.map((e, i) => new ChangeEvent.ChangeEvent({ ...e, position: last - n + 1 + i }, trusted))
        for (let i = 0; i < stored.length; i += eventChunk) {
          yield* sql`insert into scimkit_events (${columns}) values ${
            sql.join(",\n", false)(stored.slice(i, i + eventChunk).map(values))
          }`.pipe(Effect.catchTag("SqlError", client.sqlFailure("record events")))
        }
        return stored
      }).pipe(client.atomically("record events"), traced("EventStore.append"))
    },
    read: (query) => {
      if (query.limit <= 0) return Effect.succeed([])
      const conditions: Array<Fragment> = [sql`position > ${query.after}`]
      if (query.platform !== undefined) conditions.push(sql`platform = ${d.text(query.platform)}`)
      if (query.types !== undefined) conditions.push(d.oneOf(sql`type`, query.types))
      if (query.resourceId !== undefined) conditions.push(sql`resource_id = ${d.text(query.resourceId)}`)
      return many(
        read.event,
        "read events",
        sql`select ${columns} from scimkit_events where ${sql.and(conditions)}
          order by position limit ${Math.floor(query.limit)}`
      ).pipe(traced("EventStore.read"))
    },
    latest: first(
      position,
      "read the latest event position",
      sql`select position from scimkit_event_counter where id = 1`,
      missingCounter
    ).pipe(traced("EventStore.latest")),
    prune: (before) =>
      pruneInChunks(client, "scimkit_events", "position", sql`at < ${timestamp(before)}`, "prune events").pipe(
        traced("EventStore.prune")
      ),
    checkpoint: (consumer) =>
      many(
        position,
        `read the checkpoint of ${consumer}`,
        sql`select position from scimkit_event_checkpoints where name = ${d.text(consumer)}`
      ).pipe(
        Effect.map((rows) => Option.fromNullishOr(rows[0])),
        traced("EventStore.checkpoint")
      ),
    saveCheckpoint: (consumer, at) =>
      sql`insert into scimkit_event_checkpoints as c (name, position) values (${d.text(consumer)}, ${at})
        on conflict (name) do update set position = excluded.position where excluded.position > c.position`.pipe(
        Effect.catchTag("SqlError", client.sqlFailure(`save the checkpoint of ${consumer}`)),
        Effect.asVoid,
        traced("EventStore.saveCheckpoint")
      ),
    // one statement: the row is taken when it is free, expired or the caller's, atomically on either
    // engine. Instants are the caller's Clock: processes sharing a store need clocks in sync (a
    // skew of d lets another owner take an expired lease d early).
    acquireLease: (name, owner, ttlMillis) =>
      Effect.flatMap(DateTime.now, (now) =>
        sql`insert into scimkit_event_leases as l (name, owner, expires_at)
          values (${d.text(name)}, ${d.text(owner)}, ${timestamp(DateTime.add(now, { milliseconds: ttlMillis }))})
          on conflict (name) do update set owner = excluded.owner, expires_at = excluded.expires_at
            where l.owner = excluded.owner or l.expires_at <= ${timestamp(now)}
          returning owner`).pipe(
          Effect.map((rows) => rows.length > 0),
          Effect.catchTag("SqlError", client.sqlFailure(`acquire the lease ${name}`)),
          traced("EventStore.acquireLease")
        ),
    releaseLease: (name, owner) =>
      sql`delete from scimkit_event_leases where name = ${d.text(name)} and owner = ${d.text(owner)}`.pipe(
        Effect.catchTag("SqlError", client.sqlFailure(`release the lease ${name}`)),
        Effect.asVoid,
        traced("EventStore.releaseLease")
      )
  })
}

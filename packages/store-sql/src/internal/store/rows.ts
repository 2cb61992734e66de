/**
 * Reading rows into the core's values: one small synchronous reader per row shape, checking the
 * type of every column it reads (the engine's own representations through the dialect's
 * {@link DialectColumns}) and building the value directly. A row that does not fit — a schema
 * drift, or a row written behind the store's back — throws a {@link RowMismatch} naming the column,
 * which the store turns into a `StoreError` saying what it was doing.
 *
 * Hand-written rather than `Schema` structs read by `SqlSchema` (as `rowSchemas.ts` reads API keys
 * and platforms): these reads are on every request's path (GET by id, list pages, members), and a
 * user row through `SqlSchema.findAll` with a row schema costs 1.6–1.8× this reader's time on
 * SQLite rows (median 3.9 → 6.0 µs per row) and 2.3–2.6× on Postgres rows (1.4 → 3.6 µs): about
 * 0.2 ms more per list page of 100 users. Measured on 10,000 rows, Node 24, by
 * `npx tsx --conditions=@scimkit/source bench/run.ts Rows` (`packages/store-sql/bench/Rows.bench.ts`).
 *
 * @internal
 */
import { ChangeEvent, DeliveryLog, Model } from "@scimkit/core"
import type * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import type { Row } from "effect/sql/SqlConnection"
import type { DialectColumns } from "../../Dialect.js"

/** A stored row that does not have the shape the store reads; `message` names the column. @internal */
export class RowMismatch {
  constructor(readonly message: string) {}
}

const describe = (value: unknown): string => {
  if (value === null) return "null"
  if (value === undefined) return "no such column"
  if (typeof value === "string") return `text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (Array.isArray(value)) return "an array"
  if (value instanceof Date) return `the date ${String(value)}`
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`
}

const mismatch = (column: string, expected: string, value: unknown): never => {
  throw new RowMismatch(`column ${column} should hold ${expected}, it holds ${describe(value)}`)
}

/** A text column. @internal */
export const text = (row: Row, column: string): string => {
  const value = row[column]
  return typeof value === "string" ? value : mismatch(column, "text", value)
}

const textOrNull = (row: Row, column: string): string | null => {
  const value = row[column]
  return value === null || typeof value === "string" ? value : mismatch(column, "text or null", value)
}

const integer = (row: Row, column: string): number => {
  const value = row[column]
  return Number.isSafeInteger(value) ? value as number : mismatch(column, "an integer", value)
}

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER)

/** A `bigint` column (a Postgres server returns it as a JavaScript bigint), within the safe integers. */
const bigInteger = (row: Row, column: string): number => {
  const value = row[column]
  if (typeof value === "bigint" && value <= maxSafe && value >= -maxSafe) return Number(value)
  return Number.isSafeInteger(value) ? value as number : mismatch(column, "an integer", value)
}

const literal = <A extends string>(literals: ReadonlyArray<A>, what: string) => {
  const allowed: ReadonlySet<unknown> = new Set(literals)
  return (row: Row, column: string): A => {
    const value = row[column]
    return allowed.has(value) ? value as A : mismatch(column, what, value)
  }
}

// roles are the domain model's (declared by the host): any text, checked by the services when written
const platformRole = text
const projectRole = text
const eventType = literal(ChangeEvent.EventTypes, "an event type")
const resourceType = literal(["User", "Group"] as const, "User or Group")

// Values built from checked columns: the classes' own checks need not run again.
const trusted = { disableChecks: true } as const

/** The column readers of one dialect. @internal */
export interface Readers {
  readonly user: (row: Row) => Model.StoredUser
  readonly project: (row: Row) => Model.StoredProject
  readonly member: (row: Row) => Model.MemberView
  /** `id`, `display_name` of a project. */
  readonly projectRef: (row: Row) => Model.ProjectRef
  /** `user_id`, `role` of a membership. */
  readonly membership: (row: Row) => Model.Membership
  /** A member with `scim` and `host`, who manages the membership. */
  readonly managedMember: (row: Row) => Model.ManagedMember
  /** A row of `scimkit_events`. */
  readonly event: (row: Row) => ChangeEvent.ChangeEvent
  /** A row of `scimkit_deliveries`. */
  readonly delivery: (row: Row) => DeliveryLog.DeliveryAttempt
  /** An integer column (a count, a version). */
  readonly integer: (row: Row, column: string) => number
  /** A `bigint` column (a position). */
  readonly bigInteger: (row: Row, column: string) => number
  /** A JSON array of `{ id, displayName }` (the dialect's `jsonArrayAgg`), in order. */
  readonly projectRefs: (row: Row, column: string) => ReadonlyArray<Model.ProjectRef>
}

/** The readers of rows as `columns` (one dialect's representations) returns them. @internal */
export const readers = (columns: DialectColumns): Readers => {
  const timestamp = (row: Row, column: string): DateTime.Utc => {
    const value = row[column]
    return columns.timestamp(value) ?? mismatch(column, "a timestamp", value)
  }
  const boolean = (row: Row, column: string): boolean => {
    const value = row[column]
    return columns.boolean(value) ?? mismatch(column, "a boolean", value)
  }
  const document = (row: Row, column: string) => {
    const value = row[column]
    return columns.document(value) ?? mismatch(column, "a JSON object", value)
  }
  const jsonOrNull = (row: Row, column: string): unknown => {
    const value = row[column]
    if (value === null) return null
    const parsed = columns.json(value)
    return parsed === undefined ? mismatch(column, "JSON", value) : parsed
  }
  const documentOrNone = (row: Row, column: string): Option.Option<Model.JsonObject> =>
    row[column] === null ? Option.none() : Option.some(document(row, column))
  const strings = (row: Row, column: string): ReadonlyArray<string> => {
    const value = jsonOrNull(row, column)
    return Array.isArray(value) && value.every((v) => typeof v === "string")
      ? value as ReadonlyArray<string>
      : mismatch(column, "a JSON array of strings", row[column])
  }
  const eventMember = (row: Row, column: string): Option.Option<ChangeEvent.EventMember> => {
    const value = jsonOrNull(row, column)
    if (value === null) return Option.none()
    if (typeof value === "object" && !Array.isArray(value)) {
      const { role, userId } = value as { readonly userId?: unknown; readonly role?: unknown }
      if (typeof userId === "string" && typeof role === "string") {
        return Option.some(new ChangeEvent.EventMember({ userId, role }, trusted))
      }
    }
    return mismatch(column, "a JSON object { userId, role }", row[column])
  }
  const projectRefOf = (value: unknown, column: string): Model.ProjectRef => {
    if (typeof value === "object" && value !== null) {
      const { displayName, id } = value as { readonly id?: unknown; readonly displayName?: unknown }
      if (typeof id === "string" && typeof displayName === "string") {
        return new Model.ProjectRef({ id: id as Model.ProjectId, displayName }, trusted)
      }
    }
    return mismatch(column, "a JSON array of { id, displayName }", value)
  }
  return {
    user: (row) =>
      new Model.StoredUser({
        id: text(row, "id") as Model.UserId,
        userName: text(row, "user_name"),
        externalId: Option.fromNullishOr(textOrNull(row, "external_id")),
        displayName: Option.fromNullishOr(textOrNull(row, "display_name")),
        active: boolean(row, "active"),
        platformRole: platformRole(row, "platform_role"),
        document: document(row, "document"),
        version: integer(row, "version"),
        created: timestamp(row, "created"),
        lastModified: timestamp(row, "last_modified")
      }, trusted),
    project: (row) =>
      new Model.StoredProject({
        id: text(row, "id") as Model.ProjectId,
        displayName: text(row, "display_name"),
        externalId: Option.fromNullishOr(textOrNull(row, "external_id")),
        document: document(row, "document"),
        version: integer(row, "version"),
        created: timestamp(row, "created"),
        lastModified: timestamp(row, "last_modified")
      }, trusted),
    member: (row) =>
      new Model.MemberView({
        userId: text(row, "user_id") as Model.UserId,
        role: projectRole(row, "role"),
        userName: text(row, "user_name"),
        displayName: Option.fromNullishOr(textOrNull(row, "display_name"))
      }, trusted),
    projectRef: (row) =>
      new Model.ProjectRef({ id: text(row, "id") as Model.ProjectId, displayName: text(row, "display_name") }, trusted),
    membership: (row) =>
      new Model.Membership({ userId: text(row, "user_id") as Model.UserId, role: projectRole(row, "role") }, trusted),
    managedMember: (row) =>
      new Model.ManagedMember({
        userId: text(row, "user_id") as Model.UserId,
        role: projectRole(row, "role"),
        userName: text(row, "user_name"),
        displayName: Option.fromNullishOr(textOrNull(row, "display_name")),
        scim: boolean(row, "scim"),
        host: boolean(row, "host")
      }, trusted),
    event: (row) =>
      new ChangeEvent.ChangeEvent({
        position: bigInteger(row, "position"),
        platform: text(row, "platform") as Model.PlatformId,
        type: eventType(row, "type"),
        resourceType: resourceType(row, "resource_type"),
        resourceId: text(row, "resource_id"),
        version: integer(row, "version"),
        changed: strings(row, "changed"),
        before: documentOrNone(row, "before"),
        after: documentOrNone(row, "after"),
        member: eventMember(row, "member"),
        at: timestamp(row, "at"),
        actor: new ChangeEvent.Actor({
          credential: Option.fromNullishOr(textOrNull(row, "credential")),
          requestId: Option.fromNullishOr(textOrNull(row, "request_id"))
        }, trusted)
      }, trusted),
    delivery: (row) => {
      const status = row["status"]
      return new DeliveryLog.DeliveryAttempt({
        id: bigInteger(row, "id"),
        endpoint: text(row, "endpoint"),
        batchId: text(row, "batch_id"),
        first: bigInteger(row, "first_position"),
        last: bigInteger(row, "last_position"),
        events: integer(row, "events"),
        attempt: integer(row, "attempt"),
        at: timestamp(row, "at"),
        status: status === null ? Option.none() : Option.some(integer(row, "status")),
        ok: boolean(row, "ok"),
        error: Option.fromNullishOr(textOrNull(row, "error")),
        durationMillis: integer(row, "duration_millis")
      }, trusted)
    },
    integer,
    bigInteger,
    projectRefs: (row, column) => {
      const value = columns.json(row[column])
      if (!Array.isArray(value)) return mismatch(column, "a JSON array of { id, displayName }", row[column])
      const refs: Array<Model.ProjectRef> = new Array(value.length)
      for (let i = 0; i < value.length; i++) refs[i] = projectRefOf(value[i], column)
      return refs
    }
  }
}

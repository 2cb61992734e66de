/**
 * The storage port of the webhook delivery log: every attempt to post a batch of events, kept so an
 * operator can see what was delivered, what failed and why.
 */
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { StoreError } from "../errors/ScimError.js"

/**
 * One attempt to deliver one batch: `batchId` is the idempotency key (the same for every retry of
 * a batch), `first`/`last` the positions of its first and last event, `attempt` counts from 1,
 * `status` the HTTP status received (None when no response: refused, timed out), `error` what went
 * wrong (None on success), `durationMillis` how long the attempt took.
 */
export class DeliveryAttempt extends Schema.Class<DeliveryAttempt>("DeliveryAttempt")({
  id: Schema.Int,
  endpoint: Schema.String,
  batchId: Schema.String,
  first: Schema.Int,
  last: Schema.Int,
  events: Schema.Int,
  attempt: Schema.Int,
  at: Schema.DateTimeUtc,
  status: Schema.OptionFromNullOr(Schema.Int),
  ok: Schema.Boolean,
  error: Schema.OptionFromNullOr(Schema.String),
  durationMillis: Schema.Int
}) {}

/** An attempt as recorded (the store assigns `id`, increasing). */
export type NewDeliveryAttempt = Omit<DeliveryAttempt, "id">

/**
 * - `record` appends an attempt and returns it with its id.
 * - `list` returns attempts newest first, those with `id < before` when given, at most `limit`.
 * - `prune` deletes attempts older than `before` (by `at`); the number deleted.
 */
export class DeliveryLog extends Context.Service<DeliveryLog, {
  readonly record: (attempt: NewDeliveryAttempt) => Effect.Effect<DeliveryAttempt, StoreError>
  readonly list: (options: {
    readonly limit: number
    readonly before?: number | undefined
    readonly endpoint?: string | undefined
  }) => Effect.Effect<ReadonlyArray<DeliveryAttempt>, StoreError>
  readonly prune: (before: DateTime.Utc) => Effect.Effect<number, StoreError>
}>()("@scimkit/core/DeliveryLog") {}

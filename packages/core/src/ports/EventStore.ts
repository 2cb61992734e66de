/**
 * The storage port of the change feed (a transactional outbox): events appended inside the write's
 * transaction, read back by position, pruned by age, and the durable positions (checkpoints) and
 * leases of named consumers such as the webhook worker.
 */
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { ChangeEvent, EventType, NewEvent } from "../domain/ChangeEvent.js"
import type { PlatformId } from "../domain/Model.js"
import type { StoreError } from "../errors/ScimError.js"

/** Which events a read returns: those after `after` (a position; 0 = from the start), oldest first. */
export interface EventQuery {
  readonly after: number
  /** At most this many (the store may return fewer; an empty result means none yet). */
  readonly limit: number
  /** Only this platform's events. */
  readonly platform?: PlatformId | undefined
  /** Only events of these types. */
  readonly types?: ReadonlyArray<EventType> | undefined
  /** Only events of this resource (a user's or a project's id). */
  readonly resourceId?: string | undefined
}

/**
 * - `append` must be called inside the write's `Transactions.run`, as its last store call: it
 *   assigns the positions (consecutive, greater than every committed one) so that positions are in
 *   commit order (the SQL stores take them from a counter row, locked until commit). Returns the
 *   events with their positions, in the order given.
 * - `read` returns committed events only, position ascending.
 * - `latest` is the highest committed position (0 when there is none): "from now" for a new consumer.
 * - `prune` deletes events older than `before` (by `at`); the number deleted.
 * - `checkpoint` / `saveCheckpoint`: the last position a named consumer has handled (None before its
 *   first save); saving a lower position than the stored one keeps the stored one.
 * - `acquireLease(name, owner, ttl)`: true when `owner` holds the named lease afterwards (it was free,
 *   expired, or already `owner`'s), renewing it for `ttl` from now; at most one owner holds it at a time
 *   across every process sharing the store. `releaseLease` frees it if `owner` holds it.
 */
export class EventStore extends Context.Service<EventStore, {
  readonly append: (events: ReadonlyArray<NewEvent>) => Effect.Effect<ReadonlyArray<ChangeEvent>, StoreError>
  readonly read: (query: EventQuery) => Effect.Effect<ReadonlyArray<ChangeEvent>, StoreError>
  readonly latest: Effect.Effect<number, StoreError>
  readonly prune: (before: DateTime.Utc) => Effect.Effect<number, StoreError>
  readonly checkpoint: (consumer: string) => Effect.Effect<Option.Option<number>, StoreError>
  readonly saveCheckpoint: (consumer: string, position: number) => Effect.Effect<void, StoreError>
  readonly acquireLease: (
    name: string,
    owner: string,
    ttlMillis: number
  ) => Effect.Effect<boolean, StoreError>
  readonly releaseLease: (name: string, owner: string) => Effect.Effect<void, StoreError>
}>()("@scimkit/core/EventStore") {}

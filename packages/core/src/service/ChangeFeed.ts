/**
 * The change feed: the committed events of every platform (see `ChangeEvent`), read by position.
 * Delivery is at least once: a consumer keeps the position of the last event it handled (its own, or
 * a named checkpoint in the store with {@link ChangeFeedShape.consume}) and resumes after it, across
 * restarts and on any number of server processes, each of which sees every event.
 */
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type { ChangeEvent, EventType } from "../domain/ChangeEvent.js"
import type { PlatformId } from "../domain/Model.js"
import type { StoreError } from "../errors/ScimError.js"
import { DeliveryLog } from "../ports/DeliveryLog.js"
import { EventStore } from "../ports/EventStore.js"
import { ScimOptions } from "../ScimOptions.js"

/** Which events to follow. */
export interface FollowOptions {
  /** After this position (0: from the first event kept; `"latest"`: only events committed from now). Default 0. */
  readonly after?: number | "latest" | undefined
  readonly platform?: PlatformId | undefined
  readonly types?: ReadonlyArray<EventType> | undefined
  /** How long to wait before asking the store again when there was nothing new. Default 500 ms. */
  readonly pollInterval?: Duration.Input | undefined
  /** Most events read per round trip. Default 500. */
  readonly batchSize?: number | undefined
}

/** A page of the audit log of one platform. */
export interface AuditQuery {
  /** After this position (0: from the oldest kept). */
  readonly after?: number | undefined
  readonly limit?: number | undefined
  readonly types?: ReadonlyArray<EventType> | undefined
  /** Only events of this user or group. */
  readonly resourceId?: string | undefined
}

export interface ChangeFeedShape {
  /** The events after a position, oldest first, endless: polls for new ones. */
  readonly stream: (options?: FollowOptions) => Stream.Stream<ChangeEvent, StoreError>
  /**
   * Hands batches of events to `handle`, saving the consumer's position (the checkpoint named
   * `consumer`) after each batch it handled: at least once, resumed from the checkpoint after a
   * restart (`after` applies to the first start only). Runs until interrupted or `handle` fails.
   */
  readonly consume: <E, R>(
    consumer: string,
    handle: (batch: ReadonlyArray<ChangeEvent>) => Effect.Effect<void, E, R>,
    options?: FollowOptions
  ) => Effect.Effect<never, E | StoreError, R>
  /** One platform's audit log: who changed what, when, through which key. */
  readonly audit: (platform: PlatformId, query?: AuditQuery) => Effect.Effect<ReadonlyArray<ChangeEvent>, StoreError>
  /** The highest committed position (0: none yet). */
  readonly latest: Effect.Effect<number, StoreError>
  /**
   * Deletes events and delivery attempts older than `ScimOptions.eventRetention`; the number of
   * events deleted. Servers run it periodically (`pruneEvery`).
   */
  readonly prune: Effect.Effect<number, StoreError>
}

/** The change feed: the key of the service. */
export class ChangeFeed extends Context.Service<ChangeFeed, ChangeFeedShape>()("@scimkit/core/ChangeFeed") {}

const defaultPollInterval = Duration.millis(500)
const defaultBatchSize = 500
/** Largest audit page: a readable screenful times ten, not a tuning. */
const maxAuditLimit = 1000

export const make: Effect.Effect<ChangeFeedShape, never, EventStore | DeliveryLog | ScimOptions> = Effect.gen(
  function*() {
    const events = yield* EventStore
    const deliveries = yield* DeliveryLog
    const options = yield* ScimOptions

    const start = (after: FollowOptions["after"]): Effect.Effect<number, StoreError> =>
      after === "latest" ? events.latest : Effect.succeed(Math.max(0, after ?? 0))

    /** The next batch after `position`, waiting `poll` between empty reads. */
    const nextBatch = (position: number, follow: FollowOptions | undefined) => {
      const poll = Duration.fromInputUnsafe(follow?.pollInterval ?? defaultPollInterval)
      const read = events.read({
        after: position,
        limit: follow?.batchSize ?? defaultBatchSize,
        platform: follow?.platform,
        types: follow?.types
      })
      return Effect.repeat(read, {
        until: (batch) => batch.length > 0,
        schedule: Schedule.spaced(poll)
      })
    }

    const stream = (follow?: FollowOptions): Stream.Stream<ChangeEvent, StoreError> =>
      Stream.unwrap(Effect.map(start(follow?.after), (from) =>
        Stream.paginate(from, (position: number) =>
          Effect.map(
            nextBatch(position, follow),
            (batch) => [batch, Option.some(batch[batch.length - 1]!.position)] as const
          ))))

    const consume = <E, R>(
      consumer: string,
      handle: (batch: ReadonlyArray<ChangeEvent>) => Effect.Effect<void, E, R>,
      follow?: FollowOptions
    ): Effect.Effect<never, E | StoreError, R> =>
      Effect.gen(function*() {
        const saved = yield* events.checkpoint(consumer)
        let position = Option.isSome(saved) ? saved.value : yield* start(follow?.after)
        while (true) {
          const batch = yield* nextBatch(position, follow)
          yield* handle(batch)
          position = batch[batch.length - 1]!.position
          yield* events.saveCheckpoint(consumer, position)
        }
      })

    const audit = (platform: PlatformId, query?: AuditQuery) =>
      events.read({
        after: Math.max(0, query?.after ?? 0),
        limit: Math.min(Math.max(1, query?.limit ?? 100), maxAuditLimit),
        platform,
        types: query?.types,
        resourceId: query?.resourceId
      })

    const prune = Effect.gen(function*() {
      const cutoff = DateTime.subtractDuration(yield* DateTime.now, options.eventRetention)
      yield* deliveries.prune(cutoff)
      return yield* events.prune(cutoff)
    })

    return { stream, consume, audit, latest: events.latest, prune }
  }
)

export const layer: Layer.Layer<ChangeFeed, never, EventStore | DeliveryLog | ScimOptions> = Layer.effect(
  ChangeFeed,
  make
)

/**
 * Runs {@link ChangeFeedShape.prune} every `interval` (and once at start) until interrupted; a
 * failed prune is logged and tried again at the next interval. Fork it in a server's scope.
 */
export const pruneEvery = (interval: Duration.Input): Effect.Effect<never, never, ChangeFeed> =>
  Effect.flatMap(ChangeFeed, (feed) =>
    feed.prune.pipe(
      Effect.tap((pruned) => pruned > 0 ? Effect.logDebug(`pruned ${pruned} change-feed events`) : Effect.void),
      Effect.catchCause((cause) => Effect.logWarning("change-feed prune failed; trying again later", cause)),
      Effect.repeat(Schedule.spaced(Duration.fromInputUnsafe(interval))),
      Effect.flatMap(() => Effect.never)
    ))

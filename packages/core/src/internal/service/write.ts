/**
 * Helpers shared by the Users and Projects writes: the platform of the request (its compatibility
 * profile and owner), the optimistic-concurrency retry and the logging and counting of accepted
 * IdP quirks.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Schedule from "effect/Schedule"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type { CompatibilityProfile, JsonObject, Platform, PlatformId } from "../../domain/Model.js"
import {
  type InvalidSyntax,
  type InvalidValue,
  type PayloadTooLarge,
  ResourceNotFound,
  StoreError,
  Unreadable
} from "../../errors/ScimError.js"
import * as Input from "../../schema/Input.js"
import type { PlatformStore } from "../../ports/PlatformStore.js"
import type { ScimOptionsShape } from "../../ScimOptions.js"
import { jsonEquals } from "../../schema/JsonValues.js"
import { quirksTotal } from "../../service/ServiceMetrics.js"

/**
 * How often a read-modify-write without `If-Match` is retried after losing a race: a guess that,
 * with {@link conflictBackoff}'s at most 50 ms a try, gives up after about a second, when the
 * client is better told to retry (503) than kept waiting.
 */
export const conflictRetries = 25

/** The platform of the request; `None` when the store does not know it (no owner, default profile). */
export const loadPlatform = (
  platforms: PlatformStore["Service"],
  id: PlatformId
): Effect.Effect<Option.Option<Platform>, StoreError> =>
  platforms.get(id).pipe(
    Effect.map(Option.some),
    Effect.catchTag("ResourceNotFound", () => Effect.succeed(Option.none<Platform>()))
  )

export const profileOf = (platform: Option.Option<Platform>, options: ScimOptionsShape): CompatibilityProfile =>
  Option.match(platform, { onNone: () => options.compatibility, onSome: (p) => p.compatibility })

/**
 * Runs a read-modify-write again when another writer got in between (`VersionMismatch` from the
 * store) and the client sent no `If-Match`: without a precondition the client asked for its change
 * on top of whatever is current, so no concurrent update is lost. With `If-Match` the mismatch is
 * the answer (412).
 */
export const retryOnConflict = <A, E extends { readonly _tag: string }, R>(
  ifMatch: Option.Option<string>,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | StoreError, R> =>
  Option.isSome(ifMatch)
    ? effect
    : effect.pipe(
      Effect.retry({
        times: conflictRetries,
        schedule: conflictBackoff,
        while: (error) => error._tag === "VersionMismatch"
      }),
      // No precondition was asked for, so never 412: a client that keeps losing is told to retry (503)
      Effect.mapError((error): E | StoreError =>
        error._tag === "VersionMismatch" ? new StoreError({ message: stillChanging, retryable: true }) : error
      )
    )

const stillChanging = "The resource kept changing while this request tried to apply its change; send the request again"

// Writers on other server nodes are not serialised by this process: back off a little, at random,
// so that competing read-modify-writes stop colliding. 1 ms doubling, capped at 50 ms: a guess,
// about one write's round trip at first and never long enough to be noticed by a client.
const conflictBackoff = Schedule.min([
  Schedule.exponential(Duration.millis(1), 2),
  Schedule.spaced(Duration.millis(50))
]).pipe(
  Schedule.jittered
)

/** Where a request's quirks were accepted: the platform and its compatibility profile. */
export interface QuirkContext {
  readonly platform: PlatformId
  readonly profile: CompatibilityProfile
}

/**
 * Logs (at debug level) the non-RFC forms a request needed and counts each in
 * `scimkit_quirks_total` (`ServiceMetrics.quirksTotal`), so operators can see which IdP dialect is in use.
 */
export const logQuirks = (
  operation: string,
  quirks: ReadonlyArray<string>,
  context: QuirkContext
): Effect.Effect<void> =>
  quirks.length === 0
    ? Effect.void
    : Effect.andThen(
      Effect.forEach(quirks, (quirk) =>
        Metric.update(
          Metric.withAttributes(quirksTotal, { quirk, platform: context.platform, profile: context.profile }),
          1
        ), { discard: true }),
      Effect.logDebug(`${operation}: accepted non-RFC request forms`).pipe(
        Effect.annotateLogs({
          operation,
          quirks: quirks.join(","),
          platform: context.platform,
          profile: context.profile
        })
      )
    )

/** Structural equality of JSON documents (key order ignored), to skip writes that change nothing. */
export const sameJson = (a: JsonObject, b: JsonObject): boolean => jsonEquals(a, b)

/** A body every store can hold and every reader can walk (see `Input.check`), checked before anything reads it. */
export const checkBody = (
  body: unknown,
  options: ScimOptionsShape
): Effect.Effect<void, InvalidValue | InvalidSyntax> =>
  Effect.fromResult(Input.check(body, { maxDepth: options.maxValueDepth }))

/** An id no store can hold names no resource: 404, the same answer every store gives. */
export const checkId = (resourceType: string, id: string): Effect.Effect<void, ResourceNotFound> =>
  Input.isStorable(id) ? Effect.void : Effect.fail(new ResourceNotFound({ resourceType, id }))

/** A PATCH body within the request budgets (operations, values per operation), as well as {@link checkBody}. */
export const checkPatchBody = (
  body: unknown,
  options: ScimOptionsShape
): Effect.Effect<void, InvalidValue | InvalidSyntax | PayloadTooLarge> =>
  Effect.andThen(
    Effect.fromResult(
      Input.checkPatchBudget(body, { maxOperations: options.maxPatchOperations, maxValues: options.maxOperationValues })
    ),
    checkBody(body, options)
  )

/**
 * The secret that signs a platform's cursors: its own (every platform `Platforms.create` makes has
 * one, kept by the store), else `ScimOptions.cursorSecret`, else `fallback` (random per process).
 */
export const cursorSecretOf = (
  platform: Option.Option<Platform>,
  options: ScimOptionsShape,
  fallback: string
): string =>
  Redacted.value(
    Option.getOrElse(
      Option.orElse(Option.flatMap(platform, (p) => p.cursorSecret), () => options.cursorSecret),
      () => Redacted.make(fallback)
    )
  )

// A rendered resource nests a few levels more than its document: `meta` adds one, `groups` and
// `members` (an array of objects) two. 8 leaves room to spare; it is a limit, not a tuning.
const renderedDepth = 8

/**
 * A resource as it will be served: within the limits every write is held to. One written past
 * them (by an older version, or by hand) is `Unreadable`, naming it and the repair, rather than
 * breaking whatever reads it next (the JSON encoder, a list holding it).
 */
export const checkServed = <A extends { readonly resource: JsonObject }>(
  resourceType: string,
  id: string,
  result: A,
  options: ScimOptionsShape
): Effect.Effect<A, Unreadable> => Effect.fromResult(servable(resourceType, id, result, options))

/** {@link checkServed} as a value. */
export const servable = <A extends { readonly resource: JsonObject }>(
  resourceType: string,
  id: string,
  result: A,
  options: ScimOptionsShape
): Result.Result<A, Unreadable> =>
  Result.isSuccess(Input.check(result.resource, { maxDepth: options.maxValueDepth + renderedDepth }))
    ? Result.succeed(result)
    : Result.fail(
      new Unreadable({
        resourceType,
        id,
        detail: `The stored ${resourceType} ${id} breaks the limits every write is now held to (it was written by an ` +
          `earlier version or edited by hand), so it cannot be served; an operator repairs it with \`scimkit doctor --fix\``
      })
    )

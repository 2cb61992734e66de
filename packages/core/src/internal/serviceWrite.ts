/**
 * Helpers shared by the Users and Projects writes: the platform of the request (its compatibility
 * profile and owner), the optimistic-concurrency retry and the logging of accepted IdP quirks.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { CompatibilityProfile, JsonObject, Platform, PlatformId } from "../domain/Model.js"
import type { StoreError } from "../errors/ScimError.js"
import type { PlatformStore } from "../ports/ApiKeyStore.js"
import type { ScimOptionsShape } from "../ScimOptions.js"
import { jsonEquals } from "./resourceValue.js"

/** How often a read-modify-write without `If-Match` is retried after losing a race. */
export const conflictRetries = 25

/** The platform of the request; `None` when the store does not know it (no owner, default profile). */
export const loadPlatform = (
  platforms: PlatformStore["Type"],
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
): Effect.Effect<A, E, R> =>
  Option.isSome(ifMatch)
    ? effect
    : Effect.retry(effect, { times: conflictRetries, while: (error) => error._tag === "VersionMismatch" })

/** Logs (at debug level) the non-RFC forms a request needed, so operators can see which IdP dialect is in use. */
export const logQuirks = (operation: string, quirks: ReadonlyArray<string>): Effect.Effect<void> =>
  quirks.length === 0
    ? Effect.void
    : Effect.logDebug(`${operation}: accepted non-RFC request forms`).pipe(
      Effect.annotateLogs({ operation, quirks: quirks.join(",") })
    )

/** Structural equality of JSON documents (key order ignored), to skip writes that change nothing. */
export const sameJson = (a: JsonObject, b: JsonObject): boolean => jsonEquals(a, b)

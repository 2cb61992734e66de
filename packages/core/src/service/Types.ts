/**
 * What the HTTP edge hands the domain services and gets back. Inputs are as raw as the wire gives
 * them (bodies `unknown`, query parameters strings): the core validates them and answers with
 * typed SCIM errors.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { JsonObject, Platform, PlatformId, StoredApiKey, StoredUser } from "../domain/Model.js"
import type { CoreError, StoreError, Unauthorized } from "../errors/ScimError.js"

/** The tenant resolved from the API key and the absolute URL of the SCIM root (e.g. `https://host/api/v1/scim/v2`). @since 0.1.0 */
export interface RequestScope {
  readonly platform: PlatformId
  readonly baseUrl: string
}

/** `attributes` / `excludedAttributes` (RFC 7644 §3.9): comma-separated strings or arrays (from a SearchRequest). @since 0.1.0 */
export interface ProjectionRequest {
  readonly attributes?: string | ReadonlyArray<string> | undefined
  readonly excludedAttributes?: string | ReadonlyArray<string> | undefined
}

/** A list or `.search` request (RFC 7644 §3.4.2, §3.4.3, RFC 9865 `cursor`). Numbers may arrive as strings. @since 0.1.0 */
export interface ListRequest extends ProjectionRequest {
  readonly filter?: string | undefined
  readonly sortBy?: string | undefined
  readonly sortOrder?: string | undefined
  readonly startIndex?: string | number | undefined
  readonly count?: string | number | undefined
  readonly cursor?: string | undefined
}

/** One resource as returned: the projected SCIM document, its version (for `ETag`) and absolute location. @since 0.1.0 */
export interface ScimResult {
  readonly resource: JsonObject
  readonly version: number
  readonly location: string
}

/**
 * The SCIM operations on one resource type (RFC 7644 §3.3–§3.6). `ifMatch` is the raw `If-Match`
 * header (`W/"3"`, `"3"` or `*`); a mismatch fails with `VersionMismatch`.
 *
 * @since 0.1.0
 */
export interface ResourceApi {
  readonly create: (scope: RequestScope, body: unknown, projection?: ProjectionRequest) => Effect.Effect<ScimResult, CoreError>
  readonly get: (scope: RequestScope, id: string, projection?: ProjectionRequest) => Effect.Effect<ScimResult, CoreError>
  /** Returns a complete `ListResponse` document (RFC 7644 §3.4.2), cursors included when asked for. */
  readonly list: (scope: RequestScope, request: ListRequest) => Effect.Effect<JsonObject, CoreError>
  readonly replace: (
    scope: RequestScope,
    id: string,
    body: unknown,
    ifMatch: Option.Option<string>,
    projection?: ProjectionRequest
  ) => Effect.Effect<ScimResult, CoreError>
  readonly patch: (
    scope: RequestScope,
    id: string,
    body: unknown,
    ifMatch: Option.Option<string>,
    projection?: ProjectionRequest
  ) => Effect.Effect<ScimResult, CoreError>
  readonly remove: (scope: RequestScope, id: string, ifMatch: Option.Option<string>) => Effect.Effect<void, CoreError>
}

/** A freshly created key: the secret is shown here once and never again. @since 0.1.0 */
export interface CreatedApiKey {
  readonly key: StoredApiKey
  readonly secret: string
}

/** @since 0.1.0 */
export interface ApiKeysApi {
  readonly create: (platform: PlatformId, name: string) => Effect.Effect<CreatedApiKey, CoreError>
  /** Makes exactly `secret` a valid key of the platform (idempotent), for `SCIMKIT_BOOTSTRAP_KEY`. */
  readonly ensure: (platform: PlatformId, secret: string, name: string) => Effect.Effect<StoredApiKey, CoreError>
  readonly list: (platform: PlatformId) => Effect.Effect<ReadonlyArray<StoredApiKey>, CoreError>
  readonly revoke: (id: string) => Effect.Effect<StoredApiKey, CoreError>
  /** Hash lookup and constant-time compare; unknown or revoked keys fail with `Unauthorized`. */
  readonly verify: (secret: string) => Effect.Effect<StoredApiKey, Unauthorized | StoreError>
}

/** A platform created with its owner and first key. @since 0.1.0 */
export interface CreatedPlatform {
  readonly platform: Platform
  readonly owner: StoredUser
  readonly key: CreatedApiKey
}

/** @since 0.1.0 */
export interface PlatformsApi {
  /** Creates the platform, its owner (an ADMIN user whose userName is `ownerEmail`) and a first API key. */
  readonly create: (name: string, ownerEmail: string) => Effect.Effect<CreatedPlatform, CoreError>
  readonly get: (id: PlatformId) => Effect.Effect<Platform, CoreError>
  /** By id, else by name (case-insensitive). */
  readonly find: (idOrName: string) => Effect.Effect<Platform, CoreError>
  readonly list: () => Effect.Effect<ReadonlyArray<Platform>, CoreError>
  /**
   * Makes `externalId` unique among the platform's users and among its groups (or not: the
   * default, RFC 7643 §3.1). Turning it on fails with `Uniqueness` while duplicates exist.
   */
  readonly setUniqueExternalId: (id: PlatformId, unique: boolean) => Effect.Effect<Platform, CoreError>
}

/**
 * The SCIM operations on one resource type (RFC 7644 §3.3–§3.6), as `Users` and `Projects`
 * provide them, with what the HTTP edge hands them and gets back. Inputs are as raw as the wire
 * gives them (bodies `unknown`, query parameters strings): the services validate them and answer
 * with typed SCIM errors.
 */
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { Actor } from "../domain/ChangeEvent.js"
import type { JsonObject, PlatformId } from "../domain/Model.js"
import type { CoreError } from "../errors/ScimError.js"
import type { ListRequest } from "../query/ListRequest.js"
import type { ProjectionRequest } from "../query/Projection.js"

/**
 * The tenant resolved from the API key, the absolute URL of the SCIM root (e.g.
 * `https://host/api/v1/scim/v2`) and who is asking: the change feed records the actor of every
 * change (absent: the system actor, as for library calls).
 */
export interface RequestScope {
  readonly platform: PlatformId
  readonly baseUrl: string
  readonly actor?: Actor | undefined
}

/** One resource as returned: the projected SCIM document, its version (for `ETag`) and absolute location. */
export interface ScimResult {
  readonly resource: JsonObject
  readonly version: number
  readonly location: string
}

/**
 * The operations. `ifMatch` is the raw `If-Match` header (`W/"3"`, `"3"` or `*`); a mismatch fails
 * with `VersionMismatch`. `projection` is the request's `attributes` / `excludedAttributes`.
 */
export interface ResourceApi {
  readonly create: (
    scope: RequestScope,
    body: unknown,
    projection?: ProjectionRequest
  ) => Effect.Effect<ScimResult, CoreError>
  readonly get: (
    scope: RequestScope,
    id: string,
    projection?: ProjectionRequest
  ) => Effect.Effect<ScimResult, CoreError>
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

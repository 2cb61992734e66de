/**
 * What the HTTP edge hands the domain services and gets back. Inputs are as raw as the wire gives
 * them (bodies `unknown`, query parameters strings): the core validates them and answers with
 * typed SCIM errors.
 *
 * @since 0.1.0
 */
import type { JsonObject, PlatformId } from "../domain/Model.js"

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

/**
 * A list or `.search` request as the HTTP edge hands it to a service (RFC 7644 §3.4.2, §3.4.3,
 * RFC 9865 `cursor`): the query parameters of `GET /Users`, or the members of a SearchRequest
 * body, still unparsed. The services read it with `Filter.parse`, `Sort.parse`, `Paging.parse`
 * and `Projection.parse`.
 */
import type { ProjectionRequest } from "./Projection.js"

/** Numbers may arrive as strings (query parameters) or as numbers (a SearchRequest body). */
export interface ListRequest extends ProjectionRequest {
  readonly filter?: string | undefined
  readonly sortBy?: string | undefined
  readonly sortOrder?: string | undefined
  readonly startIndex?: string | number | undefined
  readonly count?: string | number | undefined
  readonly cursor?: string | undefined
}

/**
 * The `ListResponse` message (RFC 7644 §3.4.2) with the RFC 9865 cursor attributes.
 */
import type { Json, JsonObject } from "../domain/Model.js"
import { ListResponseUrn } from "../schema/Schemas.js"

export interface ListResponseInput {
  /** The page's resources, already projected. */
  readonly resources: ReadonlyArray<JsonObject>
  /** Matches of the filter in all pages (not the page size). */
  readonly totalResults: number
  /** 1-based index of the first resource; index paging only. */
  readonly startIndex?: number | undefined
  /** Resources in this page. */
  readonly itemsPerPage: number
  /** RFC 9865: present on every page but the last. */
  readonly nextCursor?: string | undefined
  /** RFC 9865: absent on the first page. */
  readonly previousCursor?: string | undefined
}

/**
 * Builds a `ListResponse`: `schemas`, `totalResults`, `itemsPerPage`, `startIndex` (index paging),
 * `nextCursor` / `previousCursor` (cursor paging) and `Resources` (always present, possibly empty).
 */
export const make = (input: ListResponseInput): JsonObject => {
  const out: Record<string, Json> = {
    schemas: [ListResponseUrn],
    totalResults: input.totalResults,
    itemsPerPage: input.itemsPerPage
  }
  if (input.startIndex !== undefined) out.startIndex = input.startIndex
  if (input.nextCursor !== undefined) out.nextCursor = input.nextCursor
  if (input.previousCursor !== undefined) out.previousCursor = input.previousCursor
  out.Resources = input.resources
  return out
}

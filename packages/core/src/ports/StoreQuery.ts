/**
 * What a list call hands a store: the filter (checked against the resource type and compiled
 * once, `Filter.Checked`), the sort and the page. Stores push it down (the SQL stores translate
 * the filter's AST) or answer it with core's in-memory evaluator (`InMemory.query`).
 */
import type * as Option from "effect/Option"
import type { AttrPath } from "../filter/Ast.js"
import type * as Filter from "../filter/Filter.js"
import type { ResourceTypeDef } from "../schema/Schemas.js"

/** A value a cursor remembers: the sort key of the last item seen (null when absent). */
export type SortValue = string | number | boolean | null

/** RFC 7644 §3.4.2.3. */
export interface Sort {
  readonly path: AttrPath
  readonly descending: boolean
}

/** Index paging (RFC 7644 §3.4.2.4): 1-based `startIndex`; `count` 0 asks for the total only. */
export interface IndexPage {
  readonly _tag: "Index"
  readonly startIndex: number
  readonly count: number
}

/** Keyset position: the sort value and id of an item, exclusive bound of the next page. */
export interface CursorPosition {
  readonly sortValue: SortValue
  readonly id: string
}

/**
 * Cursor paging (RFC 9865): `after` is exclusive; `backward` walks towards the start (for
 * `previousCursor`) and still returns items in sort order.
 */
export interface CursorPage {
  readonly _tag: "Cursor"
  readonly after: Option.Option<CursorPosition>
  readonly backward: boolean
  readonly count: number
}

export interface StoreQuery {
  /** Checked by the service before it reaches a store: a store never fails on it. */
  readonly filter: Option.Option<Filter.Checked>
  /** None: the store's stable default order (creation order, then id). */
  readonly sort: Option.Option<Sort>
  readonly page: IndexPage | CursorPage
  /**
   * The resource type the filter and sort were checked against: for users the domain model's
   * (`DomainModel.userResourceType`), whose extension a store resolves paths in. Absent: the
   * default model's (`Schemas.UserResourceType`, `Schemas.GroupResourceType`).
   */
  readonly resourceType?: ResourceTypeDef
}

/**
 * A page of results. `total` is the number of matches of the filter (not of the page); `hasMore`
 * says whether a further item exists beyond the page in the walking direction (cursor paging).
 */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly total: number
  readonly hasMore: boolean
}

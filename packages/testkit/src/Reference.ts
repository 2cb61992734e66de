/**
 * The reference semantics a store's `query` is checked against: the SCIM view of each stored
 * resource, core's filter evaluator over it, and the specified order and paging.
 */
import { Filter, Paging, Render, Schemas, Sort, type Model, type StoreQuery } from "@scimkit/core"
import * as Option from "effect/Option"
import * as Result from "effect/Result"

/**
 * The SCIM view of a user that filters and sorts apply to, as the services render it (less
 * `groups`, `schemas` and `meta.location`): core's `Render.userView`.
 */
export const userDocument = (user: Model.StoredUser): Model.JsonObject => Render.userView(user)

/**
 * The SCIM view of a project that filters and sorts apply to, with its `members` as
 * `[{ value: userId, display, type: "User" }]`: core's `Render.projectView`.
 */
export const projectDocument = (
  project: Model.StoredProject,
  members: ReadonlyArray<Model.MemberView>
): Model.JsonObject => Render.projectView(project, members)

/** What a query must return: ids in order, the total and whether more items follow. */
export interface ExpectedPage {
  readonly ids: ReadonlyArray<string>
  readonly total: number
  readonly hasMore: boolean
}

const idOf = (doc: Model.JsonObject): string => String(doc["id"])

/**
 * The expected answer to a query over the given documents (RFC 7644 §3.4.2, RFC 9865), from core
 * as the reference: `Filter.evaluate` decides matches, `Sort.comparator` the order (the sort value
 * by its attribute's type, absent last, then id; descending the exact reverse; without a sort
 * `meta.created`, then id) and `Paging.slice` the page.
 */
export const expectedPage = (
  rt: Schemas.ResourceTypeDef,
  docs: ReadonlyArray<Model.JsonObject>,
  filter: Option.Option<Filter.Filter>,
  sort: Option.Option<StoreQuery.Sort>,
  page: StoreQuery.IndexPage | StoreQuery.CursorPage
): ExpectedPage => {
  const matches = docs.filter((doc) =>
    Option.match(filter, {
      onNone: () => true,
      onSome: (f) => Result.getOrThrowWith(Filter.evaluate(rt, f, doc), (e) => new Error(e.message))
    })
  )
  const sorted = [...matches].sort(Sort.comparator(rt, sort))
  const result = Paging.slice(sorted, page, Sort.positioner(rt, sort), Sort.positionComparator(rt, sort))
  return { ids: result.items.map(idOf), total: result.total, hasMore: result.hasMore }
}

/** The user resource type (re-exported for suites). */
export const UserResourceType: Schemas.ResourceTypeDef = Schemas.UserResourceType
/** The group (project) resource type. */
export const GroupResourceType: Schemas.ResourceTypeDef = Schemas.GroupResourceType

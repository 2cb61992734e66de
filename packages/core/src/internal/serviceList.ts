/**
 * The list/search flow shared by Users and Projects (RFC 7644 §3.4.2, §3.4.3, RFC 9865): parse
 * filter, sort, paging and projection, query the store, render, mint cursors, project, and build
 * the `ListResponse`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { JsonObject, PlatformId } from "../domain/Model.js"
import type { CoreError, StoreError, TooMany } from "../errors/ScimError.js"
import * as Filter from "../filter/Filter.js"
import type { Page, StoreQuery } from "../ports/StoreQuery.js"
import * as Cursor from "../query/Cursor.js"
import * as ListResponse from "../query/ListResponse.js"
import * as Paging from "../query/Paging.js"
import * as Projection from "../query/Projection.js"
import * as Sort from "../query/Sort.js"
import type { ResourceTypeDef } from "../schema/Schemas.js"
import type { ScimOptionsShape } from "../ScimOptions.js"
import type { ListRequest, RequestScope } from "../service/Types.js"

/** How many resources of a page are rendered at once. */
export const renderConcurrency = 8

export interface ListSpec<A, R> {
  readonly rt: ResourceTypeDef
  readonly query: (platform: PlatformId, query: StoreQuery) => Effect.Effect<Page<A>, TooMany | StoreError>
  /** The rendered resource without relations: what sort values (and so cursors) are read from. */
  readonly full: (item: A) => JsonObject
  /** The resource as returned, projected. */
  readonly render: (item: A, projection: Projection.Projection) => Effect.Effect<JsonObject, StoreError, R>
}

/** Parses the `filter` parameter (empty means none) and checks its attributes against the resource type. */
export const parseFilter = (
  rt: ResourceTypeDef,
  text: string | undefined,
  options: ScimOptionsShape
) =>
  Effect.gen(function*() {
    if (text === undefined || text.trim() === "") return Option.none<Filter.Filter>()
    const filter = yield* Filter.parse(text, { maxLength: options.maxFilterLength, maxDepth: options.maxFilterDepth })
    yield* Filter.compile(rt, filter)
    return Option.some(filter)
  })

export const list = <A, R>(
  scope: RequestScope,
  request: ListRequest,
  options: ScimOptionsShape,
  spec: ListSpec<A, R>
): Effect.Effect<JsonObject, CoreError, R> =>
  Effect.gen(function*() {
    const { rt } = spec
    const projection = yield* Projection.parse(rt, request)
    const filter = yield* parseFilter(rt, request.filter, options)
    const sort = yield* Sort.parse(rt, request.sortBy, request.sortOrder)
    const fingerprint = Cursor.fingerprint({
      resourceType: rt.id,
      filter: request.filter,
      sortBy: request.sortBy,
      sortOrder: request.sortOrder
    })
    const page = yield* Paging.parse(request, options, rt, fingerprint)
    const result = yield* spec.query(scope.platform, { filter, sort, page })
    // Rendering may read relations (a user's groups); a pooled store serves a few of them at once.
    const resources = yield* Effect.forEach(result.items, (item) => spec.render(item, projection), {
      concurrency: result.items.length > 1 ? renderConcurrency : 1
    })
    if (page._tag === "Index") {
      return ListResponse.make({
        resources,
        totalResults: result.total,
        startIndex: page.startIndex,
        itemsPerPage: resources.length
      })
    }
    const cursors = Paging.cursors(
      page,
      { ...result, items: result.items.map(spec.full) },
      (doc) => Sort.position(rt, sort, doc),
      fingerprint,
      options.cursorSecret
    )
    return ListResponse.make({ resources, totalResults: result.total, itemsPerPage: resources.length, ...cursors })
  })

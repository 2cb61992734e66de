/**
 * The list/search flow shared by Users and Projects (RFC 7644 §3.4.2, §3.4.3, RFC 9865): parse
 * filter, sort, paging and projection, query the store, render, mint cursors, project, and build
 * the `ListResponse`.
 *
 * @internal
 */
import * as Mac from "effect/crypto/Mac"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Option from "effect/Option"
import type { CompatibilityProfile, JsonObject, PlatformId } from "../../domain/Model.js"
import { type CoreError, type StoreError, Unreadable } from "../../errors/ScimError.js"
import * as Filter from "../../filter/Filter.js"
import * as Profiles from "../../profile/Profiles.js"
import type { Page, StoreQuery } from "../../ports/StoreQuery.js"
import * as Cursor from "../../query/Cursor.js"
import type { ListRequest } from "../../query/ListRequest.js"
import * as ListResponse from "../../query/ListResponse.js"
import * as Paging from "../../query/Paging.js"
import * as Projection from "../../query/Projection.js"
import * as Sort from "../../query/Sort.js"
import type { ResourceTypeDef } from "../../schema/Schemas.js"
import type { ScimOptionsShape } from "../../ScimOptions.js"
import type { RequestScope } from "../../service/ResourceApi.js"
import { logQuirks } from "./write.js"

/**
 * How many resources of a page read their relations at once when each needs its own read (a
 * group's members): a guess, enough to overlap the round trips of a pooled SQL store without
 * taking more than a few of its connections for one request.
 */
export const renderConcurrency = 8

/**
 * Renders each item of a page with its own effect (a few at once, for a pooled store), turning an
 * `Unreadable` resource into its error value.
 */
export const renderEach = <A, R>(
  items: ReadonlyArray<A>,
  render: (item: A) => Effect.Effect<JsonObject, StoreError | Unreadable, R>
): Effect.Effect<ReadonlyArray<JsonObject | Unreadable>, StoreError, R> =>
  Effect.forEach(items, (item) => render(item).pipe(Effect.catchTag("Unreadable", (error) => Effect.succeed(error))), {
    concurrency: items.length > 1 ? renderConcurrency : 1
  })

export interface ListSpec<A, R> {
  readonly rt: ResourceTypeDef
  readonly query: (platform: PlatformId, query: StoreQuery) => Effect.Effect<Page<A>, StoreError>
  /** The rendered resource without relations: what sort values (and so cursors) are read from. */
  readonly resourceOf: (item: A) => JsonObject
  /**
   * The page's resources as returned, projected, in order: relations read in as few round trips as
   * the store allows; a resource that cannot be served is its `Unreadable` error instead.
   */
  readonly renderPage: (
    items: ReadonlyArray<A>,
    projection: Projection.Projection
  ) => Effect.Effect<ReadonlyArray<JsonObject | Unreadable>, StoreError, R>
  /** The platform's compatibility profile, read only when the request needs a quirk. */
  readonly profile: Effect.Effect<CompatibilityProfile, StoreError>
  /** The operation named in logs (`Users.list`). */
  readonly operation: string
  /** Signs and checks the page's cursors. */
  readonly mac: Mac.Mac["Service"]
  /** The secret the platform's cursors are signed with. */
  readonly cursorSecret: Effect.Effect<string, StoreError>
}

/**
 * Parses the `filter` parameter (empty means none) and checks it against the resource type, once:
 * the stores receive it checked and compiled (`Filter.Checked`). A filter the RFC grammar rejects
 * is read again with unquoted values when the platform's profile accepts them (quirk
 * `bare-filter-value`); the profile is read only then.
 */
export const parseFilter = (
  rt: ResourceTypeDef,
  platform: PlatformId,
  text: string | undefined,
  options: ScimOptionsShape,
  profile: Effect.Effect<CompatibilityProfile, StoreError>,
  operation: string
) =>
  Effect.gen(function*() {
    if (text === undefined || text.trim() === "") return Option.none<Filter.Checked>()
    const limits = {
      maxLength: options.maxFilterLength,
      maxDepth: options.maxFilterDepth,
      maxTerms: options.maxFilterTerms
    }
    let parsed = Filter.parseResult(text, limits)
    if (Result.isFailure(parsed)) {
      const accepted = yield* profile
      if (Profiles.accepts(accepted, Profiles.BareFilterValue)) {
        parsed = Filter.parseResult(text, { ...limits, bareValues: true })
        if (Result.isSuccess(parsed)) {
          yield* logQuirks(operation, [Profiles.BareFilterValue], { platform, profile: accepted })
        }
      }
    }
    const filter = yield* Effect.fromResult(parsed)
    return Option.some(yield* Effect.fromResult(Filter.check(rt, filter)))
  })

/**
 * Parses `attributes` / `excludedAttributes`, with the platform's profile when a name has a value
 * filter (quirk `filtered-projection`); the profile is read only then.
 */
export const parseProjection = (
  rt: ResourceTypeDef,
  platform: PlatformId,
  request: Projection.ProjectionRequest,
  profile: Effect.Effect<CompatibilityProfile, StoreError>,
  operation: string
): Effect.Effect<Projection.Projection, CoreError> =>
  request.attributes === undefined && request.excludedAttributes === undefined
    ? defaultProjection
    : Effect.gen(function*() {
      const loaded = Projection.hasValueFilter(request) ? Option.some(yield* profile) : Option.none()
      const options = Option.isSome(loaded) ? { profile: loaded.value } : {}
      const parsed = yield* Effect.fromResult(Projection.parseWithQuirks(rt, request, options))
      if (parsed.quirks.length > 0) {
        const accepted = Option.isSome(loaded) ? loaded.value : yield* profile
        yield* logQuirks(operation, parsed.quirks, { platform, profile: accepted })
      }
      return parsed.projection
    })

// what almost every request asks for: no `attributes`, no `excludedAttributes`
const defaultProjection = Effect.succeed(Projection.none)

export const list = <A, R>(
  scope: RequestScope,
  request: ListRequest,
  options: ScimOptionsShape,
  spec: ListSpec<A, R>
): Effect.Effect<JsonObject, CoreError, R> =>
  Effect.gen(function*() {
    const { rt } = spec
    const projection = yield* parseProjection(rt, scope.platform, request, spec.profile, spec.operation)
    const filter = yield* parseFilter(rt, scope.platform, request.filter, options, spec.profile, spec.operation)
    const sort = yield* Effect.fromResult(Sort.parse(rt, request.sortBy, request.sortOrder))
    const fingerprint = Cursor.fingerprint({
      resourceType: rt.id,
      filter: request.filter,
      sortBy: request.sortBy,
      sortOrder: request.sortOrder
    })
    const secret = request.cursor === undefined ? "" : yield* spec.cursorSecret
    const page = yield* Effect.provideService(
      Paging.parse(request, options, rt, secret, fingerprint),
      Mac.Mac,
      spec.mac
    )
    const result = yield* spec.query(scope.platform, { filter, sort, page, resourceType: rt })
    const rendered = yield* spec.renderPage(result.items, projection)
    // one resource that cannot be served never fails the whole list: it is left out and logged
    const resources: Array<JsonObject> = []
    for (const item of rendered) {
      if (item instanceof Unreadable) {
        yield* Effect.logWarning(item.message).pipe(
          Effect.annotateLogs({ resourceType: item.resourceType, id: item.id })
        )
      } else {
        resources.push(item)
      }
    }
    if (page._tag === "Index") {
      return ListResponse.make({
        resources,
        totalResults: result.total,
        startIndex: page.startIndex,
        itemsPerPage: resources.length
      })
    }
    // only the first and the last item's positions are minted into cursors: render only those
    const positionOf = Sort.positioner(rt, sort)
    const cursors = yield* Effect.provideService(
      Paging.cursors(page, result, (item) => positionOf(spec.resourceOf(item)), fingerprint, secret),
      Mac.Mac,
      spec.mac
    )
    return ListResponse.make({ resources, totalResults: result.total, itemsPerPage: resources.length, ...cursors })
  })

/**
 * `/Roles`: the domain model's platform roles and project roles as a read-only SCIM resource type,
 * so that an identity-governance client (Okta Identity Governance: `/ResourceTypes`, then the
 * endpoint of each resource type whose schema is `urn:okta:scim:schemas:core:1.0:Role`) lists the
 * assignable roles instead of an administrator typing them.
 *
 * A role's `id` is `platform:<value>` or `project:<value>`; `value` is what assigns it (the user's
 * role attribute, or a membership's role), `type` says which (`platform`, `project`). Lists take
 * `filter`, `sortBy`/`sortOrder`, `startIndex`/`count` and `attributes`/`excludedAttributes`
 * (RFC 7644 §3.4.2, §3.9); without `sortBy` the roles come in the model's order, platform roles
 * first. Cursor paging is not offered: a model has a handful of roles.
 */
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import type { DomainModel, RoleDetail } from "../domain/DomainModel.js"
import type { JsonObject } from "../domain/Model.js"
import { type InvalidFilter, type InvalidPath, InvalidValue, ResourceNotFound } from "../errors/ScimError.js"
import * as Filter from "../filter/Filter.js"
import type { ListRequest } from "../query/ListRequest.js"
import * as ListResponse from "../query/ListResponse.js"
import { pageSize } from "../query/Paging.js"
import * as Projection from "../query/Projection.js"
import * as Sort from "../query/Sort.js"
import type { ScimOptionsShape } from "../ScimOptions.js"
import { RoleResourceType, RoleUrn } from "./Schemas.js"

/** Whose role a role resource is. */
export type RoleType = "platform" | "project"

/** The `id` of a role resource. */
export const roleId = (type: RoleType, value: string): string => `${type}:${value}`

// the `:` of an id reads as it is in a path segment (RFC 3986 pchar), everything else is escaped
const pathSegment = (id: string): string => encodeURIComponent(id).replace(/%3A/gi, ":")

const describe = (model: DomainModel, type: RoleType, detail: RoleDetail): string => {
  if (detail.description !== "") return detail.description
  return type === "platform"
    ? `The user's role ${detail.value}: set ${model.platformRoles.schema}:${model.platformRoles.attribute} to "${detail.value}".`
    : `The role ${detail.value} of a member of a project (a SCIM group).`
}

const resource = (model: DomainModel, type: RoleType, detail: RoleDetail, root: string): JsonObject => {
  const id = roleId(type, detail.value)
  return {
    schemas: [RoleUrn],
    id,
    displayName: detail.displayName,
    value: detail.value,
    type,
    description: describe(model, type, detail),
    supported: true,
    meta: { resourceType: "Role", location: `${root}/Roles/${pathSegment(id)}` }
  }
}

/** Every role of the model as a resource: the platform roles, then the project roles, each in declared order. */
export const resources = (model: DomainModel, baseUrl: string): ReadonlyArray<JsonObject> => {
  const root = baseUrl.replace(/\/+$/, "")
  return [
    ...model.platformRoles.details.map((detail) => resource(model, "platform", detail, root)),
    ...model.projectRoles.details.map((detail) => resource(model, "project", detail, root))
  ]
}

const integer = (name: string, value: string | number | undefined): Result.Result<number | undefined, InvalidValue> => {
  if (value === undefined || (typeof value === "string" && value.trim() === "")) return Result.succeed(undefined)
  const n = typeof value === "number" ? value : /^[+-]?\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN
  return Number.isInteger(n)
    ? Result.succeed(n)
    : Result.fail(
      new InvalidValue({ attribute: name, detail: `${name} must be an integer; got ${JSON.stringify(value)}` })
    )
}

const matcherOf = (
  text: string | undefined,
  options: ScimOptionsShape
): Result.Result<Option.Option<Filter.Matcher>, InvalidFilter> => {
  if (text === undefined || text.trim() === "") return Result.succeed(Option.none())
  const parsed = Filter.parseResult(text, {
    maxLength: options.maxFilterLength,
    maxDepth: options.maxFilterDepth,
    maxTerms: options.maxFilterTerms
  })
  return Result.map(
    Result.flatMap(parsed, (ast) => Filter.check(RoleResourceType, ast)),
    (checked) => Option.some(checked.matches)
  )
}

/**
 * `GET /Roles` (RFC 7644 §3.4.2) as a ListResponse: filtered, sorted, paged by index and projected.
 * A malformed filter fails with `InvalidFilter`, an unknown sort or projection attribute with
 * `InvalidPath`/`InvalidValue`, a `cursor` with `InvalidValue`.
 */
export const list = (
  model: DomainModel,
  request: ListRequest,
  options: ScimOptionsShape,
  baseUrl: string
): Result.Result<JsonObject, InvalidFilter | InvalidPath | InvalidValue> => {
  if (request.cursor !== undefined) {
    return Result.fail(
      new InvalidValue({
        attribute: "cursor",
        detail: "Roles are paged by index only (a model has a handful of roles): send startIndex and count, not cursor"
      })
    )
  }
  return Result.gen(function*() {
    const projection = yield* Projection.parse(RoleResourceType, request)
    const matches = yield* matcherOf(request.filter, options)
    const sort = yield* Sort.parse(RoleResourceType, request.sortBy, request.sortOrder)
    const count = pageSize(yield* integer("count", request.count), options)
    const startIndex = Math.max(1, (yield* integer("startIndex", request.startIndex)) ?? 1)
    const all = resources(model, baseUrl)
    const matching = Option.match(matches, { onNone: () => all, onSome: (m) => all.filter((doc) => m(doc)) })
    const sorted = Option.isSome(sort) ? [...matching].sort(Sort.comparator(RoleResourceType, sort)) : matching
    const page: ReadonlyArray<JsonObject> = sorted
      .slice(startIndex - 1, startIndex - 1 + count)
      .map((doc) => Projection.apply(RoleResourceType, doc, projection))
    return ListResponse.make({
      resources: page,
      totalResults: matching.length,
      startIndex,
      itemsPerPage: page.length
    })
  })
}

/**
 * `GET /Roles/{id}`, projected; the id is matched exactly, else case-insensitively. An unknown id
 * fails with `ResourceNotFound`.
 */
export const get = (
  model: DomainModel,
  id: string,
  baseUrl: string,
  request: Projection.ProjectionRequest = {}
): Result.Result<JsonObject, ResourceNotFound | InvalidValue> => {
  const all = resources(model, baseUrl)
  const lower = id.toLowerCase()
  const found = all.find((doc) => doc["id"] === id) ??
    all.find((doc) => typeof doc["id"] === "string" && doc["id"].toLowerCase() === lower)
  if (found === undefined) return Result.fail(new ResourceNotFound({ resourceType: "Role", id }))
  return Result.map(
    Projection.parse(RoleResourceType, request),
    (projection) => Projection.apply(RoleResourceType, found, projection)
  )
}

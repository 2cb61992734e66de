/**
 * RFC 7644 §3.4.2.1 / §3.4.3: a query against the server root spans every resource type. Users
 * come first, then Groups; `startIndex`/`count` page over that concatenation.
 *
 * @internal
 */
import {
  Projects,
  Schemas,
  ScimError,
  ScimOptions,
  Users,
  type ListRequest,
  type Model,
  type ResourceApi
} from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as ScimResponse from "../ScimResponse.js"
import * as Params from "./params.js"
import { type Handler, readBody } from "./route.js"

const unsupported = (parameter: string, why: string) =>
  new ScimError.InvalidValue({
    attribute: parameter,
    detail: `"${parameter}" is not supported when searching across resource types (${why}); ` +
      `search /Users/.search or /Groups/.search instead`
  })

const toInt = (value: string | number | undefined): number | undefined => {
  if (value === undefined) return undefined
  const n = typeof value === "number" ? value : Number(value.trim())
  return Number.isInteger(n) ? n : undefined
}

interface Page {
  readonly total: number
  readonly resources: ReadonlyArray<Model.Json>
}

const pageOf = (body: Model.JsonObject): Page => {
  const total = body["totalResults"]
  const resources = body["Resources"]
  return {
    total: typeof total === "number" ? total : 0,
    resources: Array.isArray(resources) ? resources : []
  }
}

const emptyPage: Page = { total: 0, resources: [] }

/** A filter naming attributes a type does not have matches none of that type (§3.4.2.2). */
const isFilterError = (error: ScimError.CoreError): boolean =>
  error._tag === "InvalidFilter" || error._tag === "InvalidPath"

const attempt = (
  api: ResourceApi.ResourceApi,
  scope: ResourceApi.RequestScope,
  request: ListRequest.ListRequest
): Effect.Effect<Result.Result<Page, ScimError.CoreError>, ScimError.CoreError> =>
  api.list(scope, request).pipe(
    Effect.map(pageOf),
    Effect.result,
    Effect.flatMap((result) =>
      Result.isFailure(result) && !isFilterError(result.failure) ? Effect.fail(result.failure) : Effect.succeed(result)
    )
  )

/** The ListResponse of a search across Users and Groups. */
export const search = (
  scope: ResourceApi.RequestScope,
  request: ListRequest.ListRequest
): Effect.Effect<Model.JsonObject, ScimError.CoreError, Users.Users | Projects.Projects | ScimOptions.ScimOptions> =>
  Effect.gen(function*() {
    if (request.sortBy !== undefined) return yield* unsupported("sortBy", "each type sorts on its own attributes")
    if (request.cursor !== undefined) return yield* unsupported("cursor", "cursors belong to one resource type")
    const users = yield* Users.Users
    const projects = yield* Projects.Projects
    const options = yield* ScimOptions.ScimOptions
    const start = Math.max(1, toInt(request.startIndex) ?? 1)
    const count = Math.min(Math.max(0, toInt(request.count) ?? options.defaultCount), options.maxResults)

    const userPage = yield* attempt(users, scope, { ...request, startIndex: start, count })
    const userResult = Result.isSuccess(userPage) ? userPage.success : emptyPage
    const remaining = count - userResult.resources.length
    const groupStart = Math.max(1, start - userResult.total)
    const groupPage = yield* attempt(projects, scope, { ...request, startIndex: groupStart, count: remaining })
    if (Result.isFailure(userPage) && Result.isFailure(groupPage)) return yield* Effect.fail(userPage.failure)
    const groupResult = Result.isSuccess(groupPage) ? groupPage.success : emptyPage
    const resources = [...userResult.resources, ...groupResult.resources]
    return {
      schemas: [Schemas.ListResponseUrn],
      totalResults: userResult.total + groupResult.total,
      itemsPerPage: resources.length,
      startIndex: start,
      Resources: resources
    }
  })

/** `GET /` with query parameters (§3.4.2.1). */
export const get: Handler = (routed) =>
  Effect.map(search(routed.scope, Params.listRequest(routed.query)), (body) => ScimResponse.json(body))

/** `POST /.search` with a SearchRequest body (§3.4.3). */
export const post: Handler = (routed) =>
  readBody(routed).pipe(
    Effect.flatMap(Params.searchRequest),
    Effect.flatMap((request) => search(routed.scope, request)),
    Effect.map((body) => ScimResponse.json(body))
  )

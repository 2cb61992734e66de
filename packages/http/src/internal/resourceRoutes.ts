/**
 * The handlers of a resource endpoint (`/Users`, `/Groups`): list and `.search` (RFC 7644 §3.4.2,
 * §3.4.3), create (§3.3), get with `If-None-Match` (§3.14, 304), replace and PATCH with `If-Match`
 * (§3.5.1, §3.5.2), delete (§3.6).
 *
 * @internal
 */
import { Version, type Projects, type ResourceApi, type Users } from "@scimkit/core"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Option from "effect/Option"
import * as ScimResponse from "../ScimResponse.js"
import * as Params from "./params.js"
import { type Handler, pathId, readBody } from "./route.js"

/**
 * What a PATCH answers: the resource (200), or `noContentUnlessAsked`: 204 with the new `ETag`
 * unless `attributes`/`excludedAttributes` ask for a representation. Groups use the latter so
 * that a member change never ships the member list back (RFC 7644 §3.5.2 allows either).
 */
export type PatchResponse = "resource" | "noContentUnlessAsked"

export interface ResourceHandlers {
  readonly list: Handler
  readonly search: Handler
  readonly create: Handler
  readonly get: Handler
  readonly replace: Handler
  readonly patch: Handler
  readonly remove: Handler
}

const ifMatch = (request: HttpServerRequest.HttpServerRequest): Option.Option<string> =>
  Option.fromNullishOr(request.headers["if-match"])

// With no representation asked for, the minimal projection lets the service skip loading the members.
const noContentProjection = { attributes: "id" }

/** The handlers over the resource service `api`, built once per endpoint. */
export const make = <Id extends Users.Users | Projects.Projects>(
  api: Context.Key<Id, ResourceApi.ResourceApi>,
  options: { readonly patchResponse: PatchResponse }
): ResourceHandlers => {
  const withApi = <A, E, R>(f: (api: ResourceApi.ResourceApi) => Effect.Effect<A, E, R>) => Effect.flatMap(api, f)
  const patchMayOmitBody = options.patchResponse === "noContentUnlessAsked"

  const list: Handler = (routed) =>
    Effect.map(
      withApi((api) => api.list(routed.scope, Params.listRequest(routed.query))),
      (body) => ScimResponse.json(body)
    )

  const search: Handler = (routed) =>
    readBody(routed).pipe(
      Effect.flatMap(Params.searchRequest),
      Effect.flatMap((list) => withApi((api) => api.list(routed.scope, list))),
      Effect.map((body) => ScimResponse.json(body))
    )

  const create: Handler = (routed) =>
    Effect.gen(function*() {
      const body = yield* readBody(routed)
      const result = yield* withApi((api) => api.create(routed.scope, body, Params.projection(routed.query)))
      return ScimResponse.resource(result, 201)
    })

  const get: Handler = (routed) =>
    Effect.map(withApi((api) => api.get(routed.scope, pathId(routed), Params.projection(routed.query))), (result) => {
      const noneMatch = routed.request.headers["if-none-match"]
      return noneMatch !== undefined && Version.matchesNoneMatch(noneMatch, result.version)
        ? ScimResponse.notModified(result.version)
        : ScimResponse.resource(result)
    })

  const replace: Handler = (routed) =>
    Effect.gen(function*() {
      const body = yield* readBody(routed)
      const result = yield* withApi((api) =>
        api.replace(routed.scope, pathId(routed), body, ifMatch(routed.request), Params.projection(routed.query))
      )
      return ScimResponse.resource(result)
    })

  const patch: Handler = (routed) =>
    Effect.gen(function*() {
      const body = yield* readBody(routed)
      const projection = Params.projection(routed.query)
      const wantsBody = !patchMayOmitBody || projection !== undefined
      const result: ResourceApi.ScimResult = yield* withApi((api) =>
        api.patch(
          routed.scope,
          pathId(routed),
          body,
          ifMatch(routed.request),
          wantsBody ? projection : noContentProjection
        )
      )
      return wantsBody ? ScimResponse.resource(result) : ScimResponse.noContent(result.version)
    })

  const remove: Handler = (routed) =>
    Effect.as(
      withApi((api) => api.remove(routed.scope, pathId(routed), ifMatch(routed.request))),
      ScimResponse.noContent()
    )

  return { list, search, create, get, replace, patch, remove }
}

/**
 * The SCIM 2.0 HTTP API (RFC 7644) as one `HttpApp`: authentication, routing under the base path,
 * content rules and SCIM error bodies. Runtime-neutral: serve it with `@effect/platform-node` or as
 * a web-standard handler.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type { CoreError, JsonObject, ResourceApi, ScimResult } from "@scimkit/core"
import { ApiKeys, Discovery, Forbidden, NotImplemented, Projects, ScimOptions, Users, Version } from "@scimkit/core"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Bulk from "./Bulk.js"
import * as Request from "./internal/request.js"
import * as RootSearch from "./internal/rootSearch.js"
import { ScimHttpOptions } from "./ScimHttpOptions.js"
import * as ScimResponse from "./ScimResponse.js"

/** What the app needs: the domain services, the core options and the HTTP options. @since 0.1.0 */
export type ScimHttpRequirements = Users | Projects | ApiKeys | ScimOptions | ScimHttpOptions

type Handler = Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  ScimResponse.HandlerError,
  | ScimHttpRequirements
  | Request.CurrentScope
  | HttpServerRequest.HttpServerRequest
  | HttpServerRequest.ParsedSearchParams
  | HttpRouter.RouteContext
>

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

const methods: ReadonlyArray<Method | "OPTIONS"> = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

const methodNotAllowed = (allowed: ReadonlyArray<Method>): Handler => {
  const allow = allowed.includes("GET") ? ["GET", "HEAD", ...allowed.filter((m) => m !== "GET")] : allowed
  return Effect.fail(
    new ScimResponse.HttpEdgeError({
      status: 405,
      detail: `Method not allowed here; use ${allow.join(", ")}`,
      headers: { allow: allow.join(", ") }
    })
  )
}

/** One path with its handlers; every other method answers 405 with `Allow`. */
const path = (
  router: HttpRouter.HttpRouter<ScimResponse.HandlerError, ScimHttpRequirements | Request.CurrentScope>,
  route: HttpRouter.PathInput,
  handlers: Partial<Record<Method, Handler>>
) => {
  const allowed = Object.keys(handlers) as Array<Method>
  const notAllowed = methodNotAllowed(allowed)
  let result = router
  for (const method of methods) {
    const handler = handlers[method as Method]
    result = HttpRouter.route(method)(route, handler ?? notAllowed)(result)
  }
  if (!allowed.includes("GET")) result = HttpRouter.route("HEAD")(route, notAllowed)(result)
  return result
}

const idParam = Effect.map(HttpRouter.RouteContext, (context) => context.params["id"] ?? "")

const ifMatch = (request: HttpServerRequest.HttpServerRequest): Option.Option<string> =>
  Option.fromNullable(request.headers["if-match"])

const readBody = Effect.flatMap(
  Effect.zip(HttpServerRequest.HttpServerRequest, ScimHttpOptions),
  ([request, options]) => Request.readJsonObject(request, options.maxBodySize)
)

const resourceHandlers = <Id extends Users | Projects>(tag: Context.Tag<Id, ResourceApi>, isGroup: boolean) => {
  const withApi = <A, E, R>(f: (api: ResourceApi, scope: Request.CurrentScope["Type"]) => Effect.Effect<A, E, R>) =>
    Effect.flatMap(Effect.zip(tag, Request.CurrentScope), ([api, scope]) => f(api, scope))

  const list: Handler = Effect.flatMap(HttpServerRequest.ParsedSearchParams, (params) =>
    withApi((api, scope) => api.list(scope, Request.listRequest(params)))).pipe(
      Effect.map((body) => ScimResponse.json(body))
    )

  const search: Handler = readBody.pipe(
    Effect.flatMap(Request.searchRequest),
    Effect.flatMap((list) => withApi((api, scope) => api.list(scope, list))),
    Effect.map((body) => ScimResponse.json(body))
  )

  const create: Handler = Effect.gen(function*() {
    const params = yield* HttpServerRequest.ParsedSearchParams
    const body = yield* readBody
    const result = yield* withApi((api, scope) => api.create(scope, body, Request.projection(params)))
    return ScimResponse.resource(result, 201)
  })

  const get: Handler = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const params = yield* HttpServerRequest.ParsedSearchParams
    const id = yield* idParam
    const result = yield* withApi((api, scope) => api.get(scope, id, Request.projection(params)))
    const noneMatch = request.headers["if-none-match"]
    return noneMatch !== undefined && Version.matchesNoneMatch(noneMatch, result.version)
      ? ScimResponse.notModified(result.version)
      : ScimResponse.resource(result)
  })

  const replace: Handler = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const params = yield* HttpServerRequest.ParsedSearchParams
    const id = yield* idParam
    const body = yield* readBody
    const result = yield* withApi((api, scope) => api.replace(scope, id, body, ifMatch(request), Request.projection(params)))
    return ScimResponse.resource(result)
  })

  // A Group PATCH answers 204 unless a representation is asked for, so that a member change never
  // ships the member list back; the minimal projection lets the service skip loading it.
  const groupPatchProjection = { attributes: "id" }

  const patch: Handler = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const params = yield* HttpServerRequest.ParsedSearchParams
    const id = yield* idParam
    const body = yield* readBody
    const projection = Request.projection(params)
    const wantsBody = !isGroup || projection !== undefined
    const result: ScimResult = yield* withApi((api, scope) =>
      api.patch(scope, id, body, ifMatch(request), wantsBody ? projection : groupPatchProjection)
    )
    return wantsBody ? ScimResponse.resource(result) : ScimResponse.noContent(result.version)
  })

  const remove: Handler = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const id = yield* idParam
    yield* withApi((api, scope) => api.remove(scope, id, ifMatch(request)))
    return ScimResponse.noContent()
  })

  return { list, search, create, get, replace, patch, remove }
}

const users = resourceHandlers(Users, false)
const groups = resourceHandlers(Projects, true)

const notImplementedMe: Handler = Effect.fail(
  new NotImplemented({
    detail: "/Me is not supported: API keys authenticate a platform, not a user; use /Users/{id}"
  })
)

const rootSearchGet: Handler = Effect.flatMap(HttpServerRequest.ParsedSearchParams, (params) =>
  RootSearch.search(Request.listRequest(params))).pipe(Effect.map((body) => ScimResponse.json(body)))

const rootSearchPost: Handler = readBody.pipe(
  Effect.flatMap(Request.searchRequest),
  Effect.flatMap(RootSearch.search),
  Effect.map((body) => ScimResponse.json(body))
)

// RFC 7644 §4: discovery ignores query parameters, except that a filter gets 403 so that a client
// never assumes its conditions held.
const discovery = (
  document: (baseUrl: string) => Effect.Effect<JsonObject, CoreError, ScimOptions | HttpRouter.RouteContext>
): Handler =>
  Effect.gen(function*() {
    const params = yield* HttpServerRequest.ParsedSearchParams
    if (Request.hasParam(params, "filter")) {
      return yield* new Forbidden({ detail: "Discovery endpoints do not support filter; fetch the whole list instead" })
    }
    const scope = yield* Request.CurrentScope
    return ScimResponse.json(yield* document(scope.baseUrl))
  })

const byId = (find: (id: string, baseUrl: string) => Either.Either<JsonObject, CoreError>) =>
  discovery((baseUrl) => Effect.flatMap(idParam, (id) => find(id, baseUrl)))

const serviceProviderConfig = discovery((baseUrl) =>
  Effect.map(ScimOptions, (options) => Discovery.serviceProviderConfig(options, baseUrl))
)

const bulk: Handler = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const options = yield* ScimOptions
  const text = yield* Request.readText(request, options.bulkMaxPayloadSize)
  const body = yield* Request.parseJsonObject(text)
  const scope = yield* Request.CurrentScope
  return ScimResponse.json(yield* Bulk.process(scope, body))
})

const empty: HttpRouter.HttpRouter<ScimResponse.HandlerError, ScimHttpRequirements | Request.CurrentScope> =
  HttpRouter.empty

const router = empty.pipe(
  (r) => path(r, "/Users", { GET: users.list, POST: users.create }),
  (r) => path(r, "/Users/.search", { POST: users.search }),
  (r) => path(r, "/Users/:id", { GET: users.get, PUT: users.replace, PATCH: users.patch, DELETE: users.remove }),
  (r) => path(r, "/Groups", { GET: groups.list, POST: groups.create }),
  (r) => path(r, "/Groups/.search", { POST: groups.search }),
  (r) => path(r, "/Groups/:id", { GET: groups.get, PUT: groups.replace, PATCH: groups.patch, DELETE: groups.remove }),
  (r) => path(r, "/", { GET: rootSearchGet }),
  (r) => path(r, "/.search", { POST: rootSearchPost }),
  (r) => path(r, "/Bulk", { POST: bulk }),
  (r) => path(r, "/ServiceProviderConfig", { GET: serviceProviderConfig }),
  (r) => path(r, "/serviceConfiguration", { GET: serviceProviderConfig }),
  (r) => path(r, "/ResourceTypes", { GET: discovery((baseUrl) => Effect.succeed(Discovery.resourceTypes(baseUrl))) }),
  (r) => path(r, "/ResourceTypes/:id", { GET: byId(Discovery.resourceType) }),
  (r) => path(r, "/Schemas", { GET: discovery((baseUrl) => Effect.succeed(Discovery.schemas(baseUrl))) }),
  (r) => path(r, "/Schemas/:id", { GET: byId(Discovery.schema) }),
  (r) => path(r, "/Me", { GET: notImplementedMe, POST: notImplementedMe, PUT: notImplementedMe, PATCH: notImplementedMe, DELETE: notImplementedMe })
)

const notFound = (pathname: string) =>
  ScimResponse.error(404, `No SCIM endpoint at ${pathname}; see ResourceTypes for the endpoints this server offers`)

const pathnameOf = (url: string): string => {
  const q = url.indexOf("?")
  return q === -1 ? url : url.slice(0, q)
}

const startsWithBase = (pathname: string, base: string): boolean => {
  if (base === "") return true
  if (pathname.length < base.length) return false
  const head = pathname.length === base.length ? pathname : pathname.slice(0, base.length)
  if (head !== base && head.toLowerCase() !== base.toLowerCase()) return false
  return pathname.length === base.length || pathname.charCodeAt(base.length) === 47 ||
    pathname.charCodeAt(base.length) === 63
}

/**
 * The SCIM API (RFC 7644) mounted under `ScimHttpOptions.basePath`: `Users`, `Groups`, `.search`,
 * `Bulk`, the discovery endpoints and `/Me` (501). Every request needs `Authorization: Bearer <key>`;
 * every failure is a SCIM error response, so the app itself never fails.
 *
 * @since 0.1.0
 */
export const ScimHttpApp: HttpApp.Default<never, ScimHttpRequirements> = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const options = yield* ScimHttpOptions
  const url = request.url
  const pathname = pathnameOf(url)
  if (!startsWithBase(pathname, options.basePath)) return notFound(pathname)
  const apiKeys = yield* ApiKeys
  const token = yield* Request.bearerToken(request.headers["authorization"])
  const key = yield* apiKeys.verify(token)
  const scope = { platform: key.platform, baseUrl: Request.baseUrl(request, options) }
  const rest = url.slice(options.basePath.length)
  const inner = rest === "" ? "/" : rest.charCodeAt(0) === 47 ? rest : `/${rest}`
  return yield* router.pipe(
    Effect.catchTag("RouteNotFound", () => Effect.succeed(notFound(pathname))),
    Effect.provideService(Request.CurrentScope, scope),
    Effect.provideService(HttpServerRequest.HttpServerRequest, request.modify({ url: inner }))
  )
}).pipe(ScimResponse.handleErrors)

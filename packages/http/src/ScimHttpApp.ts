/**
 * The SCIM 2.0 HTTP API (RFC 7644) as one HTTP effect: authentication, routing under the base path,
 * content rules and SCIM error bodies. Runtime-neutral: serve it with `@effect/platform-node` or as
 * a web-standard handler.
 *
 * @since 0.1.0
 */
import type { CoreError, JsonObject, RequestScope, ResourceApi, ScimResult } from "@scimkit/core"
import { ApiKeys, Discovery, Forbidden, NotImplemented, Projects, ScimOptions, Users, Version } from "@scimkit/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FindMyWay from "effect/http/FindMyWay"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Option from "effect/Option"
import type * as Result from "effect/Result"
import * as Bulk from "./Bulk.js"
import * as RateLimit from "./internal/rateLimit.js"
import * as Request from "./internal/request.js"
import * as RootSearch from "./internal/rootSearch.js"
import { ScimHttpOptions, type ScimHttpOptionsShape } from "./ScimHttpOptions.js"
import * as ScimResponse from "./ScimResponse.js"

/** What the app needs: the domain services, the core options and the HTTP options. @since 0.1.0 */
export type ScimHttpRequirements = Users | Projects | ApiKeys | ScimOptions | ScimHttpOptions

/** What a route handler gets: the request, its path and query parameters and the resolved scope. */
interface Routed {
  readonly request: HttpServerRequest.HttpServerRequest
  readonly params: Readonly<Record<string, string | undefined>>
  readonly query: Readonly<Record<string, string | ReadonlyArray<string>>>
  readonly scope: RequestScope
  readonly options: ScimHttpOptionsShape
}

type Handler = (routed: Routed) => Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  ScimResponse.HandlerError,
  Users | Projects | ScimOptions
>

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

const methods: ReadonlyArray<Method | "OPTIONS"> = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

const methodNotAllowed = (allowed: ReadonlyArray<Method>): Handler => {
  const allow = allowed.includes("GET") ? ["GET", "HEAD", ...allowed.filter((m) => m !== "GET")] : allowed
  const failure = Effect.fail(
    new ScimResponse.HttpEdgeError({
      status: 405,
      detail: `Method not allowed here; use ${allow.join(", ")}`,
      headers: { allow: allow.join(", ") }
    })
  )
  return () => failure
}

/** One path with its handlers; every other method answers 405 with `Allow`. */
const path = (
  router: FindMyWay.Router<Handler>,
  route: FindMyWay.PathInput,
  handlers: Partial<Record<Method, Handler>>
): void => {
  const allowed = Object.keys(handlers) as Array<Method>
  const notAllowed = methodNotAllowed(allowed)
  for (const method of methods) {
    router.on(method, route, handlers[method as Method] ?? notAllowed)
  }
  if (!allowed.includes("GET")) router.on("HEAD", route, notAllowed)
}

const idOf = (routed: Routed): string => routed.params["id"] ?? ""

const ifMatch = (request: HttpServerRequest.HttpServerRequest): Option.Option<string> =>
  Option.fromNullishOr(request.headers["if-match"])

const readBody = (routed: Routed) => Request.readJsonObject(routed.request, routed.options.maxBodySize)

const resourceHandlers = <Id extends Users | Projects>(tag: Context.Key<Id, ResourceApi>, isGroup: boolean) => {
  const withApi = <A, E, R>(f: (api: ResourceApi) => Effect.Effect<A, E, R>) => Effect.flatMap(tag, f)

  const list: Handler = (routed) =>
    Effect.map(withApi((api) => api.list(routed.scope, Request.listRequest(routed.query))), (body) => ScimResponse.json(body))

  const search: Handler = (routed) =>
    readBody(routed).pipe(
      Effect.flatMap(Request.searchRequest),
      Effect.flatMap((list) => withApi((api) => api.list(routed.scope, list))),
      Effect.map((body) => ScimResponse.json(body))
    )

  const create: Handler = (routed) =>
    Effect.gen(function*() {
      const body = yield* readBody(routed)
      const result = yield* withApi((api) => api.create(routed.scope, body, Request.projection(routed.query)))
      return ScimResponse.resource(result, 201)
    })

  const get: Handler = (routed) =>
    Effect.map(withApi((api) => api.get(routed.scope, idOf(routed), Request.projection(routed.query))), (result) => {
      const noneMatch = routed.request.headers["if-none-match"]
      return noneMatch !== undefined && Version.matchesNoneMatch(noneMatch, result.version)
        ? ScimResponse.notModified(result.version)
        : ScimResponse.resource(result)
    })

  const replace: Handler = (routed) =>
    Effect.gen(function*() {
      const body = yield* readBody(routed)
      const result = yield* withApi((api) =>
        api.replace(routed.scope, idOf(routed), body, ifMatch(routed.request), Request.projection(routed.query))
      )
      return ScimResponse.resource(result)
    })

  // A Group PATCH answers 204 unless a representation is asked for, so that a member change never
  // ships the member list back; the minimal projection lets the service skip loading it.
  const groupPatchProjection = { attributes: "id" }

  const patch: Handler = (routed) =>
    Effect.gen(function*() {
      const body = yield* readBody(routed)
      const projection = Request.projection(routed.query)
      const wantsBody = !isGroup || projection !== undefined
      const result: ScimResult = yield* withApi((api) =>
        api.patch(routed.scope, idOf(routed), body, ifMatch(routed.request), wantsBody ? projection : groupPatchProjection)
      )
      return wantsBody ? ScimResponse.resource(result) : ScimResponse.noContent(result.version)
    })

  const remove: Handler = (routed) =>
    Effect.as(withApi((api) => api.remove(routed.scope, idOf(routed), ifMatch(routed.request))), ScimResponse.noContent())

  return { list, search, create, get, replace, patch, remove }
}

const users = resourceHandlers(Users, false)
const groups = resourceHandlers(Projects, true)

const notImplementedMeFailure = Effect.fail(
  new NotImplemented({
    detail: "/Me is not supported: API keys authenticate a platform, not a user; use /Users/{id}"
  })
)
const notImplementedMe: Handler = () => notImplementedMeFailure

const rootSearchGet: Handler = (routed) =>
  Effect.map(RootSearch.search(routed.scope, Request.listRequest(routed.query)), (body) => ScimResponse.json(body))

const rootSearchPost: Handler = (routed) =>
  readBody(routed).pipe(
    Effect.flatMap(Request.searchRequest),
    Effect.flatMap((request) => RootSearch.search(routed.scope, request)),
    Effect.map((body) => ScimResponse.json(body))
  )

const discoveryFilter = Effect.fail(
  new Forbidden({ detail: "Discovery endpoints do not support filter; fetch the whole list instead" })
)

// RFC 7644 §4: discovery ignores query parameters, except that a filter gets 403 so that a client
// never assumes its conditions held.
const discovery = (
  document: (routed: Routed) => Effect.Effect<JsonObject, CoreError, ScimOptions>
): Handler =>
(routed) =>
  Request.hasParam(routed.query, "filter")
    ? discoveryFilter
    : Effect.map(document(routed), (body) => ScimResponse.json(body))

const byId = (find: (id: string, baseUrl: string) => Result.Result<JsonObject, CoreError>) =>
  discovery((routed) => Effect.fromResult(find(idOf(routed), routed.scope.baseUrl)))

const serviceProviderConfig = discovery((routed) =>
  Effect.map(ScimOptions, (options) => Discovery.serviceProviderConfig(options, routed.scope.baseUrl))
)

const bulk: Handler = (routed) =>
  Effect.gen(function*() {
    const options = yield* ScimOptions
    const text = yield* Request.readText(routed.request, options.bulkMaxPayloadSize)
    const body = yield* Request.parseJsonObject(text)
    return ScimResponse.json(yield* Bulk.process(routed.scope, body))
  })

// Built once: a radix tree over the paths below the base path (case-insensitive, trailing slash ignored).
const router: FindMyWay.Router<Handler> = FindMyWay.make<Handler>()
path(router, "/Users", { GET: users.list, POST: users.create })
path(router, "/Users/.search", { POST: users.search })
path(router, "/Users/:id", { GET: users.get, PUT: users.replace, PATCH: users.patch, DELETE: users.remove })
path(router, "/Groups", { GET: groups.list, POST: groups.create })
path(router, "/Groups/.search", { POST: groups.search })
path(router, "/Groups/:id", { GET: groups.get, PUT: groups.replace, PATCH: groups.patch, DELETE: groups.remove })
path(router, "/", { GET: rootSearchGet })
path(router, "/.search", { POST: rootSearchPost })
path(router, "/Bulk", { POST: bulk })
path(router, "/ServiceProviderConfig", { GET: serviceProviderConfig })
path(router, "/serviceConfiguration", { GET: serviceProviderConfig })
path(router, "/ResourceTypes", {
  GET: discovery((routed) => Effect.succeed(Discovery.resourceTypes(routed.scope.baseUrl)))
})
path(router, "/ResourceTypes/:id", { GET: byId(Discovery.resourceType) })
path(router, "/Schemas", { GET: discovery((routed) => Effect.succeed(Discovery.schemas(routed.scope.baseUrl))) })
path(router, "/Schemas/:id", { GET: byId(Discovery.schema) })
path(router, "/Me", {
  GET: notImplementedMe,
  POST: notImplementedMe,
  PUT: notImplementedMe,
  PATCH: notImplementedMe,
  DELETE: notImplementedMe
})

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

// one limiter per options value: the options of an app are built once
const limiters = new WeakMap<ScimHttpOptionsShape, RateLimit.Limiter>()
const limiterOf = (options: ScimHttpOptionsShape): RateLimit.Limiter => {
  let limiter = limiters.get(options)
  if (limiter === undefined && Option.isSome(options.rateLimit)) {
    limiter = RateLimit.make(options.rateLimit.value)
    limiters.set(options, limiter)
  }
  return limiter!
}

const tooManyRequests = (seconds: number) =>
  ScimResponse.error(
    429,
    `This platform sent more requests than its rate limit allows; retry in ${seconds} second${seconds === 1 ? "" : "s"}`,
    { headers: { "retry-after": String(seconds) } }
  )

/**
 * The SCIM API (RFC 7644) mounted under `ScimHttpOptions.basePath`: `Users`, `Groups`, `.search`,
 * `Bulk`, the discovery endpoints and `/Me` (501). Every request needs `Authorization: Bearer <key>`;
 * every failure is a SCIM error response, so the app itself never fails.
 *
 * @since 0.1.0
 */
export const ScimHttpApp: Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  ScimHttpRequirements | HttpServerRequest.HttpServerRequest
> = Effect.withFiber((fiber): Effect.Effect<HttpServerResponse.HttpServerResponse, ScimResponse.HandlerError, Users | Projects | ScimOptions> => {
  // Everything a request needs is read from the fiber's context once, without an Effect step per service.
  const context = fiber.context as Context.Context<ScimHttpRequirements | HttpServerRequest.HttpServerRequest>
  const request = Context.get(context, HttpServerRequest.HttpServerRequest)
  const options = Context.get(context, ScimHttpOptions)
  const url = request.url
  const pathname = pathnameOf(url)
  if (!startsWithBase(pathname, options.basePath)) return Effect.succeed(notFound(pathname))
  const token = Request.bearerTokenOf(request.headers["authorization"])
  if (typeof token !== "string") return Effect.fail(token)
  return Effect.flatMap(Context.get(context, ApiKeys).verify(token), (key) => {
    if (Option.isSome(options.rateLimit)) {
      const wait = limiterOf(options).take(key.platform, Date.now())
      if (wait > 0) return Effect.succeed(tooManyRequests(wait))
    }
    const scope: RequestScope = { platform: key.platform, baseUrl: Request.baseUrl(request, options) }
    const rest = url.slice(options.basePath.length)
    const inner = rest === "" ? "/" : rest.charCodeAt(0) === 47 ? rest : `/${rest}`
    const method = request.method
    // HEAD is answered by the GET handler (the server leaves the body out).
    const found = router.find(method, inner) ?? (method === "HEAD" ? router.find("GET", inner) : undefined)
    if (found === undefined) return Effect.succeed(notFound(pathname))
    return found.handler({ request, params: found.params, query: found.searchParams, scope, options })
  })
}).pipe(ScimResponse.handleErrors, Effect.interruptible)

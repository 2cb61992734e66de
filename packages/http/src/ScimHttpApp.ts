/**
 * The SCIM 2.0 HTTP API (RFC 7644) as one HTTP effect: authentication, routing under the base path,
 * content rules and SCIM error bodies. Runtime-neutral: serve it with `@effect/platform-node` or as
 * a web-standard handler.
 */
import {
  ChangeEvent,
  CredentialVerifier,
  Projects,
  ScimError,
  ScimOptions,
  Users,
  type ResourceApi
} from "@scimkit/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FindMyWay from "effect/http/FindMyWay"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as References from "effect/References"
import * as Bulk from "./Bulk.js"
import * as Auth from "./internal/auth.js"
import * as Body from "./internal/body.js"
import * as DiscoveryRoutes from "./internal/discoveryRoutes.js"
import * as RateLimiter from "./internal/rateLimit.js"
import * as ResourceRoutes from "./internal/resourceRoutes.js"
import * as RootSearch from "./internal/rootSearch.js"
import { type Handler, path } from "./internal/route.js"
import * as Url from "./internal/url.js"
import * as RequestLog from "./RequestLog.js"
import { ScimHttpOptions } from "./ScimHttpOptions.js"
import * as ScimResponse from "./ScimResponse.js"

/**
 * What the app needs: the resource services, the credential verifier (`ApiKeys.layerVerifier` for
 * the platform API keys, or the host's own), the core options and the HTTP options.
 */
export type Requirements =
  | Users.Users
  | Projects.Projects
  | CredentialVerifier.CredentialVerifier
  | ScimOptions.ScimOptions
  | ScimHttpOptions

const users = ResourceRoutes.make(Users.Users, { patchResponse: "resource" })
const groups = ResourceRoutes.make(Projects.Projects, { patchResponse: "noContentUnlessAsked" })

const notImplementedMeFailure = Effect.fail(
  new ScimError.NotImplemented({
    detail: "/Me is not supported: API keys authenticate a platform, not a user; use /Users/{id}"
  })
)
const notImplementedMe: Handler = () => notImplementedMeFailure

// RFC 7644 §3.7: the Bulk body has its own limit, advertised as bulk.maxPayloadSize.
const bulk: Handler = (routed) =>
  Effect.gen(function*() {
    const options = yield* ScimOptions.ScimOptions
    const text = yield* Body.readText(routed.request, options.bulkMaxPayloadSize)
    const body = yield* Body.parseJsonObject(text)
    return ScimResponse.json(yield* Bulk.run(routed.scope, body))
  })

// Built once: a radix tree over the paths below the base path (case-insensitive, trailing slash ignored).
const router: FindMyWay.Router<Handler> = FindMyWay.make<Handler>()
path(router, "/Users", { GET: users.list, POST: users.create })
path(router, "/Users/.search", { POST: users.search })
path(router, "/Users/:id", { GET: users.get, PUT: users.replace, PATCH: users.patch, DELETE: users.remove })
path(router, "/Groups", { GET: groups.list, POST: groups.create })
path(router, "/Groups/.search", { POST: groups.search })
path(router, "/Groups/:id", { GET: groups.get, PUT: groups.replace, PATCH: groups.patch, DELETE: groups.remove })
path(router, "/", { GET: RootSearch.get })
path(router, "/.search", { POST: RootSearch.post })
path(router, "/Bulk", { POST: bulk })
path(router, "/ServiceProviderConfig", { GET: DiscoveryRoutes.serviceProviderConfig })
path(router, "/serviceConfiguration", { GET: DiscoveryRoutes.serviceProviderConfig })
path(router, "/ResourceTypes", { GET: DiscoveryRoutes.resourceTypes })
path(router, "/ResourceTypes/:id", { GET: DiscoveryRoutes.resourceType })
path(router, "/Schemas", { GET: DiscoveryRoutes.schemas })
path(router, "/Schemas/:id", { GET: DiscoveryRoutes.schema })
// read-only: every write is a 405 that says so (Okta Identity Governance lists the roles here)
const rolesReadOnly = {
  POST: DiscoveryRoutes.rolesReadOnly,
  PUT: DiscoveryRoutes.rolesReadOnly,
  PATCH: DiscoveryRoutes.rolesReadOnly,
  DELETE: DiscoveryRoutes.rolesReadOnly
}
path(router, "/Roles", { GET: DiscoveryRoutes.roles, ...rolesReadOnly })
path(router, "/Roles/:id", { GET: DiscoveryRoutes.role, ...rolesReadOnly })
path(router, "/Me", {
  GET: notImplementedMe,
  POST: notImplementedMe,
  PUT: notImplementedMe,
  PATCH: notImplementedMe,
  DELETE: notImplementedMe
})

/**
 * The request id the request log writes (`RequestLog.middleware` annotates the request's logs
 * with it), else the client's own `X-Request-Id` when usable: the change feed records it.
 */
const requestIdOf = (
  fiber: Fiber.Fiber<unknown, unknown>,
  request: HttpServerRequest.HttpServerRequest
): Option.Option<string> => {
  const logged = fiber.getRef(References.CurrentLogAnnotations)["requestId"]
  if (typeof logged === "string") return Option.some(logged)
  const incoming = request.headers[RequestLog.requestIdHeader]
  return incoming !== undefined && RequestLog.requestId(request) === incoming ? Option.some(incoming) : Option.none()
}

/** Who a request acts as: the verified credential's name (if the verifier gives one) and the request id. */
const actorOf = (
  verified: CredentialVerifier.Verified | string,
  fiber: Fiber.Fiber<unknown, unknown>,
  request: HttpServerRequest.HttpServerRequest
): ChangeEvent.Actor =>
  new ChangeEvent.Actor({
    credential: typeof verified === "string" ? Option.none() : Option.some(verified.credential),
    requestId: requestIdOf(fiber, request)
  })

const notFound = (pathname: string) =>
  ScimResponse.error(404, `No SCIM endpoint at ${pathname}; see ResourceTypes for the endpoints this server offers`)

/**
 * The SCIM API (RFC 7644) mounted under `ScimHttpOptions.basePath`: `Users`, `Groups`, `.search`,
 * `Bulk`, the discovery endpoints, the read-only `Roles` and `/Me` (501). Every request needs `Authorization: Bearer <token>`,
 * which the `CredentialVerifier` resolves to the platform the request acts for; every write carries
 * the request's actor (the credential's name and the request id) into the change feed. Every failure
 * is a SCIM error response, so the app itself never fails.
 */
export const app: Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  Requirements | HttpServerRequest.HttpServerRequest
> = Effect.withFiber(
  (
    fiber
  ): Effect.Effect<
    HttpServerResponse.HttpServerResponse,
    ScimResponse.HandlerError,
    Users.Users | Projects.Projects | ScimOptions.ScimOptions
  > => {
    // Everything a request needs is read from the fiber's context once, without an Effect step per service.
    const context = fiber.context as Context.Context<Requirements | HttpServerRequest.HttpServerRequest>
    const request = Context.get(context, HttpServerRequest.HttpServerRequest)
    const options = Context.get(context, ScimHttpOptions)
    const url = request.url
    const pathname = Url.pathnameOf(url)
    if (!Url.startsWithBase(pathname, options.basePath)) return Effect.succeed(notFound(pathname))
    const token = Auth.bearerTokenOf(request.headers["authorization"])
    if (typeof token !== "string") return Effect.fail(token)
    return Effect.flatMap(Context.get(context, CredentialVerifier.CredentialVerifier).verify({ token }), (verified) => {
      const platform = typeof verified === "string" ? verified : verified.platform
      if (Option.isSome(options.rateLimit)) {
        const wait = RateLimiter.limiterOf(options).take(platform, Date.now())
        if (wait > 0) return Effect.as(Metric.update(RateLimiter.rateLimited, 1), RateLimiter.tooManyRequests(wait))
      }
      const scope: ResourceApi.RequestScope = {
        platform,
        baseUrl: Url.baseUrl(request, options),
        actor: actorOf(verified, fiber, request)
      }
      const inner = Url.belowBase(url, options.basePath)
      const method = request.method
      // HEAD is answered by the GET handler (the server leaves the body out).
      const found = router.find(method, inner) ?? (method === "HEAD" ? router.find("GET", inner) : undefined)
      if (found === undefined) return Effect.succeed(notFound(pathname))
      return found.handler({ request, params: found.params, query: found.searchParams, scope, options })
    })
  }
).pipe(ScimResponse.handleErrors, Effect.interruptible)

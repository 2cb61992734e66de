/**
 * Request metrics for Prometheus, through Effect's `Metric` (the registry every scimkit module
 * records into: rate-limited requests, store statements, quirks, webhook deliveries) and Effect's
 * Prometheus exporter (`effect/observability/PrometheusMetrics`): a middleware counts requests by
 * route template, method, status and platform and times them, and {@link exposition} answers a
 * scrape with every metric of the process in the Prometheus text format.
 */
import { CredentialVerifier } from "@scimkit/core"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Metric from "effect/Metric"
import * as PrometheusMetrics from "effect/observability/PrometheusMetrics"
import * as Url from "./internal/url.js"
import { ScimHttpOptions } from "./ScimHttpOptions.js"

/**
 * The route label of a request that matched no SCIM route (outside the base path, or an unknown
 * path below it): one series for all of them, so a scanner cannot create a series per path.
 */
export const unmatched = "unmatched"

/**
 * The templates of the SCIM routes (`ScimHttpApp`'s route table), below the base path; `{id}`
 * stands for any one path segment.
 */
export const routes: ReadonlyArray<string> = [
  "/",
  "/.search",
  "/Users",
  "/Users/.search",
  "/Users/{id}",
  "/Groups",
  "/Groups/.search",
  "/Groups/{id}",
  "/Bulk",
  "/ServiceProviderConfig",
  "/serviceConfiguration",
  "/ResourceTypes",
  "/ResourceTypes/{id}",
  "/Schemas",
  "/Schemas/{id}",
  "/Me"
]

// The templates by their path below the base path, lower-cased (routing is case-insensitive): the
// collection (`users`), or the collection and `.search`; any other second segment is an id.
const templates = new Map<string, string>()
for (const template of routes) if (!template.endsWith("{id}")) templates.set(template.toLowerCase(), template)
const withIds = new Set(routes.filter((template) => template.endsWith("/{id}")).map((t) => t.slice(0, -5)))

/**
 * The route template of a request path (`/api/v1/scim/v2/Users/2819c223` → `/Users/{id}`), or
 * {@link unmatched}: never the raw path, so the label's values are bounded. It routes as
 * `ScimHttpApp` does (case-insensitive, a trailing slash ignored), by hand rather than through a
 * second router: it runs on every request.
 */
export const routeOf = (pathname: string, basePath: string): string => {
  if (!Url.startsWithBase(pathname, basePath)) return unmatched
  let rest = pathname.slice(basePath.length)
  if (rest.length > 1 && rest.endsWith("/")) rest = rest.slice(0, -1)
  if (rest === "") return "/"
  if (rest.charCodeAt(0) !== 47) return unmatched
  const exact = templates.get(rest.toLowerCase())
  if (exact !== undefined) return exact
  const slash = rest.indexOf("/", 1)
  if (slash === -1 || slash === rest.length - 1 || rest.indexOf("/", slash + 1) !== -1) return unmatched
  const collection = templates.get(rest.slice(0, slash).toLowerCase())
  return collection !== undefined && withIds.has(collection) ? `${collection}/{id}` : unmatched
}

const knownMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])

/** A method label: the standard ones as sent, anything else as `other` (bounded like the routes). */
const methodLabel = (method: string): string => knownMethods.has(method) ? method : "other"

/**
 * Requests answered, by `route` (template), `method`, `status` and `platform` (the platform id the
 * credential resolved to; empty when the request was not authenticated).
 */
export const requestsName = "scimkit_http_requests_total"

/**
 * Request duration in seconds, by `route` and `method` (no status or platform: a histogram is a
 * dozen series per label set, so its labels are the ones latency depends on).
 */
export const durationName = "scimkit_http_request_duration_seconds"

/**
 * The histogram's upper bounds in seconds: 1 ms to 10 s. A guess at what SCIM traffic spans, from
 * a cached GET (well under a millisecond) to a large Bulk or a group PATCH on a slow store.
 */
export const durationBoundaries: ReadonlyArray<number> = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10
]

const requestsDescription = "SCIM HTTP requests answered, by route template, method, status and platform"
const durationDescription = "SCIM HTTP request duration in seconds, by route template and method"

// One metric object per label set, built once: Effect caches a series' registry key on the metric,
// so an update is a map lookup instead of sorting and serialising the attributes every time.
const counters = new Map<string, Metric.Counter<number>>()
const histograms = new Map<string, Metric.Histogram<number>>()

const counterOf = (route: string, method: string, status: number, platform: string): Metric.Counter<number> => {
  const key = `${route} ${method} ${status} ${platform}`
  let counter = counters.get(key)
  if (counter === undefined) {
    counter = Metric.counter(requestsName, {
      description: requestsDescription,
      incremental: true,
      attributes: { route, method, status: String(status), platform }
    })
    counters.set(key, counter)
  }
  return counter
}

const histogramOf = (route: string, method: string): Metric.Histogram<number> => {
  const key = `${route} ${method}`
  let histogram = histograms.get(key)
  if (histogram === undefined) {
    histogram = Metric.histogram(durationName, {
      description: durationDescription,
      boundaries: durationBoundaries,
      attributes: { route, method }
    })
    histograms.set(key, histogram)
  }
  return histogram
}

/** Where the platform of a request is noted when its credential is verified. */
interface Noted {
  platform: string
}

/**
 * Middleware for `ScimHttpApp.app`: counts each request in `scimkit_http_requests_total` and times
 * it in `scimkit_http_request_duration_seconds`. The platform label comes from the request's
 * `CredentialVerifier` (wrapped for the request to note what it resolved), so it is the tenant
 * whatever verifier the host plugs in; an interrupted request (the client went away) counts as 499.
 */
export const middleware = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  E,
  R | HttpServerRequest.HttpServerRequest | ScimHttpOptions | CredentialVerifier.CredentialVerifier
> =>
  Effect.withFiber((fiber) => {
    const context = fiber.context as Context.Context<
      HttpServerRequest.HttpServerRequest | ScimHttpOptions | CredentialVerifier.CredentialVerifier
    >
    const request = Context.get(context, HttpServerRequest.HttpServerRequest)
    const options = Context.get(context, ScimHttpOptions)
    const verifier = Context.get(context, CredentialVerifier.CredentialVerifier)
    const clock = fiber.getRef(Clock.Clock)
    const start = clock.currentTimeNanosUnsafe()
    const noted: Noted = { platform: "" }
    const noting = CredentialVerifier.CredentialVerifier.of({
      verify: (credentials) =>
        Effect.map(verifier.verify(credentials), (verified) => {
          noted.platform = typeof verified === "string" ? verified : verified.platform
          return verified
        })
    })
    return app.pipe(
      Effect.provideService(CredentialVerifier.CredentialVerifier, noting),
      Effect.onExit((exit) => {
        const status = Exit.isSuccess(exit) ? exit.value.status : Exit.hasInterrupts(exit) ? 499 : 500
        const route = routeOf(Url.pathnameOf(request.url), options.basePath)
        const method = methodLabel(request.method)
        const seconds = Number(clock.currentTimeNanosUnsafe() - start) / 1e9
        // into the registry of the request's context (Effect's default one unless the host provides another)
        counterOf(route, method, status, noted.platform).updateUnsafe(1, fiber.context)
        histogramOf(route, method).updateUnsafe(seconds, fiber.context)
        return Effect.void
      })
    )
  })

/**
 * The `Content-Type` of the Prometheus text exposition format (version 0.0.4).
 */
export const contentType = "text/plain; version=0.0.4; charset=utf-8"

/**
 * Every metric of the process in the Prometheus text format, as Effect's exporter renders the
 * registry (`PrometheusMetrics.format`).
 */
export const text: Effect.Effect<string> = PrometheusMetrics.format()

/**
 * A scrape endpoint: `GET /metrics` (or `path`) answers {@link text}; anything else is 404. Serve it
 * on its own port (the example server does) or mount it behind the host's own access control: the
 * series name platforms and routes, and it has no authentication of its own.
 */
export const exposition = (
  path = "/metrics"
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    if (Url.pathnameOf(request.url) !== path) return Effect.succeed(HttpServerResponse.empty({ status: 404 }))
    if (request.method !== "GET" && request.method !== "HEAD") {
      return Effect.succeed(HttpServerResponse.empty({ status: 405, headers: { allow: "GET, HEAD" } }))
    }
    return Effect.map(text, (body) =>
      HttpServerResponse.text(body, {
        contentType,
        headers: { "cache-control": "no-store" }
      }))
  })

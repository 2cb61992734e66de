import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FindMyWay from "effect/http/FindMyWay"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpServer from "effect/http/HttpServer"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as FastCheck from "fast-check"
import * as Metrics from "../src/Metrics.js"
import { ScimHttpApp, ScimHttpOptions } from "../src/index.js"
import { base, call, services, Tenant, user } from "./fixtures.js"

/** The series of one metric in a scrape: each line's labels as a record, with its value. */
const series = (text: string, name: string): ReadonlyArray<{ labels: Record<string, string>; value: number }> =>
  text.split("\n").flatMap((line) => {
    const match = new RegExp(`^${name}\\{(.*)\\} (\\S+)$`).exec(line)
    if (match === null) return []
    const labels: Record<string, string> = {}
    for (const pair of match[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!
    return [{ labels, value: Number(match[2]) }]
  })

const has = (
  found: ReadonlyArray<{ labels: Record<string, string>; value: number }>,
  labels: Record<string, string>
): number | undefined =>
  found.find((entry) => Object.entries(labels).every(([key, value]) => entry.labels[key] === value))?.value

// a registry of this file's own, so the assertions see only the requests sent here
const registry: Metric.MetricRegistry = new Map()

const server = HttpServer.serve(Metrics.middleware(ScimHttpApp.app)).pipe(
  Layer.provideMerge(services()),
  Layer.provideMerge(ScimHttpOptions.layer({})),
  Layer.provideMerge(NodeHttpServer.layerTest),
  Layer.provide(Layer.succeed(Metric.MetricRegistry, registry))
)

const scrape = Effect.provideService(Metrics.text, Metric.MetricRegistry, registry)

describe("Metrics.routeOf", () => {
  it("names a request by its route template, never its raw path", () => {
    assert.strictEqual(Metrics.routeOf(`${base}/Users`, base), "/Users")
    assert.strictEqual(Metrics.routeOf(`${base}/users/`, base), "/Users")
    assert.strictEqual(Metrics.routeOf(`${base}/Users/.search`, base), "/Users/.search")
    assert.strictEqual(Metrics.routeOf(`${base}/Groups/5f1c`, base), "/Groups/{id}")
    assert.strictEqual(
      Metrics.routeOf(`${base}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User`, base),
      "/Schemas/{id}"
    )
    assert.strictEqual(Metrics.routeOf(`${base}`, base), "/")
    assert.strictEqual(Metrics.routeOf(`${base}/Bulk`, base), "/Bulk")
    assert.strictEqual(Metrics.routeOf(`${base}/Users/a/b`, base), Metrics.unmatched)
    assert.strictEqual(Metrics.routeOf("/wp-login.php", base), Metrics.unmatched)
  })

  it("every path's label is one of the templates or unmatched (the label's values are bounded)", () => {
    const labels = new Set([...Metrics.routes, Metrics.unmatched])
    FastCheck.assert(
      FastCheck.property(
        FastCheck.array(FastCheck.webSegment(), { maxLength: 4 }),
        FastCheck.boolean(),
        (segments, below) => {
          const path = `${below ? base : ""}/${segments.join("/")}`
          return labels.has(Metrics.routeOf(path, base))
        }
      )
    )
  })

  it("names every path as a router over the templates would (the routing ScimHttpApp does)", () => {
    const router = FindMyWay.make<string>()
    for (const template of Metrics.routes) {
      router.on("GET", template.replace("{id}", ":id") as FindMyWay.PathInput, template)
    }
    const segment = FastCheck.oneof(
      FastCheck.constantFrom("Users", "users", "GROUPS", "Groups", ".search", ".SEARCH", "Bulk", "Schemas", "Me", "x"),
      FastCheck.uuid(),
      FastCheck.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/)
    )
    FastCheck.assert(
      FastCheck.property(FastCheck.array(segment, { maxLength: 3 }), FastCheck.boolean(), (segments, slash) => {
        const below = `/${segments.join("/")}${slash && segments.length > 0 ? "/" : ""}`
        const expected = router.find("GET", below)?.handler ?? Metrics.unmatched
        return Metrics.routeOf(`${base}${below === "/" ? "" : below}`, base) === expected
      }),
      { numRuns: 2000 }
    )
  })

  it("any id below /Users or /Groups is {id}", () => {
    const ids = FastCheck.oneof(FastCheck.uuid(), FastCheck.stringMatching(/^[A-Za-z0-9_-]{1,40}$/))
    FastCheck.assert(
      FastCheck.property(
        ids,
        FastCheck.constantFrom("Users", "Groups"),
        (id, type) => Metrics.routeOf(`${base}/${type}/${id}`, base) === `/${type}/{id}`
      )
    )
  })
})

describe("Metrics.middleware", () => {
  it.layer(server)((it) => {
    it.effect("counts requests by route, method, status and platform, and times them by route and method", () =>
      Effect.gen(function*() {
        const { platform } = yield* Tenant
        const created = yield* call("POST", "Users", { body: user("metrics@acme.test") })
        assert.strictEqual(created.status, 201)
        const id = String(created.body["id"])
        assert.strictEqual((yield* call("GET", `Users/${id}`)).status, 200)
        assert.strictEqual((yield* call("GET", `Users/${id}`)).status, 200)
        assert.strictEqual((yield* call("GET", "Users/does-not-exist")).status, 404)
        assert.strictEqual((yield* call("GET", "Users", { auth: false })).status, 401)
        assert.strictEqual((yield* call("GET", "/elsewhere")).status, 404)

        const text = yield* scrape
        assert.include(text, "# TYPE scimkit_http_requests_total counter")
        assert.include(text, "# TYPE scimkit_http_request_duration_seconds histogram")
        const requests = series(text, Metrics.requestsName)
        assert.strictEqual(has(requests, { route: "/Users", method: "POST", status: "201", platform }), 1)
        assert.strictEqual(has(requests, { route: "/Users/{id}", method: "GET", status: "200", platform }), 2)
        assert.strictEqual(has(requests, { route: "/Users/{id}", method: "GET", status: "404", platform }), 1)
        // refused before any platform was known
        assert.strictEqual(has(requests, { route: "/Users", method: "GET", status: "401", platform: "" }), 1)
        assert.strictEqual(has(requests, { route: Metrics.unmatched, method: "GET", status: "404" }), 1)
        // the raw id never becomes a label
        assert.notInclude(text, id)

        const buckets = series(text, `${Metrics.durationName}_bucket`)
        assert.strictEqual(has(buckets, { route: "/Users/{id}", method: "GET", le: "+Inf" }), 3)
        assert.isUndefined(buckets.find((entry) => "status" in entry.labels || "platform" in entry.labels))
        const count = series(text, `${Metrics.durationName}_count`)
        assert.strictEqual(has(count, { route: "/Users", method: "POST" }), 1)
      }))
  })
})

describe("Metrics.exposition", () => {
  const scrapeServer = HttpServer.serve(Metrics.exposition()).pipe(
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provide(Layer.succeed(Metric.MetricRegistry, registry))
  )
  it.layer(scrapeServer)((it) => {
    it.effect("answers GET /metrics in the Prometheus text format, 405 to other methods, 404 elsewhere", () =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const counter = Metric.counter("scimkit_test_scrapes_total", { incremental: true })
        yield* Effect.provideService(Metric.update(counter, 3), Metric.MetricRegistry, registry)
        const scraped = yield* client.get("/metrics")
        assert.strictEqual(scraped.status, 200)
        assert.strictEqual(scraped.headers["content-type"], Metrics.contentType)
        assert.include(yield* scraped.text, "scimkit_test_scrapes_total 3\n")
        assert.strictEqual((yield* client.execute(HttpClientRequest.post("/metrics"))).status, 405)
        assert.strictEqual((yield* client.get("/other")).status, 404)
      }))
  })
})

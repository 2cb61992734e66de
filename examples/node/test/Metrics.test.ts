/**
 * Prometheus metrics of the real server, scraped over HTTP from their own port after driving
 * requests: requests by route template, method, status and platform, the latency histogram,
 * rate-limited requests, store statements, and the quirk counter after an Entra-style PATCH. Off
 * (no port, no log line) unless `SCIMKIT_METRICS_PORT` is set.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { at, getPlain, metricsUrl, originOf, running, str } from "./support/Harness.js"

interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

/** Every sample of a scrape (the Prometheus text format: `name{label="value",…} number`). */
const samples = (text: string): ReadonlyArray<Sample> =>
  text.split("\n").flatMap((line) => {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match === null) return []
    const labels: Record<string, string> = {}
    for (const pair of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!
    return [{ name: match[1]!, labels, value: Number(match[3]) }]
  })

const find = (all: ReadonlyArray<Sample>, name: string, labels: Record<string, string> = {}) =>
  all.filter((sample) =>
    sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value)
  )

const UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
const PatchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

describe("metrics", () => {
  it.live(
    "are scraped from their own port with series by route, method, status and platform",
    () =>
      Effect.gen(function*() {
        const { scim, server } = yield* running({
          SCIMKIT_METRICS_PORT: "0",
          SCIMKIT_RATE_LIMIT: "5/s,burst=20"
        })
        const url = Option.getOrThrow(metricsUrl(server.stdout()))
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/)

        const created = yield* scim.post("/Users", { schemas: [UserSchema], userName: "metrics@example.com" })
        assert.strictEqual(created.status, 201, created.text)
        const id = str(created.body, "id")
        assert.strictEqual((yield* scim.get(`/Users/${id}`)).status, 200)
        assert.strictEqual((yield* scim.get("/Users/not-a-user")).status, 404)
        // Entra ID's deactivation: a capitalised op and a boolean as a string, two quirks
        const patched = yield* scim.patch(`/Users/${id}`, {
          schemas: [PatchSchema],
          Operations: [{ op: "Replace", path: "active", value: "False" }]
        })
        assert.strictEqual(patched.status, 200, patched.text)
        assert.strictEqual(at(patched.body, "active"), false)
        // past the burst: some are refused with 429
        let limited = 0
        for (let i = 0; i < 30; i++) if ((yield* scim.get(`/Users/${id}`)).status === 429) limited++
        assert.isAbove(limited, 0)

        const scrape = yield* getPlain(url)
        assert.strictEqual(scrape.status, 200)
        const all = samples(scrape.text)
        const platform = find(all, "scimkit_http_requests_total", { route: "/Users", method: "POST" })[0]?.labels
          .platform
        assert.isString(platform)
        assert.notStrictEqual(platform, "")
        const count = (labels: Record<string, string>) =>
          find(all, "scimkit_http_requests_total", { platform: platform!, ...labels }).reduce((n, s) => n + s.value, 0)
        assert.strictEqual(count({ route: "/Users", method: "POST", status: "201" }), 1)
        assert.isAtLeast(count({ route: "/Users/{id}", method: "GET", status: "200" }), 1)
        assert.strictEqual(count({ route: "/Users/{id}", method: "GET", status: "404" }), 1)
        assert.strictEqual(count({ route: "/Users/{id}", method: "PATCH", status: "200" }), 1)
        assert.strictEqual(count({ route: "/Users/{id}", method: "GET", status: "429" }), limited)
        // the raw path never becomes a label
        assert.notInclude(scrape.text, id)
        assert.notInclude(scrape.text, "not-a-user")

        // the latency histogram, by route and method
        const buckets = find(all, "scimkit_http_request_duration_seconds_bucket", {
          route: "/Users/{id}",
          method: "GET"
        })
        assert.isAbove(buckets.length, 5)
        assert.include(buckets.map((b) => b.labels.le), "+Inf")
        assert.isAbove(find(all, "scimkit_http_request_duration_seconds_sum", { route: "/Users/{id}" }).length, 0)

        // rate-limited requests, store statements, quirks by quirk, platform and profile
        assert.strictEqual(find(all, "scimkit_rate_limited_total").reduce((n, s) => n + s.value, 0), limited)
        assert.isAbove(find(all, "scimkit_store_statement_seconds_count").length, 0)
        const quirks = find(all, "scimkit_quirks_total", { platform: platform! })
        assert.isAbove(quirks.length, 0, scrape.text)
        for (const quirk of quirks) {
          assert.isString(quirk.labels.quirk)
          assert.isString(quirk.labels.profile)
          assert.isAbove(quirk.value, 0)
        }

        // not on the public port
        assert.strictEqual((yield* getPlain(`${originOf(server)}/metrics`)).status, 404)
      }),
    { timeout: 60_000 }
  )

  it.live("are off unless SCIMKIT_METRICS_PORT is set", () =>
    Effect.gen(function*() {
      const { scim, server } = yield* running()
      assert.strictEqual((yield* scim.get("/Users")).status, 200)
      assert.isTrue(Option.isNone(metricsUrl(server.stdout())))
      assert.notInclude(server.stdout(), "Metrics for Prometheus")
    }), { timeout: 60_000 })
})

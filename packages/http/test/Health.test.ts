import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, it } from "@effect/vitest"
import { ScimError } from "@scimkit/core"
import { StoreMemory } from "@scimkit/store-memory"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpServer from "effect/http/HttpServer"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Health from "../src/Health.js"

/** What the checks of the test server answer: flipped by the tests. */
class Switches extends Context.Service<Switches, {
  storeDown: boolean
}>()("test/Switches") {}

/** Warnings logged while the test server runs. */
class Warnings extends Context.Service<Warnings, Array<string>>()("test/Warnings") {}

const app = Effect.succeed(HttpServerResponse.text("the app"))

const switches = { storeDown: false }
const warnings: Array<string> = []

const checks: ReadonlyArray<Health.Check> = [
  {
    name: "store",
    run: Effect.suspend(() =>
      switches.storeDown
        ? Effect.fail(new ScimError.StoreError({ message: "connect ECONNREFUSED 10.1.2.3:5432" }))
        : Effect.void
    )
  },
  { name: "cache", run: Effect.void }
]

const logger = Logger.make<unknown, void>(({ logLevel, message }) => {
  if (logLevel === "Warn") warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
})

const server = HttpServer.serve(Health.middleware(app)).pipe(
  Layer.provideMerge(Health.layer({ checks, timeout: "100 millis" })),
  Layer.provideMerge(Layer.succeed(Switches, switches)),
  Layer.provideMerge(Layer.succeed(Warnings, warnings)),
  Layer.provideMerge(Logger.layer([logger])),
  Layer.provideMerge(NodeHttpServer.layerTest)
)

const get = (path: string, method: "GET" | "HEAD" | "POST" = "GET") =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(HttpClientRequest.make(method)(path))
    const text = yield* response.text
    return { status: response.status, headers: response.headers, text }
  }).pipe(Effect.orDie)

describe("Health", () => {
  it.layer(server)((it) => {
    it.effect("liveness answers 200, readiness 200 with each check, and every other path reaches the app", () =>
      Effect.gen(function*() {
        const live = yield* get("/healthz")
        assert.strictEqual(live.status, 200)
        assert.deepStrictEqual(JSON.parse(live.text), { status: "ok" })
        assert.strictEqual(live.headers["cache-control"], "no-store")
        const ready = yield* get("/readyz")
        assert.strictEqual(ready.status, 200)
        assert.deepStrictEqual(JSON.parse(ready.text), {
          status: "ready",
          checks: { shutdown: "no", store: "ok", cache: "ok" }
        })
        assert.strictEqual((yield* get("/readyz", "HEAD")).status, 200)
        assert.strictEqual((yield* get("/readyz", "POST")).status, 405)
        const other = yield* get("/api/v1/scim/v2/Users")
        assert.strictEqual(other.text, "the app")
        assert.strictEqual((yield* get("/healthz/more")).text, "the app")
      }))

    it.effect("a failing check makes readiness 503 naming the check but not the error; logged once per change", () =>
      Effect.gen(function*() {
        const state = yield* Switches
        const logged = yield* Warnings
        state.storeDown = true
        const first = yield* get("/readyz")
        const second = yield* get("/readyz")
        assert.strictEqual(first.status, 503)
        assert.deepStrictEqual(JSON.parse(first.text), {
          status: "unavailable",
          reason: "store failed",
          checks: { shutdown: "no", store: "failed", cache: "ok" }
        })
        assert.strictEqual(second.status, 503)
        // the address of the store is in the log, never in the unauthenticated answer
        assert.notInclude(first.text, "10.1.2.3")
        assert.strictEqual(logged.filter((line) => line.startsWith("Not ready")).length, 1)
        assert.include(logged.find((line) => line.startsWith("Not ready")) ?? "", "ECONNREFUSED 10.1.2.3")
        // liveness does not depend on the store: the process is fine
        assert.strictEqual((yield* get("/healthz")).status, 200)
        state.storeDown = false
        assert.strictEqual((yield* get("/readyz")).status, 200)
      }))

    it.effect("once draining, readiness answers 503 (shutting down) while liveness and the app still answer", () =>
      Effect.gen(function*() {
        const health = yield* Health.Health
        assert.isFalse(yield* health.draining)
        yield* health.drain
        yield* health.drain
        assert.isTrue(yield* health.draining)
        const ready = yield* get("/readyz")
        assert.strictEqual(ready.status, 503)
        assert.deepStrictEqual(JSON.parse(ready.text), {
          status: "unavailable",
          reason: "shutting down",
          checks: { shutdown: "draining" }
        })
        assert.strictEqual((yield* get("/healthz")).status, 200)
        assert.strictEqual((yield* get("/Users")).text, "the app")
      }))
  })

  it.live("a check that does not answer within the timeout counts as failed", () =>
    Effect.gen(function*() {
      const health = yield* Health.make({
        checks: [{ name: "store", run: Effect.void }, { name: "cache", run: Effect.never }],
        timeout: "50 millis"
      })
      const readiness = yield* health.readiness
      assert.isFalse(readiness.ready)
      assert.deepStrictEqual(readiness.checks, { shutdown: "no", store: "ok", cache: "timed out" })
    }).pipe(Effect.provide(Logger.layer([]))))

  it.effect("the default check asks the store for the feed's latest position", () =>
    Effect.gen(function*() {
      const health = yield* Health.make()
      const readiness = yield* health.readiness
      assert.isTrue(readiness.ready)
      assert.deepStrictEqual(readiness.checks, { shutdown: "no", store: "ok" })
    }).pipe(Effect.provide(StoreMemory.layer)))

  it.effect("a defect in a check is a failure, not a crash", () =>
    Effect.gen(function*() {
      const health = yield* Health.make({ checks: [{ name: "broken", run: Effect.die(new Error("bug")) }] })
      const readiness = yield* health.readiness
      assert.isFalse(readiness.ready)
      assert.deepStrictEqual(readiness.checks, { shutdown: "no", broken: "failed" })
    }).pipe(Effect.provide(Logger.layer([]))))
})

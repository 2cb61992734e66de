/**
 * The example server as an operator meets it, on the embedded store: the first-start banner, data
 * kept across restarts, one log line per request, graceful shutdown with a request in flight, and
 * start-up refusing a bad configuration with a one-line reason.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Http from "node:http"
import * as Path from "node:path"
import {
  arr,
  at,
  banner,
  client,
  emptyDataDir,
  makeKey,
  runServerToExit,
  startServer,
  str,
  tempDir
} from "./support/Harness.js"

const q = (filter: string) => encodeURIComponent(filter)

/** A POST whose body arrives in two parts: the request is in flight between them. */
const slowPost = (url: string, key: string, body: string) =>
  Effect.gen(function*() {
    const target = new URL(url)
    const half = Math.floor(body.length / 2)
    let finish: () => void = () => undefined
    const response = Effect.callback<{ status: number; body: string }, Error>((resume) => {
      const request = Http.request({
        method: "POST",
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        agent: false,
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": "application/scim+json",
          "content-length": String(Buffer.byteLength(body))
        }
      }, (res) => {
        let text = ""
        res.setEncoding("utf8")
        res.on("data", (chunk: string) => {
          text += chunk
        })
        res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, body: text })))
      })
      request.on("error", (error) => resume(Effect.fail(error)))
      request.write(body.slice(0, half))
      finish = () => request.end(body.slice(half))
    })
    return { response, finish: () => finish() }
  })

describe("the example server on the embedded store", () => {
  it.live(
    "prints the Tenant URL and a working key once, keeps data across a restart, logs each request",
    () =>
      Effect.gen(function*() {
        // a directory that does not exist yet: the server creates it and initialises the store
        const dataDir = Path.join(yield* tempDir("data"), "fresh")

        // first start: empty store → platform "default", banner with the Tenant URL and a fresh key
        const first = yield* startServer({ SCIMKIT_DATA_DIR: dataDir })
        const shown = banner(first.stdout())
        assert.isTrue(Option.isSome(shown), first.stdout())
        const { secret, tenantUrl } = Option.getOrThrow(shown)
        assert.strictEqual(tenantUrl, first.baseUrl)
        assert.strictEqual(first.baseUrl, `http://localhost:${first.port}/api/v1/scim/v2`)
        const scim = client(tenantUrl, secret)

        // the key works, and the platform has its owner (SCIMKIT_OWNER_EMAIL, default admin@example.com)
        const owner = yield* scim.get(`/Users?filter=${q("userName eq \"admin@example.com\"")}`, {
          headers: { "x-request-id": "first-start-check" }
        })
        assert.strictEqual(owner.status, 200, owner.text)
        assert.strictEqual(at(owner.body, "totalResults"), 1)
        assert.strictEqual(owner.headers.get("x-request-id"), "first-start-check")

        const user = yield* scim.post("/Users", {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
          userName: "kept@example.com"
        })
        assert.strictEqual(user.status, 201, user.text)
        const userId = str(user.body, "id")
        const group = yield* scim.post("/Groups", {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
          displayName: "Kept",
          members: [{ value: userId }]
        })
        assert.strictEqual(group.status, 201, group.text)
        const groupId = str(group.body, "id")

        // one log line per request: method, path (no query), status, duration, request id
        assert.match(
          first.stdout(),
          /GET \/api\/v1\/scim\/v2\/Users 200 [\d.]+ms first-start-check/
        )
        assert.notInclude(first.stdout(), "admin%40example.com")
        const posted = user.headers.get("x-request-id") ?? "missing"
        assert.match(first.stdout(), new RegExp(`POST /api/v1/scim/v2/Users 201 [\\d.]+ms ${posted}`))

        const stopped = yield* first.stop("SIGTERM")
        assert.strictEqual(stopped.code, 0, first.stderr())

        // restart on the same directory: no new platform, no key printed, the data and the key are still there
        const second = yield* startServer({ SCIMKIT_DATA_DIR: dataDir })
        assert.isTrue(Option.isNone(banner(second.stdout())), second.stdout())
        assert.notInclude(second.stdout(), secret)
        assert.include(second.stdout(), "Tenant URL: ")
        const again = client(second.baseUrl, secret)
        const keptUser = yield* again.get(`/Users/${userId}`)
        assert.strictEqual(keptUser.status, 200, keptUser.text)
        assert.strictEqual(at(keptUser.body, "userName"), "kept@example.com")
        const keptGroup = yield* again.get(`/Groups/${groupId}`)
        assert.strictEqual(keptGroup.status, 200, keptGroup.text)
        assert.deepStrictEqual(arr(keptGroup.body, "members").map((m) => at(m, "value")), [userId])
        const stoppedAgain = yield* second.stop("SIGINT")
        assert.strictEqual(stoppedAgain.code, 0, second.stderr())
      }),
    120_000
  )

  it.live(
    "SCIMKIT_BOOTSTRAP_KEY is a valid key from the first request; SIGTERM lets a request in flight finish",
    () =>
      Effect.gen(function*() {
        const dataDir = yield* emptyDataDir
        const key = makeKey()
        const server = yield* startServer({ SCIMKIT_DATA_DIR: dataDir, SCIMKIT_BOOTSTRAP_KEY: key })
        // the banner still shows a fresh key of its own, never the bootstrap key
        assert.notInclude(server.stdout(), key)

        const body = JSON.stringify({
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
          userName: "inflight@example.com",
          displayName: "x".repeat(2000)
        })
        const request = yield* slowPost(`${server.baseUrl}/Users`, key, body)
        const pending = yield* Effect.forkChild(request.response)
        // the server has the request's headers: ask it to stop
        yield* Effect.sleep("300 millis")
        const exit = yield* Effect.forkChild(server.stop("SIGTERM"))
        while (!server.stdout().includes("Shutting down")) yield* Effect.sleep("50 millis")
        request.finish()
        const answer = yield* Fiber.join(pending)
        assert.strictEqual(answer.status, 201, answer.body)
        assert.strictEqual(at(JSON.parse(answer.body), "userName"), "inflight@example.com")
        const exited = yield* Fiber.join(exit)
        assert.strictEqual(exited.code, 0, server.stderr())

        // the user was stored before the store closed
        const restarted = yield* startServer({ SCIMKIT_DATA_DIR: dataDir, SCIMKIT_BOOTSTRAP_KEY: key })
        const found = yield* client(restarted.baseUrl, key).get(
          `/Users?filter=${q("userName eq \"inflight@example.com\"")}`
        )
        assert.strictEqual(at(found.body, "totalResults"), 1, found.text)
      }),
    120_000
  )

  it.live("an invalid SCIM_DEFAULT_PROJECT_ROLE stops start-up with the variable, the allowed values and no stack trace", () =>
    Effect.gen(function*() {
      const result = yield* runServerToExit({
        SCIM_DEFAULT_PROJECT_ROLE: "Owner",
        SCIMKIT_DATA_DIR: "/nonexistent/never-created"
      })
      assert.notStrictEqual(result.code, 0)
      assert.include(result.stderr, "SCIM_DEFAULT_PROJECT_ROLE")
      assert.include(result.stderr, "Admin, Editor, Viewer")
      assert.include(result.stderr, "\"Owner\"")
      assert.notMatch(result.stderr, /\n\s+at /)
      assert.notInclude(result.stdout, "listening")
    }))

  it.live(
    "a refused SCIMKIT_BOOTSTRAP_KEY stops start-up naming it, yet the platform's first key is still shown",
    () =>
      Effect.gen(function*() {
        const dataDir = yield* emptyDataDir
        const result = yield* runServerToExit({
          SCIMKIT_DATA_DIR: dataDir,
          SCIMKIT_BOOTSTRAP_KEY: "hunter2",
          PORT: "39999"
        })
        assert.strictEqual(result.code, 1, result.stdout)
        assert.include(result.stderr, "SCIMKIT_BOOTSTRAP_KEY")
        assert.include(result.stderr, "sk-")
        assert.notInclude(result.stderr + result.stdout, "hunter2")
        assert.notMatch(result.stderr, /\n\s+at /)
        const shown = Option.getOrThrow(banner(result.stdout))
        assert.strictEqual(shown.tenantUrl, "http://localhost:39999/api/v1/scim/v2")
        assert.match(shown.secret, /^sk-/)
      }),
    120_000
  )

  it.live("other invalid settings name their variable too", () =>
    Effect.gen(function*() {
      const result = yield* runServerToExit({
        SCIMKIT_DATA_DIR: "/nonexistent/never-created",
        PORT: "eighty",
        SCIMKIT_TRUST_PROXY: "maybe",
        SCIMKIT_LOG_LEVEL: "loud",
        SCIMKIT_PUBLIC_URL: "scim.example.com",
        SCIMKIT_MAX_RESULTS: "0",
        SCIMKIT_CREDENTIAL_CACHE_TTL: "-1"
      })
      assert.notStrictEqual(result.code, 0)
      for (
        const name of [
          "PORT",
          "SCIMKIT_TRUST_PROXY",
          "SCIMKIT_LOG_LEVEL",
          "SCIMKIT_PUBLIC_URL",
          "SCIMKIT_MAX_RESULTS",
          "SCIMKIT_CREDENTIAL_CACHE_TTL"
        ]
      ) {
        assert.include(result.stderr, name)
      }
      assert.notMatch(result.stderr, /\n\s+at /)
    }))
})

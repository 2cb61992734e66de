import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { base, call, Logs, server } from "./fixtures.js"

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe("RequestLog.middleware", () => {
  it.layer(server())((it) => {
    it.effect("echoes an incoming X-Request-Id and logs one line with method, path, status, duration and id", () =>
      Effect.gen(function*() {
        const reply = yield* call("GET", "Users?filter=userName%20eq%20%22secret%40acme.test%22", {
          headers: { "x-request-id": "req-123" }
        })
        assert.strictEqual(reply.headers["x-request-id"], "req-123")
        const lines = (yield* Logs).filter((entry) =>
          entry.annotations["requestId"] === "req-123" && entry.level === "INFO"
        )
        assert.strictEqual(lines.length, 1)
        const line = lines[0]!
        assert.match(line.message, new RegExp(`^GET ${base}/Users 200 \\d+(\\.\\d+)?ms req-123$`))
        assert.notInclude(line.message, "secret")
        assert.strictEqual(line.annotations["method"], "GET")
        assert.strictEqual(line.annotations["path"], `${base}/Users`)
        assert.strictEqual(line.annotations["status"], 200)
        assert.isNumber(line.annotations["durationMs"])
      }))

    it.effect("generates a request id when none is sent", () =>
      Effect.gen(function*() {
        const reply = yield* call("GET", "Users")
        assert.match(reply.headers["x-request-id"] ?? "", uuid)
      }))

    it.effect("replaces an unusable X-Request-Id", () =>
      Effect.gen(function*() {
        const reply = yield* call("GET", "Users", { headers: { "x-request-id": "x".repeat(300) } })
        assert.match(reply.headers["x-request-id"] ?? "", uuid)
      }))

    it.effect("error responses are logged with their status and carry the id too", () =>
      Effect.gen(function*() {
        const reply = yield* call("GET", "Users", { auth: false, headers: { "x-request-id": "unauth-1" } })
        assert.strictEqual(reply.status, 401)
        assert.strictEqual(reply.headers["x-request-id"], "unauth-1")
        const line = (yield* Logs).find((entry) =>
          entry.annotations["requestId"] === "unauth-1" && entry.level === "INFO"
        )
        assert.match(line?.message ?? "", / 401 /)
      }))
  })
})

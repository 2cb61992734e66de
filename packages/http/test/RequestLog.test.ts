import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpServer from "effect/http/HttpServer"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"
import * as fc from "fast-check"
import { RequestLog, ScimHttpApp, ScimHttpOptions } from "../src/index.js"
import { base, call, Logs, server, services, user } from "./fixtures.js"

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

describe("RequestLog: the request id on spans", () => {
  const spans: Array<Tracer.NativeSpan> = []
  const recording = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  const traced = HttpServer.serve(RequestLog.middleware(ScimHttpApp.app)).pipe(
    Layer.provideMerge(services()),
    Layer.provideMerge(ScimHttpOptions.layer({})),
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provide(Layer.succeed(Tracer.Tracer, recording))
  )
  it.layer(traced)((it) => {
    it.effect("the server's request span and every span under it carry scimkit.request_id", () =>
      Effect.gen(function*() {
        const created = yield* call("POST", "Users", { body: user("traced@acme.test") })
        spans.length = 0
        const reply = yield* call("GET", `Users/${String(created.body["id"])}`, {
          headers: { "x-request-id": "trace-42" }
        })
        assert.strictEqual(reply.status, 200)
        const server = spans.find((span) => span.kind === "server")
        assert.isDefined(server)
        const service = spans.find((span) => span.name === "Users.get")
        assert.isDefined(service)
        for (const span of [server!, service!]) {
          assert.strictEqual(span.attributes.get(RequestLog.spanAttribute), "trace-42", span.name)
        }
        // every span of the request (verifier, service, store) is tagged: none is left without it
        const untagged = spans.filter((span) =>
          span.kind !== "client" && span.attributes.get(RequestLog.spanAttribute) !== "trace-42"
        )
        assert.deepStrictEqual(untagged.map((span) => span.name), [])
      }))
  })
})

describe("RequestLog.masking", () => {
  const mask = RequestLog.masking({ personalData: true })
  const keep = RequestLog.masking({ personalData: false })

  it("keeps API keys and bearer tokens out of every line, masked or not", () => {
    const line = "auth failed for Authorization: Bearer eyJhbGciOi.abc.def with sk-4mNq2xa0123456789abcdef"
    for (const f of [mask, keep]) {
      const out = f(line)
      assert.notInclude(out, "eyJhbGciOi")
      assert.notInclude(out, "4mNq2xa0123456789abcdef")
      assert.include(out, "Bearer ***")
      assert.include(out, "sk-***")
    }
  })

  it("masks personal data in JSON, quoted log values, annotations, filters, paths and store details", () => {
    const doc = {
      userName: "bjensen@example.com",
      name: { givenName: "Barbara", familyName: "Jensen", formatted: "Ms. Barbara J Jensen" },
      displayName: "Babs Jensen",
      emails: [{ value: "babs@jensen.org", primary: true }],
      active: true
    }
    const lines = [
      JSON.stringify(doc),
      `level=ERROR message=${JSON.stringify(`failed on ${JSON.stringify(doc)}`)}`,
      `level=DEBUG message="accepted" userName=bjensen displayName="Babs Jensen" quirks=entra.patch`,
      `filter=userName eq "bjensen" and name.givenName sw \\"Barb\\"`,
      `GET /api/v1/scim/v2/Users/babs%40jensen.org 404 1ms id`,
      `Key (platform, lower(user_name))=(5f1c, bjensen) already exists.`
    ]
    for (const line of lines) {
      const out = mask(line)
      for (const value of ["bjensen", "Barbara", "Barb", "Jensen", "Babs", "babs"]) {
        assert.notInclude(out, value, `${value} in ${out}`)
      }
    }
    // what is not personal stays readable
    assert.include(mask(lines[0]!), `"active":true`)
    assert.include(mask(lines[0]!), `"value":"***@jensen.org"`)
    assert.include(mask(lines[2]!), "quirks=entra.patch")
    assert.strictEqual(keep(lines[2]!), lines[2])
  })

  it("no userName, name or displayName survives masking, in JSON or in a quoted log value", () => {
    fc.assert(fc.property(
      fc.stringMatching(/^[a-z]{4,12}\.[a-z]{4,12}$/),
      fc.stringMatching(/^[A-Z][a-z]{4,12}$/),
      fc.stringMatching(/^[A-Z][a-z]{4,10} [A-Z][a-z]{4,10}$/),
      (userName, givenName, displayName) => {
        const doc = JSON.stringify({ userName: `${userName}@corp.example`, name: { givenName }, displayName })
        return [doc, `message=${JSON.stringify(`body ${doc}`)}`].every((line) => {
          const out = mask(line)
          return !out.includes(userName) && !out.includes(givenName) && !out.includes(displayName)
        })
      }
    ))
  })
})

import { assert, describe, it } from "@effect/vitest"
import { Schemas } from "@scimkit/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ScimHttpOptions, WebHandler } from "../src/index.js"
import { base, services, Tenant, user } from "./fixtures.js"

describe("WebHandler.make", () => {
  it.effect("serves the app as (Request) => Promise<Response>", () =>
    Effect.gen(function*() {
      const layer = Layer.merge(services(), ScimHttpOptions.layer({}))
      const context = yield* Layer.build(layer)
      const tenant = Context.get(context, Tenant)
      const web = WebHandler.make(Layer.succeedContext(context), { requestLog: false })
      yield* Effect.addFinalizer(() => Effect.promise(() => web.dispose()))

      const created = yield* Effect.promise(() =>
        web.handler(
          new Request(`https://scim.example.com${base}/Users`, {
            method: "POST",
            headers: { authorization: `Bearer ${tenant.key}`, "content-type": "application/scim+json" },
            body: JSON.stringify(user("web@acme.test"))
          })
        )
      )
      assert.strictEqual(created.status, 201)
      assert.strictEqual(created.headers.get("content-type"), "application/scim+json; charset=utf-8")
      const body = yield* Effect.promise(() => created.json() as Promise<Record<string, unknown>>)
      assert.strictEqual(created.headers.get("location"), `https://scim.example.com${base}/Users/${String(body["id"])}`)

      const unauthorized = yield* Effect.promise(() =>
        web.handler(new Request(`https://scim.example.com${base}/Users`))
      )
      assert.strictEqual(unauthorized.status, 401)
      const error = yield* Effect.promise(() => unauthorized.json() as Promise<Record<string, unknown>>)
      assert.deepStrictEqual(error["schemas"], [Schemas.ErrorUrn])
    }))

  it.effect("enforces the body limit while reading a streamed body without Content-Length", () =>
    Effect.gen(function*() {
      const layer = Layer.merge(services(), ScimHttpOptions.layer({ maxBodySize: 1024 }))
      const context = yield* Layer.build(layer)
      const tenant = Context.get(context, Tenant)
      const web = WebHandler.make(Layer.succeedContext(context), { requestLog: false })
      yield* Effect.addFinalizer(() => Effect.promise(() => web.dispose()))
      const chunk = new TextEncoder().encode("x".repeat(600))
      let pulled = 0
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++
          if (pulled > 100) controller.close()
          else controller.enqueue(chunk)
        }
      })
      const response = yield* Effect.promise(() =>
        web.handler(
          new Request(`http://localhost${base}/Users`, {
            method: "POST",
            headers: { authorization: `Bearer ${tenant.key}` },
            body: stream,
            duplex: "half"
          } as RequestInit)
        )
      )
      assert.strictEqual(response.status, 413)
      assert.isBelow(pulled, 100)
    }))
})

import { assert, describe, it } from "@effect/vitest"
import { Schemas, ScimError, Users, type ResourceApi } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ScimResponse } from "../src/index.js"
import { call, Logs, projectsLayer, server } from "./fixtures.js"

const bodyOf = (response: ReturnType<typeof ScimResponse.fromError>): Record<string, unknown> => {
  const body = response.body
  assert.strictEqual(body._tag, "Uint8Array")
  return body._tag === "Uint8Array" ? JSON.parse(new TextDecoder().decode(body.body)) as Record<string, unknown> : {}
}

const cases: ReadonlyArray<readonly [ScimError.CoreError, number, string | undefined]> = [
  [new ScimError.InvalidFilter({ filter: "x", offset: 0, expected: "an attribute path" }), 400, "invalidFilter"],
  [new ScimError.InvalidPath({ path: "x", detail: "no such attribute" }), 400, "invalidPath"],
  [new ScimError.InvalidValue({ detail: "userName is required" }), 400, "invalidValue"],
  [new ScimError.InvalidSyntax({ detail: "not JSON" }), 400, "invalidSyntax"],
  [new ScimError.NoTarget({ path: "emails[type eq \"x\"]", detail: "nothing matched" }), 400, "noTarget"],
  [new ScimError.Mutability({ attribute: "id", detail: "id is readOnly" }), 400, "mutability"],
  [new ScimError.Uniqueness({ attribute: "userName", value: "a", detail: "taken" }), 409, "uniqueness"],
  [new ScimError.TooMany({ detail: "too many" }), 400, "tooMany"],
  [new ScimError.InvalidVers({ detail: "bad version" }), 400, "invalidVers"],
  [new ScimError.Sensitive({ detail: "no passwords in URLs" }), 403, "sensitive"],
  [new ScimError.InvalidCursor({ detail: "bad cursor", expired: false }), 400, "invalidCursor"],
  [new ScimError.InvalidCursor({ detail: "old cursor", expired: true }), 400, "expiredCursor"],
  [new ScimError.ResourceNotFound({ resourceType: "User", id: "1" }), 404, undefined],
  [new ScimError.VersionMismatch({ resourceType: "User", id: "1", expected: "1", actual: "2" }), 412, undefined],
  [new ScimError.Unauthorized({ detail: "who are you" }), 401, undefined],
  [new ScimError.Forbidden({ detail: "not you" }), 403, undefined],
  [new ScimError.PayloadTooLarge({ detail: "too big" }), 413, undefined],
  [new ScimError.NotImplemented({ detail: "later" }), 501, undefined],
  [new ScimError.HookRejected({ status: 403, detail: "deletes are refused here" }), 403, undefined],
  [
    new ScimError.HookRejected({ status: 409, scimType: "uniqueness", detail: "email taken upstream" }),
    409,
    "uniqueness"
  ],
  [
    new ScimError.HookRejected({ status: 400, scimType: "invalidValue", detail: "department required" }),
    400,
    "invalidValue"
  ],
  [new ScimError.HookRejected({ status: 422, detail: "not now" }), 422, undefined],
  [new ScimError.StoreError({ message: "connection refused to 10.0.0.1", retryable: false }), 500, undefined]
]

describe("ScimResponse", () => {
  describe("fromError", () => {
    for (const [error, status, scimType] of cases) {
      const variant = error._tag === "InvalidCursor" && error.expired
        ? " (expired)"
        : error._tag === "HookRejected"
        ? ` (${error.detail})`
        : ""
      it(`${error._tag}${variant} → ${status}${scimType ? ` ${scimType}` : ""}`, () => {
        const response = ScimResponse.fromError(error)
        assert.strictEqual(response.status, status)
        const body = bodyOf(response)
        assert.deepStrictEqual(body["schemas"], [Schemas.ErrorUrn])
        assert.strictEqual(body["status"], String(status))
        assert.strictEqual(body["scimType"], scimType)
        assert.strictEqual(body["detail"], error._tag === "StoreError" ? "Internal error" : error.message)
        assert.strictEqual(
          response.body._tag === "Uint8Array" ? response.body.contentType : "",
          ScimResponse.contentType
        )
      })
    }

    it("Unauthorized carries a Bearer challenge", () => {
      const response = ScimResponse.fromError(new ScimError.Unauthorized({ detail: "no key" }))
      assert.strictEqual(response.headers["www-authenticate"], "Bearer realm=\"scimkit\"")
    })

    it("a retryable StoreError is 503 with Retry-After and says the store is unavailable", () => {
      const response = ScimResponse.fromError(
        new ScimError.StoreError({ message: "ECONNRESET at pg://secret@db", retryable: true })
      )
      assert.strictEqual(response.status, 503)
      assert.strictEqual(response.headers["retry-after"], String(ScimResponse.retryAfterSeconds))
      const detail = String(bodyOf(response)["detail"])
      assert.include(detail, "store is unavailable")
      assert.notInclude(detail, "secret")
    })
  })

  const broken: ResourceApi.ResourceApi = {
    create: () => Effect.die(new Error("boom: a bug in create")),
    get: () => Effect.fail(new ScimError.StoreError({ message: "disk on fire", retryable: false })),
    list: () => Effect.fail(new ScimError.StoreError({ message: "connection lost", retryable: true })),
    replace: () => Effect.die(new Error("boom: a thrown error")),
    patch: () => Effect.die(new ScimError.StoreError({ message: "connection lost at BEGIN", retryable: true })),
    remove: () => Effect.void
  }

  it.layer(server({}, {}, Layer.merge(Layer.succeed(Users.Users, broken), projectsLayer)))(
    "faults through the app",
    (it) => {
      it.effect("a defect is a 500 SCIM error without a stack trace, logged with its cause", () =>
        Effect.gen(function*() {
          const reply = yield* call("POST", "Users", { body: { userName: "a@b.test" } })
          assert.strictEqual(reply.status, 500)
          assert.deepStrictEqual(reply.body, { schemas: [Schemas.ErrorUrn], status: "500", detail: "Internal error" })
          assert.notInclude(reply.text, "boom")
          const logs = yield* Logs
          const logged = logs.find((entry) => entry.level === "ERROR" && entry.cause.includes("boom: a bug in create"))
          assert.isDefined(logged)
          assert.isString(logged?.annotations["requestId"])
        }))

      it.effect("a thrown error inside a service is a 500 too", () =>
        Effect.gen(function*() {
          const reply = yield* call("PUT", "Users/1", { body: { userName: "a@b.test" } })
          assert.strictEqual(reply.status, 500)
          assert.notInclude(reply.text, "boom")
        }))

      it.effect("a StoreError is 500 Internal error, logged", () =>
        Effect.gen(function*() {
          const reply = yield* call("GET", "Users/1")
          assert.strictEqual(reply.status, 500)
          assert.strictEqual(reply.body["detail"], "Internal error")
          assert.notInclude(reply.text, "disk on fire")
          const logs = yield* Logs
          assert.isTrue(logs.some((entry) => entry.level === "ERROR" && entry.cause.includes("disk on fire")))
        }))

      it.effect("a retryable StoreError is 503 with Retry-After", () =>
        Effect.gen(function*() {
          const reply = yield* call("GET", "Users")
          assert.strictEqual(reply.status, 503)
          assert.strictEqual(reply.headers["retry-after"], String(ScimResponse.retryAfterSeconds))
          assert.include(String(reply.body["detail"]), "store is unavailable")
        }))

      it.effect("a retryable StoreError that surfaces as a defect (a transaction's BEGIN failing) is 503 too", () =>
        Effect.gen(function*() {
          const reply = yield* call("PATCH", "Users/1", {
            body: {
              schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              Operations: [{ op: "replace", path: "active", value: false }]
            }
          })
          assert.strictEqual(reply.status, 503)
          assert.strictEqual(reply.headers["retry-after"], String(ScimResponse.retryAfterSeconds))
          assert.notInclude(reply.text, "BEGIN")
        }))
    }
  )
})

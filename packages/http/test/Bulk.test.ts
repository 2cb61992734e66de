import { assert, describe, it } from "@effect/vitest"
import { ApiKeys, EventStore, Model, Schemas } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { base, call, group, patchOp, server, Tenant, user } from "./fixtures.js"

type Op = Record<string, unknown>

const bulk = (operations: ReadonlyArray<Op>, extra: Record<string, unknown> = {}) =>
  call("POST", "Bulk", { body: { schemas: [Schemas.BulkRequestUrn], Operations: operations, ...extra } })

const operationsOf = (body: Record<string, unknown>) => body["Operations"] as ReadonlyArray<Record<string, unknown>>

const idFrom = (location: unknown): string => String(location).split("/").pop() ?? ""

describe("Bulk", () => {
  it.layer(server({}, { bulkMaxOperations: 6, bulkMaxPayloadSize: 4096 }))((it) => {
    it.effect("creates resources and resolves bulkId references in dependency order, answering in request order", () =>
      Effect.gen(function*() {
        const reply = yield* bulk([
          { method: "POST", path: "/Groups", bulkId: "g1", data: group("Bulk team", ["bulkId:u1", "bulkId:u2"]) },
          { method: "POST", path: "/Users", bulkId: "u1", data: user("bulk1@acme.test") },
          { method: "POST", path: "/Users", bulkId: "u2", data: user("bulk2@acme.test") }
        ])
        assert.strictEqual(reply.status, 200, reply.text)
        assert.deepStrictEqual(reply.body["schemas"], [Schemas.BulkResponseUrn])
        const ops = operationsOf(reply.body)
        assert.deepStrictEqual(ops.map((op) => [op["bulkId"], op["status"], op["method"]]), [
          ["g1", "201", "POST"],
          ["u1", "201", "POST"],
          ["u2", "201", "POST"]
        ])
        for (const op of ops) {
          assert.match(String(op["location"]), new RegExp(`^http://127\\.0\\.0\\.1:\\d+${base}/(Users|Groups)/.+`))
          assert.match(String(op["version"]), /^W\/"\d+"$/)
          assert.isUndefined(op["response"])
        }
        const groupReply = yield* call("GET", `Groups/${idFrom(ops[0]!["location"])}`)
        const members = (groupReply.body["members"] as ReadonlyArray<Record<string, unknown>>).map((m) => m["value"])
        assert.sameMembers(members, [idFrom(ops[1]!["location"]), idFrom(ops[2]!["location"])])
      }))

    it.effect("resolves bulkId references in paths", () =>
      Effect.gen(function*() {
        const reply = yield* bulk([
          { method: "POST", path: "/Users", bulkId: "p1", data: user("path-ref@acme.test") },
          {
            method: "PATCH",
            path: "/Users/bulkId:p1",
            data: patchOp([{ op: "replace", path: "displayName", value: "Ref" }])
          },
          { method: "DELETE", path: "/Users/bulkId:p1" }
        ])
        const ops = operationsOf(reply.body)
        assert.deepStrictEqual(ops.map((op) => op["status"]), ["201", "200", "204"])
        const id = idFrom(ops[0]!["location"])
        assert.strictEqual(ops[1]!["location"], ops[0]!["location"])
        assert.strictEqual(ops[2]!["location"], ops[0]!["location"])
        assert.strictEqual((yield* call("GET", `Users/${id}`)).status, 404)
      }))

    it.effect("circular bulkId references fail with 409 for each operation in the cycle", () =>
      Effect.gen(function*() {
        const reply = yield* bulk([
          { method: "POST", path: "/Groups", bulkId: "a", data: group("Cycle A", ["bulkId:b"]) },
          { method: "POST", path: "/Groups", bulkId: "b", data: group("Cycle B", ["bulkId:a"]) },
          { method: "POST", path: "/Users", bulkId: "free", data: user("acyclic@acme.test") }
        ])
        const ops = operationsOf(reply.body)
        assert.deepStrictEqual(ops.map((op) => op["status"]), ["409", "409", "201"])
        const error = ops[0]!["response"] as Record<string, unknown>
        assert.deepStrictEqual(error["schemas"], [Schemas.ErrorUrn])
        assert.strictEqual(error["status"], "409")
        assert.include(String(error["detail"]), "circular")
        assert.isUndefined(ops[0]!["location"])
      }))

    it.effect("a reference to an unknown bulkId is 400 invalidValue; one to a failed operation is 409", () =>
      Effect.gen(function*() {
        yield* call("POST", "Users", { body: user("taken@acme.test") })
        const reply = yield* bulk([
          { method: "POST", path: "/Groups", bulkId: "x", data: group("Unknown ref", ["bulkId:nobody"]) },
          { method: "POST", path: "/Users", bulkId: "dup", data: user("taken@acme.test") },
          { method: "POST", path: "/Groups", data: group("Depends on failure", ["bulkId:dup"]) }
        ])
        const ops = operationsOf(reply.body)
        assert.deepStrictEqual(ops.map((op) => op["status"]), ["400", "409", "409"])
        assert.strictEqual((ops[0]!["response"] as Record<string, unknown>)["scimType"], "invalidValue")
        assert.strictEqual((ops[1]!["response"] as Record<string, unknown>)["scimType"], "uniqueness")
        assert.include(String((ops[2]!["response"] as Record<string, unknown>)["detail"]), "bulkId:dup")
      }))

    it.effect("failOnErrors stops after that many errors", () =>
      Effect.gen(function*() {
        yield* call("POST", "Users", { body: user("fail-once@acme.test") })
        const reply = yield* bulk([
          { method: "POST", path: "/Users", bulkId: "f1", data: user("fail-once@acme.test") },
          { method: "POST", path: "/Users", bulkId: "f2", data: user("fail-once@acme.test") },
          { method: "POST", path: "/Users", bulkId: "f3", data: user("never-created@acme.test") }
        ], { failOnErrors: 2 })
        const ops = operationsOf(reply.body)
        assert.deepStrictEqual(ops.map((op) => [op["bulkId"], op["status"]]), [["f1", "409"], ["f2", "409"]])
        const search = yield* call(
          "GET",
          `Users?filter=${encodeURIComponent("userName eq \"never-created@acme.test\"")}`
        )
        const names = (search.body["Resources"] as ReadonlyArray<Record<string, unknown>>).map((r) => r["userName"])
        assert.notInclude(names, "never-created@acme.test")
      }))

    it.effect("without failOnErrors every operation runs despite errors", () =>
      Effect.gen(function*() {
        const reply = yield* bulk([
          { method: "DELETE", path: "/Users/00000000-0000-0000-0000-000000000000" },
          { method: "POST", path: "/Users", bulkId: "after", data: user("after-error@acme.test") }
        ])
        const ops = operationsOf(reply.body)
        assert.deepStrictEqual(ops.map((op) => op["status"]), ["404", "201"])
        assert.strictEqual(
          ops[0]!["location"],
          `${String(ops[1]!["location"]).split("/Users/")[0]}/Users/00000000-0000-0000-0000-000000000000`
        )
      }))

    it.effect("a per-operation version is an If-Match (412 on mismatch)", () =>
      Effect.gen(function*() {
        const created = yield* call("POST", "Users", { body: user("bulk-version@acme.test") })
        const id = String(created.body["id"])
        const reply = yield* bulk([
          { method: "PUT", path: `/Users/${id}`, version: "W/\"999\"", data: user("bulk-version@acme.test") },
          {
            method: "PUT",
            path: `/Users/${id}`,
            version: created.headers["etag"],
            data: user("bulk-version@acme.test", { displayName: "New" })
          }
        ])
        const ops = operationsOf(reply.body)
        assert.deepStrictEqual(ops.map((op) => op["status"]), ["412", "200"])
        assert.notStrictEqual(ops[1]!["version"], created.headers["etag"])
      }))

    it.effect("malformed operations fail one by one", () =>
      Effect.gen(function*() {
        const reply = yield* bulk([
          { method: "GET", path: "/Users" },
          { method: "POST", path: "/Schemas", data: {} },
          { method: "POST", path: "/Users/123", data: user("with-id@acme.test") },
          { method: "PATCH", path: "/Users", data: patchOp([]) },
          { path: "/Users" },
          { method: "POST", path: "/Users", data: "not an object" }
        ])
        const ops = operationsOf(reply.body)
        assert.deepStrictEqual(ops.map((op) => op["status"]), ["400", "400", "400", "400", "400", "400"])
        for (const op of ops) {
          assert.deepStrictEqual((op["response"] as Record<string, unknown>)["schemas"], [Schemas.ErrorUrn])
        }
      }))

    it.effect("a bulkId defined twice fails the second definition", () =>
      Effect.gen(function*() {
        const reply = yield* bulk([
          { method: "POST", path: "/Users", bulkId: "same", data: user("same1@acme.test") },
          { method: "POST", path: "/Users", bulkId: "same", data: user("same2@acme.test") }
        ])
        assert.deepStrictEqual(operationsOf(reply.body).map((op) => op["status"]), ["201", "400"])
      }))

    it.effect("more operations than maxOperations is 413", () =>
      Effect.gen(function*() {
        const ops = Array.from({ length: 7 }, (_, i) => ({ method: "DELETE", path: `/Users/${i}` }))
        const reply = yield* bulk(ops)
        assert.strictEqual(reply.status, 413)
        assert.deepStrictEqual(reply.body["schemas"], [Schemas.ErrorUrn])
        assert.include(String(reply.body["detail"]), "6")
      }))

    it.effect("a payload over maxPayloadSize is 413", () =>
      Effect.gen(function*() {
        const reply = yield* bulk([{
          method: "POST",
          path: "/Users",
          data: user("huge@acme.test", { nickName: "n".repeat(5000) })
        }])
        assert.strictEqual(reply.status, 413)
        assert.strictEqual(reply.body["status"], "413")
      }))

    it.effect("a request without Operations or with the wrong schemas is 400 invalidSyntax", () =>
      Effect.gen(function*() {
        const missing = yield* call("POST", "Bulk", { body: { schemas: [Schemas.BulkRequestUrn] } })
        assert.strictEqual(missing.status, 400)
        assert.strictEqual(missing.body["scimType"], "invalidSyntax")
        const wrong = yield* call("POST", "Bulk", { body: { schemas: [Schemas.PatchOpUrn], Operations: [] } })
        assert.strictEqual(wrong.status, 400)
        const badLimit = yield* bulk([], { failOnErrors: 0 })
        assert.strictEqual(badLimit.status, 400)
        assert.strictEqual(badLimit.body["scimType"], "invalidValue")
      }))

    it.effect("every operation's events carry the API key's id and the request's X-Request-Id", () =>
      Effect.gen(function*() {
        const { platform } = yield* Tenant
        const tenant = Model.PlatformId.make(platform)
        const store = yield* EventStore.EventStore
        const from = yield* store.latest
        const reply = yield* call("POST", "Bulk", {
          body: {
            schemas: [Schemas.BulkRequestUrn],
            Operations: [
              { method: "POST", path: "/Users", bulkId: "a", data: user("bulk-actor@acme.test") },
              { method: "POST", path: "/Groups", bulkId: "g", data: group("Bulk actors", ["bulkId:a"]) },
              {
                method: "PATCH",
                path: "/Users/bulkId:a",
                data: patchOp([{ op: "replace", path: "active", value: false }])
              }
            ]
          },
          headers: { "x-request-id": "bulk-request-7" }
        })
        assert.strictEqual(reply.status, 200, reply.text)
        const [key] = yield* (yield* ApiKeys.ApiKeys).list(tenant)
        const events = yield* store.read({ after: from, limit: 100, platform: tenant })
        assert.sameMembers([...new Set(events.map((e) => e.type))], [
          "user.created",
          "project.created",
          "member.added",
          "user.updated",
          "user.deactivated"
        ])
        for (const event of events) {
          assert.deepStrictEqual(event.actor.credential, Option.some(key!.id))
          assert.deepStrictEqual(event.actor.requestId, Option.some("bulk-request-7"))
        }
      }))
  })
})

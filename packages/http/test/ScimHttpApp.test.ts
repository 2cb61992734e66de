import { assert, describe, it } from "@effect/vitest"
import { ApiKeys, ChangeEvent, EventStore, Hooks, Model, Projects, Schemas, ScimError, Users } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { base, call, group, patchOp, type Reply, server, Tenant, user } from "./fixtures.js"

const scimJson = "application/scim+json; charset=utf-8"

const assertScimError = (reply: Reply, status: number, scimType?: string) => {
  assert.strictEqual(reply.status, status, reply.text)
  assert.strictEqual(reply.headers["content-type"], scimJson)
  assert.deepStrictEqual(reply.body["schemas"], [Schemas.ErrorUrn])
  assert.strictEqual(reply.body["status"], String(status))
  assert.strictEqual(reply.body["scimType"], scimType)
  assert.isString(reply.body["detail"])
  assert.notInclude(reply.text, "    at ")
}

const createUser = (userName: string, extra: Record<string, unknown> = {}) =>
  Effect.map(call("POST", "Users", { body: user(userName, extra) }), (reply) => {
    assert.strictEqual(reply.status, 201, reply.text)
    return String(reply.body["id"])
  })

describe("ScimHttpApp", () => {
  it.layer(server())("authentication", (it) => {
    it.effect("a request without Authorization gets 401 with a Bearer challenge and a SCIM error", () =>
      Effect.gen(function*() {
        const reply = yield* call("GET", "Users", { auth: false })
        assertScimError(reply, 401)
        assert.strictEqual(reply.headers["www-authenticate"], "Bearer realm=\"scimkit\"")
      }))

    it.effect("another scheme than Bearer gets 401", () =>
      Effect.gen(function*() {
        const { key } = yield* Tenant
        const reply = yield* call("GET", "Users", { auth: `Basic ${key}` })
        assertScimError(reply, 401)
        assert.strictEqual(reply.headers["www-authenticate"], "Bearer realm=\"scimkit\"")
      }))

    it.effect("an unknown key gets 401", () =>
      Effect.gen(function*() {
        const reply = yield* call("GET", "Users", { auth: "Bearer sk-not-a-real-key" })
        assertScimError(reply, 401)
      }))

    it.effect("an empty bearer token gets 401", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("GET", "Users", { auth: "Bearer   " }), 401)
      }))

    it.effect("the scheme is case-insensitive", () =>
      Effect.gen(function*() {
        const { key } = yield* Tenant
        assert.strictEqual((yield* call("GET", "Users", { auth: `bearer ${key}` })).status, 200)
        assert.strictEqual((yield* call("GET", "Users", { auth: `BEARER ${key}` })).status, 200)
      }))

    it.effect("discovery endpoints need a key too", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("GET", "ServiceProviderConfig", { auth: false }), 401)
        assertScimError(yield* call("GET", "Schemas", { auth: false }), 401)
        assertScimError(yield* call("GET", "ResourceTypes", { auth: false }), 401)
      }))

    it.effect("a platform never sees another platform's resources (404, not 403)", () =>
      Effect.gen(function*() {
        const { otherKey } = yield* Tenant
        const id = yield* createUser("tenancy@acme.test")
        assertScimError(yield* call("GET", `Users/${id}`, { auth: `Bearer ${otherKey}` }), 404)
        const list = yield* call("GET", "Users", { auth: `Bearer ${otherKey}` })
        const ids = (list.body["Resources"] as ReadonlyArray<Record<string, unknown>>).map((r) => r["id"])
        assert.notInclude(ids, id)
      }))
  })

  it.layer(server())("routing", (it) => {
    it.effect("a path outside the base path is a 404 SCIM error", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("GET", "/somewhere/else"), 404)
        assertScimError(yield* call("GET", "/api/v1/scim/v20/Users"), 404)
      }))

    it.effect("an unknown route under the base path is a 404 SCIM error", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("GET", "Widgets"), 404)
        assertScimError(yield* call("GET", "Users/a/b"), 404)
      }))

    it.effect("a wrong method is a 405 SCIM error with Allow", () =>
      Effect.gen(function*() {
        const collection = yield* call("DELETE", "Users")
        assertScimError(collection, 405)
        assert.strictEqual(collection.headers["allow"], "GET, HEAD, POST")
        const item = yield* call("POST", "Groups/123", { body: {} })
        assertScimError(item, 405)
        assert.strictEqual(item.headers["allow"], "GET, HEAD, PUT, PATCH, DELETE")
        const search = yield* call("GET", "Users/.search")
        assertScimError(search, 405)
        assert.strictEqual(search.headers["allow"], "POST")
        const bulk = yield* call("PUT", "Bulk", { body: {} })
        assert.strictEqual(bulk.headers["allow"], "POST")
      }))

    it.effect("/Me answers 501 with a SCIM error", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("GET", "Me"), 501)
        assertScimError(yield* call("PATCH", "Me", { body: patchOp([]) }), 501)
      }))

    it.effect("resource endpoints match case-insensitively and ignore a trailing slash", () =>
      Effect.gen(function*() {
        assert.strictEqual((yield* call("GET", "users")).status, 200)
        assert.strictEqual((yield* call("GET", "Users/")).status, 200)
        assert.strictEqual((yield* call("GET", `${base.toUpperCase()}/Users`)).status, 200)
      }))
  })

  it.layer(server({ maxBodySize: 2048 }))("content", (it) => {
    it.effect("responses are application/scim+json; charset=utf-8", () =>
      Effect.gen(function*() {
        const reply = yield* call("GET", "Users")
        assert.strictEqual(reply.status, 200)
        assert.strictEqual(reply.headers["content-type"], scimJson)
        assert.deepStrictEqual(reply.body["schemas"], [Schemas.ListResponseUrn])
      }))

    it.effect("application/json bodies are accepted", () =>
      Effect.gen(function*() {
        const reply = yield* call("POST", "Users", {
          body: user("json@acme.test"),
          contentType: "application/json; charset=utf-8"
        })
        assert.strictEqual(reply.status, 201, reply.text)
      }))

    it.effect("a body without Content-Type is accepted", () =>
      Effect.gen(function*() {
        const reply = yield* call("POST", "Users", { body: user("untyped@acme.test"), contentType: false })
        assert.strictEqual(reply.status, 201, reply.text)
      }))

    it.effect("another media type is 415", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("POST", "Users", { body: user("text@acme.test"), contentType: "text/plain" }), 415)
        assertScimError(
          yield* call("POST", "Users", { raw: "userName=a", contentType: "application/x-www-form-urlencoded" }),
          415
        )
      }))

    it.effect("malformed JSON is 400 invalidSyntax", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("POST", "Users", { raw: "{\"userName\": " }), 400, "invalidSyntax")
        assertScimError(yield* call("PATCH", "Users/x", { raw: "not json" }), 400, "invalidSyntax")
      }))

    it.effect("a body that is not a JSON object is 400 invalidSyntax", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("POST", "Users", { raw: "[1,2]" }), 400, "invalidSyntax")
        assertScimError(yield* call("POST", "Users", { raw: "null" }), 400, "invalidSyntax")
        assertScimError(yield* call("POST", "Users", { raw: "" }), 400, "invalidSyntax")
      }))

    it.effect("a body over maxBodySize is 413 (by Content-Length)", () =>
      Effect.gen(function*() {
        const reply = yield* call("POST", "Users", { body: user("big@acme.test", { nickName: "x".repeat(4000) }) })
        assertScimError(reply, 413)
      }))

    it.effect("a chunked body over maxBodySize is 413 while reading", () =>
      Effect.gen(function*() {
        const reply = yield* call("POST", "Users", {
          stream: [
            "{\"userName\":\"chunked@acme.test\",\"nickName\":\"",
            ...Array.from({ length: 200 }, () => "y".repeat(1000)),
            "\"}"
          ]
        })
        assertScimError(reply, 413)
        assert.strictEqual((yield* call("GET", "Users?count=0")).status, 200)
      }))

    it.effect("a chunked body within the limit is read", () =>
      Effect.gen(function*() {
        const reply = yield* call("POST", "Users", {
          stream: [
            JSON.stringify(user("chunks@acme.test")).slice(0, 20),
            JSON.stringify(user("chunks@acme.test")).slice(20)
          ]
        })
        assert.strictEqual(reply.status, 201, reply.text)
      }))
  })

  it.layer(server())("resources", (it) => {
    it.effect("POST answers 201 with an absolute Location and an ETag", () =>
      Effect.gen(function*() {
        const reply = yield* call("POST", "Users", { body: user("create@acme.test") })
        assert.strictEqual(reply.status, 201, reply.text)
        const id = String(reply.body["id"])
        const location = reply.headers["location"]
        assert.match(location ?? "", new RegExp(`^http://127\\.0\\.0\\.1:\\d+${base}/Users/${id}$`))
        const meta = reply.body["meta"] as Record<string, unknown>
        assert.strictEqual(meta["location"], location)
        assert.strictEqual(reply.headers["etag"], meta["version"])
        assert.match(reply.headers["etag"] ?? "", /^W\/"\d+"$/)
      }))

    it.effect("a duplicate POST is 409 uniqueness", () =>
      Effect.gen(function*() {
        yield* createUser("dup@acme.test")
        assertScimError(yield* call("POST", "Users", { body: user("dup@acme.test") }), 409, "uniqueness")
      }))

    it.effect("GET by id answers the resource with its ETag", () =>
      Effect.gen(function*() {
        const id = yield* createUser("get@acme.test")
        const reply = yield* call("GET", `Users/${id}`)
        assert.strictEqual(reply.status, 200)
        assert.strictEqual(reply.body["id"], id)
        assert.strictEqual(reply.headers["location"], (reply.body["meta"] as Record<string, unknown>)["location"])
        assert.strictEqual(reply.headers["etag"], (reply.body["meta"] as Record<string, unknown>)["version"])
      }))

    it.effect("GET with a matching If-None-Match is 304 without a body; a stale one gets the resource", () =>
      Effect.gen(function*() {
        const id = yield* createUser("cond@acme.test")
        const first = yield* call("GET", `Users/${id}`)
        const etag = first.headers["etag"]!
        const cached = yield* call("GET", `Users/${id}`, { headers: { "if-none-match": etag } })
        assert.strictEqual(cached.status, 304)
        assert.strictEqual(cached.text, "")
        assert.strictEqual(cached.headers["etag"], etag)
        const any = yield* call("GET", `Users/${id}`, { headers: { "if-none-match": "*" } })
        assert.strictEqual(any.status, 304)
        const stale = yield* call("GET", `Users/${id}`, { headers: { "if-none-match": "W/\"999\"" } })
        assert.strictEqual(stale.status, 200)
      }))

    it.effect("HEAD answers like GET without a body", () =>
      Effect.gen(function*() {
        const id = yield* createUser("head@acme.test")
        const reply = yield* call("HEAD", `Users/${id}`)
        assert.strictEqual(reply.status, 200)
        assert.strictEqual(reply.text, "")
        assert.match(reply.headers["etag"] ?? "", /^W\/"\d+"$/)
      }))

    it.effect("GET of an unknown id is a 404 SCIM error", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("GET", "Users/00000000-0000-0000-0000-000000000000"), 404)
        assertScimError(yield* call("GET", "Groups/nope"), 404)
      }))

    it.effect("PUT with a stale If-Match is 412; with the current ETag it answers 200 and a new ETag", () =>
      Effect.gen(function*() {
        const id = yield* createUser("put@acme.test")
        const current = (yield* call("GET", `Users/${id}`)).headers["etag"]!
        assertScimError(
          yield* call("PUT", `Users/${id}`, { body: user("put@acme.test"), headers: { "if-match": "W/\"999\"" } }),
          412
        )
        const reply = yield* call("PUT", `Users/${id}`, {
          body: user("put@acme.test", { displayName: "Put" }),
          headers: { "if-match": current }
        })
        assert.strictEqual(reply.status, 200, reply.text)
        assert.notStrictEqual(reply.headers["etag"], current)
        assert.strictEqual(reply.headers["etag"], (reply.body["meta"] as Record<string, unknown>)["version"])
      }))

    it.effect("a malformed If-Match is 400 invalidVers", () =>
      Effect.gen(function*() {
        const id = yield* createUser("vers@acme.test")
        assertScimError(
          yield* call("DELETE", `Users/${id}`, { headers: { "if-match": "W/\"abc\"" } }),
          400,
          "invalidVers"
        )
      }))

    it.effect("PATCH on a User answers 200 with the resource, honouring attributes", () =>
      Effect.gen(function*() {
        const id = yield* createUser("patch@acme.test")
        const body = patchOp([{ op: "replace", path: "displayName", value: "Patched" }])
        const full = yield* call("PATCH", `Users/${id}`, { body })
        assert.strictEqual(full.status, 200, full.text)
        assert.strictEqual(full.body["id"], id)
        assert.isDefined(full.headers["etag"])
        const projected = yield* call("PATCH", `Users/${id}?attributes=userName`, { body })
        assert.strictEqual(projected.status, 200)
        assert.strictEqual(projected.body["userName"], "patch@acme.test")
        assert.isUndefined(projected.body["emails"])
      }))

    it.effect("PATCH on a Group answers 204 with the ETag, or 200 with the projected resource when attributes is given", () =>
      Effect.gen(function*() {
        const created = yield* call("POST", "Groups", { body: group("Patchable") })
        assert.strictEqual(created.status, 201, created.text)
        const id = String(created.body["id"])
        const body = patchOp([{ op: "replace", path: "displayName", value: "Patched group" }])
        const plain = yield* call("PATCH", `Groups/${id}`, { body })
        assert.strictEqual(plain.status, 204, plain.text)
        assert.strictEqual(plain.text, "")
        assert.match(plain.headers["etag"] ?? "", /^W\/"\d+"$/)
        assert.notStrictEqual(plain.headers["etag"], created.headers["etag"])
        const projected = yield* call("PATCH", `Groups/${id}?attributes=displayName`, { body })
        assert.strictEqual(projected.status, 200)
        assert.strictEqual(projected.body["id"], id)
        assert.isUndefined(projected.body["members"])
      }))

    it.effect("DELETE answers 204, after which the resource is gone", () =>
      Effect.gen(function*() {
        const id = yield* createUser("delete@acme.test")
        const reply = yield* call("DELETE", `Users/${id}`)
        assert.strictEqual(reply.status, 204)
        assert.strictEqual(reply.text, "")
        assertScimError(yield* call("GET", `Users/${id}`), 404)
        assertScimError(yield* call("DELETE", `Users/${id}`), 404)
      }))

    it.effect("GET list answers a ListResponse and passes startIndex/count", () =>
      Effect.gen(function*() {
        yield* createUser("list1@acme.test")
        yield* createUser("list2@acme.test")
        const reply = yield* call("GET", "Users?startIndex=1&count=1")
        assert.strictEqual(reply.status, 200)
        assert.deepStrictEqual(reply.body["schemas"], [Schemas.ListResponseUrn])
        assert.strictEqual((reply.body["Resources"] as ReadonlyArray<unknown>).length, 1)
        assert.isAtLeast(reply.body["totalResults"] as number, 2)
      }))

    it.effect("GET list applies filter and excludedAttributes (Entra's queries)", () =>
      Effect.gen(function*() {
        yield* createUser("filtered@acme.test")
        const filter = encodeURIComponent("userName eq \"filtered@acme.test\"")
        const hit = yield* call("GET", `Users?filter=${filter}`)
        assert.strictEqual(hit.status, 200, hit.text)
        assert.strictEqual(hit.body["totalResults"], 1)
        const none = yield* call("GET", `Users?filter=${encodeURIComponent("userName eq \"nobody@acme.test\"")}`)
        assert.strictEqual(none.body["totalResults"], 0)
        assert.deepStrictEqual(none.body["Resources"] ?? [], [])
        const created = yield* call("POST", "Groups", { body: group("Filtered group") })
        const groupId = String(created.body["id"])
        const groups = yield* call(
          "GET",
          `Groups?excludedAttributes=members&filter=${encodeURIComponent("displayName eq \"Filtered group\"")}`
        )
        const resources = groups.body["Resources"] as ReadonlyArray<Record<string, unknown>>
        assert.deepStrictEqual(resources.map((r) => r["id"]), [groupId])
        assert.isUndefined(resources[0]!["members"])
      }))

    it.effect("an invalid filter is 400 invalidFilter", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("GET", `Users?filter=${encodeURIComponent("userName zz 1")}`), 400, "invalidFilter")
        assertScimError(
          yield* call("POST", "Groups/.search", { body: { filter: "displayName eq" } }),
          400,
          "invalidFilter"
        )
      }))

    it.effect("Group membership changes by PATCH answer 204 and show in the group", () =>
      Effect.gen(function*() {
        const member = yield* createUser("member@acme.test")
        const created = yield* call("POST", "Groups", { body: group("Members") })
        const id = String(created.body["id"])
        const add = yield* call("PATCH", `Groups/${id}`, {
          body: patchOp([{ op: "add", path: "members", value: [{ value: member }] }])
        })
        assert.strictEqual(add.status, 204, add.text)
        const after = yield* call("GET", `Groups/${id}`)
        assert.deepStrictEqual(
          (after.body["members"] as ReadonlyArray<Record<string, unknown>>).map((m) => m["value"]),
          [member]
        )
        assert.strictEqual(after.headers["etag"], add.headers["etag"])
        const remove = yield* call("PATCH", `Groups/${id}`, {
          body: patchOp([{ op: "remove", path: `members[value eq "${member}"]` }])
        })
        assert.strictEqual(remove.status, 204, remove.text)
        const empty = yield* call("GET", `Groups/${id}`)
        assert.deepStrictEqual(empty.body["members"] ?? [], [])
      }))

    it.effect("POST /.search with a User-only filter matches Users and no Groups", () =>
      Effect.gen(function*() {
        yield* createUser("root-filter@acme.test")
        const reply = yield* call("POST", ".search", { body: { filter: "userName eq \"root-filter@acme.test\"" } })
        assert.strictEqual(reply.status, 200, reply.text)
        assert.strictEqual(reply.body["totalResults"], 1)
        const bad = yield* call("POST", ".search", { body: { filter: "userName eq" } })
        assertScimError(bad, 400, "invalidFilter")
      }))

    it.effect("POST /Users/.search takes a SearchRequest", () =>
      Effect.gen(function*() {
        yield* createUser("search@acme.test")
        const reply = yield* call("POST", "Users/.search", {
          body: { schemas: [Schemas.SearchRequestUrn], attributes: ["userName"], startIndex: 1, count: 10 }
        })
        assert.strictEqual(reply.status, 200, reply.text)
        assert.deepStrictEqual(reply.body["schemas"], [Schemas.ListResponseUrn])
      }))

    it.effect("a SearchRequest with the wrong schemas or field types is 400 invalidSyntax", () =>
      Effect.gen(function*() {
        assertScimError(
          yield* call("POST", "Users/.search", { body: { schemas: [Schemas.PatchOpUrn] } }),
          400,
          "invalidSyntax"
        )
        assertScimError(yield* call("POST", "Groups/.search", { body: { filter: 42 } }), 400, "invalidSyntax")
        assertScimError(yield* call("POST", "Groups/.search", { body: { attributes: [1] } }), 400, "invalidSyntax")
      }))

    it.effect("POST /.search spans Users and Groups", () =>
      Effect.gen(function*() {
        yield* createUser("root@acme.test")
        yield* call("POST", "Groups", { body: group("Root group") })
        const users = (yield* call("GET", "Users?count=0")).body["totalResults"] as number
        const groups = (yield* call("GET", "Groups?count=0")).body["totalResults"] as number
        const reply = yield* call("POST", ".search", { body: { schemas: [Schemas.SearchRequestUrn] } })
        assert.strictEqual(reply.status, 200, reply.text)
        assert.strictEqual(reply.body["totalResults"], users + groups)
        const types = (reply.body["Resources"] as ReadonlyArray<Record<string, Record<string, unknown>>>).map((r) =>
          r["meta"]?.["resourceType"]
        )
        assert.include(types, "User")
        assert.include(types, "Group")
        const rootGet = yield* call("GET", "?count=1")
        assert.strictEqual(rootGet.status, 200)
        assert.strictEqual((rootGet.body["Resources"] as ReadonlyArray<unknown>).length, 1)
      }))

    it.effect("POST /.search pages across the two types", () =>
      Effect.gen(function*() {
        const users = (yield* call("GET", "Users?count=0")).body["totalResults"] as number
        const reply = yield* call("POST", ".search", { body: { startIndex: users, count: 2 } })
        const resources = reply.body["Resources"] as ReadonlyArray<Record<string, Record<string, unknown>>>
        assert.strictEqual(resources.length, 2)
        assert.strictEqual(resources[0]!["meta"]!["resourceType"], "User")
        assert.strictEqual(resources[1]!["meta"]!["resourceType"], "Group")
        assert.strictEqual(reply.body["startIndex"], users)
      }))

    it.effect("POST /.search refuses sortBy and cursor with 400 invalidValue", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("POST", ".search", { body: { sortBy: "userName" } }), 400, "invalidValue")
        assertScimError(yield* call("POST", ".search", { body: { cursor: "" } }), 400, "invalidValue")
      }))
  })

  it.layer(server({}, { bulkMaxOperations: 7, maxResults: 50 }))("discovery", (it) => {
    it.effect("ServiceProviderConfig tells the configured limits, and serviceConfiguration is an alias", () =>
      Effect.gen(function*() {
        const reply = yield* call("GET", "ServiceProviderConfig")
        assert.strictEqual(reply.status, 200)
        assert.strictEqual(reply.headers["content-type"], scimJson)
        assert.deepStrictEqual(reply.body["schemas"], [Schemas.ServiceProviderConfigUrn])
        assert.strictEqual((reply.body["bulk"] as Record<string, unknown>)["maxOperations"], 7)
        assert.strictEqual((reply.body["filter"] as Record<string, unknown>)["maxResults"], 50)
        assert.strictEqual((reply.body["etag"] as Record<string, unknown>)["supported"], true)
        const location = String((reply.body["meta"] as Record<string, unknown>)["location"])
        assert.match(location, new RegExp(`^http://127\\.0\\.0\\.1:\\d+${base}/ServiceProviderConfig$`))
        const alias = yield* call("GET", "serviceConfiguration")
        assert.strictEqual(alias.status, 200)
        assert.deepStrictEqual(alias.body, reply.body)
      }))

    it.effect("ResourceTypes lists User, Group and Role; ResourceTypes/{id} answers one, unknown ids 404", () =>
      Effect.gen(function*() {
        const list = yield* call("GET", "ResourceTypes")
        assert.strictEqual(list.status, 200)
        assert.deepStrictEqual(list.body["schemas"], [Schemas.ListResponseUrn])
        const ids = (list.body["Resources"] as ReadonlyArray<Record<string, unknown>>).map((r) => r["id"])
        assert.deepStrictEqual(ids, ["User", "Group", "Role"])
        const one = yield* call("GET", "ResourceTypes/User")
        assert.strictEqual(one.status, 200)
        assert.strictEqual(one.body["endpoint"], "/Users")
        assertScimError(yield* call("GET", "ResourceTypes/Widget"), 404)
      }))

    it.effect("Schemas lists every schema; Schemas/{urn} answers one, unknown ids 404", () =>
      Effect.gen(function*() {
        const list = yield* call("GET", "Schemas")
        assert.strictEqual(list.status, 200)
        const ids = (list.body["Resources"] as ReadonlyArray<Record<string, unknown>>).map((r) => r["id"])
        assert.includeMembers(ids, [
          Schemas.UserUrn,
          Schemas.GroupUrn,
          Schemas.EnterpriseUserUrn,
          Schemas.CustomUserAttributesUrn
        ])
        const one = yield* call("GET", `Schemas/${Schemas.UserUrn}`)
        assert.strictEqual(one.status, 200)
        assert.strictEqual(one.body["id"], Schemas.UserUrn)
        assertScimError(yield* call("GET", "Schemas/urn:nope"), 404)
      }))

    it.effect("a filter on a discovery endpoint is 403 (RFC 7644 §4)", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("GET", "Schemas?filter=id%20eq%20%22x%22"), 403)
        assertScimError(yield* call("GET", "ResourceTypes?filter=id%20pr"), 403)
      }))

    it.effect("discovery endpoints answer only GET", () =>
      Effect.gen(function*() {
        const reply = yield* call("POST", "Schemas", { body: {} })
        assertScimError(reply, 405)
        assert.strictEqual(reply.headers["allow"], "GET, HEAD")
      }))
  })

  it.layer(server())("absolute URLs", (it) => {
    it.effect("X-Forwarded-* headers are ignored unless trustProxy", () =>
      Effect.gen(function*() {
        const reply = yield* call("POST", "Users", {
          body: user("proxy-ignored@acme.test"),
          headers: { "x-forwarded-proto": "https", "x-forwarded-host": "evil.example" }
        })
        assert.match(reply.headers["location"] ?? "", /^http:\/\/127\.0\.0\.1:\d+\//)
      }))
  })

  it.layer(server({ trustProxy: true }))("behind a trusted proxy", (it) => {
    it.effect("Location follows X-Forwarded-Proto and X-Forwarded-Host", () =>
      Effect.gen(function*() {
        const reply = yield* call("POST", "Users", {
          body: user("proxy@acme.test"),
          headers: { "x-forwarded-proto": "https", "x-forwarded-host": "scim.example.com, internal:8080" }
        })
        assert.strictEqual(
          reply.headers["location"],
          `https://scim.example.com${base}/Users/${String(reply.body["id"])}`
        )
      }))

    it.effect("an X-Forwarded-Proto other than http or https is ignored", () =>
      Effect.gen(function*() {
        const reply = yield* call("POST", "Users", {
          body: user("proxy-proto@acme.test"),
          headers: { "x-forwarded-proto": "javascript", "x-forwarded-host": "scim.example.com" }
        })
        assert.strictEqual(
          reply.headers["location"],
          `http://scim.example.com${base}/Users/${String(reply.body["id"])}`
        )
      }))
  })

  it.layer(server({ basePath: "/scim/", publicUrl: Option.some("https://id.example.com/scim/") }))(
    "publicUrl and a custom basePath",
    (it) => {
      it.effect("publicUrl wins for Location and the base path is configurable", () =>
        Effect.gen(function*() {
          const reply = yield* call("POST", "/scim/Users", {
            body: user("public@acme.test"),
            headers: { "x-forwarded-host": "ignored.example" }
          })
          assert.strictEqual(reply.status, 201, reply.text)
          assert.strictEqual(reply.headers["location"], `https://id.example.com/scim/Users/${String(reply.body["id"])}`)
          assertScimError(yield* call("GET", "/api/v1/scim/v2/Users"), 404)
        }))
    }
  )

  // Forms that clients built against Microsoft's SCIM reference server send (its Postman collection)
  const microsoftFilters = {
    andOr: "name.FamilyName eq Bareword and (emails.Value co example.com or emails.Value co example.org)",
    startsWith: "userName sw Obare",
    createdAfter: "meta.Created gt 2015-10-10T14:38:21.8617979-07:00"
  }
  const listIds = (reply: Reply): ReadonlyArray<unknown> => {
    assert.strictEqual(reply.status, 200, reply.text)
    return (reply.body["Resources"] as ReadonlyArray<Record<string, unknown>>).map((r) => r["id"])
  }
  const filtered = (path: string, filter: string) => call("GET", `${path}?filter=${encodeURIComponent(filter)}`)

  it.layer(server())("lenient profile (the default): quirks bare-filter-value and filtered-projection", (it) => {
    it.effect("unquoted filter values are read as strings (a dateTime compared as an instant)", () =>
      Effect.gen(function*() {
        const match = yield* createUser("Obare1@quirks.test", {
          name: { givenName: "One", familyName: "Bareword" },
          emails: [{ value: "one@example.org", type: "work" }]
        })
        const other = yield* createUser("bare2@quirks.test", {
          name: { givenName: "Two", familyName: "Bareword" },
          emails: [{ value: "two@example.net", type: "work" }]
        })
        assert.deepStrictEqual(listIds(yield* filtered("Users", microsoftFilters.andOr)), [match])
        assert.deepStrictEqual(listIds(yield* filtered("Users", microsoftFilters.startsWith)), [match])
        assert.strictEqual((yield* filtered("Users", microsoftFilters.createdAfter)).status, 200)
        // the creation instant written the reference server's way: UTC-7, seven fractional digits, unquoted
        const createdOf = (id: string) =>
          Effect.map(
            call("GET", `Users/${id}`),
            (reply) => Date.parse(String((reply.body["meta"] as Record<string, unknown>)["created"]))
          )
        const first = yield* createdOf(match)
        const last = yield* createdOf(other)
        const utcMinus7 = (ms: number) => new Date(ms - 7 * 3_600_000).toISOString().replace("Z", "0000-07:00")
        const after = (ms: number) =>
          filtered("Users", `meta.Created gt ${utcMinus7(ms)} and (userName sw Obare1 or userName sw bare2)`)
        assert.sameMembers([...listIds(yield* after(first - 1))], [match, other])
        // an instant is not after itself, though its UTC-7 text sorts before the stored UTC text
        assert.deepStrictEqual(listIds(yield* after(last)), [])
        const search = yield* call("POST", "Users/.search", { body: { filter: microsoftFilters.startsWith } })
        assert.deepStrictEqual(listIds(search), [match])
      }))

    it.effect("root search reads them the same way", () =>
      Effect.gen(function*() {
        const id = yield* createUser("Obareroot@quirks.test")
        assert.deepStrictEqual(listIds(yield* filtered("/api/v1/scim/v2/", "userName sw Obareroot")), [id])
        const search = yield* call("POST", ".search", { body: { filter: "userName eq Obareroot@quirks.test" } })
        assert.deepStrictEqual(listIds(search), [id])
      }))

    it.effect("other filter errors stay 400 invalidFilter", () =>
      Effect.gen(function*() {
        assertScimError(yield* filtered("Users", "userName eq"), 400, "invalidFilter")
        assertScimError(yield* filtered("Users", "userName eq O Malley"), 400, "invalidFilter")
        assertScimError(yield* filtered("Users", "nosuch eq x"), 400, "invalidFilter")
      }))

    it.effect("attributes=emails[type eq \"work\"] returns emails", () =>
      Effect.gen(function*() {
        const id = yield* createUser("projected@quirks.test", {
          emails: [{ value: "emailName357@quirks.test", type: "work" }]
        })
        const one = yield* call("GET", `Users/${id}?attributes=${encodeURIComponent("emails[type eq \"work\"]")}`)
        assert.strictEqual(one.status, 200, one.text)
        assert.deepStrictEqual(one.body["emails"], [{ value: "emailName357@quirks.test", type: "work" }])
        assert.isUndefined(one.body["userName"])
        const list = yield* call(
          "GET",
          `Users?filter=${encodeURIComponent(`id eq "${id}"`)}&attributes=${
            encodeURIComponent("emails[value eq \"emailName357@quirks.test\"].value")
          }`
        )
        assert.strictEqual(list.status, 200, list.text)
        const resources = list.body["Resources"] as ReadonlyArray<Record<string, unknown>>
        assert.deepStrictEqual(resources.map((r) => r["emails"]), [[{ value: "emailName357@quirks.test" }]])
      }))
  })

  it.layer(server({}, { compatibility: "rfc" }))(
    "rfc profile: no bare filter values, no filtered projections",
    (it) => {
      it.effect("each unquoted filter is 400 invalidFilter, on a type and at the root", () =>
        Effect.gen(function*() {
          yield* createUser("Obare@quirks.test", { name: { givenName: "One", familyName: "Bareword" } })
          for (const filter of Object.values(microsoftFilters)) {
            const reply = yield* filtered("Users", filter)
            assertScimError(reply, 400, "invalidFilter")
            assert.include(String(reply.body["detail"]), "offset")
            assertScimError(yield* call("POST", "Users/.search", { body: { filter } }), 400, "invalidFilter")
            assertScimError(yield* filtered("/api/v1/scim/v2/", filter), 400, "invalidFilter")
          }
          assert.strictEqual(listIds(yield* filtered("Users", "userName sw \"Obare\"")).length, 1)
        }))

      it.effect("attributes=emails[type eq \"work\"] is ignored like an unknown name", () =>
        Effect.gen(function*() {
          const id = yield* createUser("projected@quirks.test")
          const one = yield* call("GET", `Users/${id}?attributes=${encodeURIComponent("emails[type eq \"work\"]")}`)
          assert.strictEqual(one.status, 200, one.text)
          assert.strictEqual(one.body["id"], id)
          assert.isUndefined(one.body["emails"])
        }))
    }
  )

  it.layer(server())("the actor of a change", (it) => {
    /** The tenant's change-feed events about one resource. */
    const eventsOf = (resourceId: string) =>
      Effect.gen(function*() {
        const { platform } = yield* Tenant
        const store = yield* EventStore.EventStore
        return yield* store.read({ after: 0, limit: 100, platform: Model.PlatformId.make(platform), resourceId })
      })

    const keyId = Effect.gen(function*() {
      const { platform } = yield* Tenant
      const keys = yield* (yield* ApiKeys.ApiKeys).list(Model.PlatformId.make(platform))
      assert.strictEqual(keys.length, 1)
      return keys[0]!.id
    })

    it.effect("every write through HTTP records the API key's id (never its secret) and the X-Request-Id", () =>
      Effect.gen(function*() {
        const { key } = yield* Tenant
        const id = yield* keyId
        const created = yield* call("POST", "Users", {
          body: user("actor@acme.test"),
          headers: { "x-request-id": "req-create-1" }
        })
        assert.strictEqual(created.status, 201, created.text)
        const userId = String(created.body["id"])
        const patched = yield* call("PATCH", `Users/${userId}`, {
          body: patchOp([{ op: "replace", path: "active", value: false }]),
          headers: { "x-request-id": "req-deactivate-2" }
        })
        assert.strictEqual(patched.status, 200, patched.text)
        const replaced = yield* call("PUT", `Users/${userId}`, {
          body: user("actor@acme.test", { active: true, displayName: "Actor" }),
          headers: { "x-request-id": "req-put-3" }
        })
        assert.strictEqual(replaced.status, 200, replaced.text)
        const removed = yield* call("DELETE", `Users/${userId}`, { headers: { "x-request-id": "req-delete-4" } })
        assert.strictEqual(removed.status, 204, removed.text)

        const events = yield* eventsOf(userId)
        assert.deepStrictEqual(events.map((e) => [e.type, Option.getOrNull(e.actor.requestId)]), [
          ["user.created", "req-create-1"],
          ["user.updated", "req-deactivate-2"],
          ["user.deactivated", "req-deactivate-2"],
          ["user.updated", "req-put-3"],
          ["user.reactivated", "req-put-3"],
          ["user.deleted", "req-delete-4"]
        ])
        for (const event of events) assert.deepStrictEqual(event.actor.credential, Option.some(id))
        assert.notInclude(JSON.stringify(events), key)
      }))

    it.effect("without X-Request-Id the event records the id the request log generated and echoed", () =>
      Effect.gen(function*() {
        const reply = yield* call("POST", "Groups", { body: group("Actors") })
        assert.strictEqual(reply.status, 201, reply.text)
        const echoed = reply.headers["x-request-id"]
        assert.isString(echoed)
        const events = yield* eventsOf(String(reply.body["id"]))
        assert.deepStrictEqual(events.map((e) => e.type), ["project.created"])
        assert.deepStrictEqual(events[0]!.actor.requestId, Option.some(echoed!))
        assert.deepStrictEqual(events[0]!.actor.credential, Option.some(yield* keyId))
      }))

    it.effect("group member changes carry the actor too", () =>
      Effect.gen(function*() {
        const userId = yield* createUser("member-actor@acme.test")
        const created = yield* call("POST", "Groups", { body: group("Member actors") })
        const groupId = String(created.body["id"])
        const patched = yield* call("PATCH", `Groups/${groupId}`, {
          body: patchOp([{ op: "add", path: "members", value: [{ value: userId }] }]),
          headers: { "x-request-id": "req-member-add" }
        })
        assert.strictEqual(patched.status, 204, patched.text)
        const added = (yield* eventsOf(groupId)).filter((e) => e.type === "member.added")
        assert.strictEqual(added.length, 1)
        assert.deepStrictEqual(
          added[0]!.actor,
          new ChangeEvent.Actor({
            credential: Option.some(yield* keyId),
            requestId: Option.some("req-member-add")
          })
        )
      }))
  })

  const vetoes = Hooks.layer({
    before: {
      userDeleting: () =>
        Effect.fail(new ScimError.HookRejected({ status: 403, detail: "Users are deactivated here, never deleted" })),
      userCreating: (_, next) =>
        next.userName.endsWith("@blocked.test")
          ? Effect.fail(
            new ScimError.HookRejected({
              status: 409,
              scimType: "uniqueness",
              detail: "That address is taken upstream"
            })
          )
          : Effect.void
    }
  })
  it.layer(server({}, {}, Layer.merge(Users.layer, Projects.layer).pipe(Layer.provide(vetoes))))(
    "a before hook's veto",
    (it) => {
      it.effect("is answered with the hook's status, scimType and detail, and nothing is written", () =>
        Effect.gen(function*() {
          const refused = yield* call("POST", "Users", { body: user("someone@blocked.test") })
          assertScimError(refused, 409, "uniqueness")
          assert.strictEqual(refused.body["detail"], "That address is taken upstream")
          const listed = yield* call(
            "GET",
            `Users?filter=${encodeURIComponent("userName eq \"someone@blocked.test\"")}`
          )
          assert.strictEqual(listed.body["totalResults"], 0)

          const id = yield* createUser("kept@acme.test")
          const denied = yield* call("DELETE", `Users/${id}`)
          assertScimError(denied, 403)
          assert.strictEqual(denied.body["detail"], "Users are deactivated here, never deleted")
          assert.strictEqual((yield* call("GET", `Users/${id}`)).status, 200)
        }))
    }
  )
})

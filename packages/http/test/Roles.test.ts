/**
 * `/Roles` over HTTP: the domain model's roles as a read-only resource type that Okta Identity
 * Governance discovers through `/ResourceTypes` (schema `urn:okta:scim:schemas:core:1.0:Role`),
 * and discovery following a host's model.
 */
import { assert, describe, it } from "@effect/vitest"
import { DomainModel, Schemas } from "@scimkit/core"
import * as Effect from "effect/Effect"
import { call, type Reply, server, user } from "./fixtures.js"

const scimJson = "application/scim+json; charset=utf-8"
const oktaRole = "urn:okta:scim:schemas:core:1.0:Role"

const assertScimError = (reply: Reply, status: number, scimType?: string) => {
  assert.strictEqual(reply.status, status, reply.text)
  assert.strictEqual(reply.headers["content-type"], scimJson)
  assert.deepStrictEqual(reply.body["schemas"], [Schemas.ErrorUrn])
  assert.strictEqual(reply.body["status"], String(status))
  assert.strictEqual(reply.body["scimType"], scimType)
}

type Resource = Record<string, unknown>
const resourcesOf = (reply: Reply): ReadonlyArray<Resource> => reply.body["Resources"] as ReadonlyArray<Resource>
const idsOf = (reply: Reply): ReadonlyArray<unknown> => resourcesOf(reply).map((r) => r["id"])
const filtered = (filter: string) => call("GET", `Roles?filter=${encodeURIComponent(filter)}`)

const acmeUrn = "urn:acme:scim:1.0:User"
const acme = DomainModel.make({
  userExtension: {
    urn: acmeUrn,
    name: "AcmeUser",
    role: { attribute: "tier", values: ["FREE", { value: "PRO", displayName: "Pro plan" }], default: "FREE" },
    attributes: [{ name: "costCenter", type: "string" }, { name: "seats", type: "integer" }]
  },
  projectRoles: { values: ["Owner", "Member"], default: "Member" }
})

describe("Roles", () => {
  it.layer(server())("today's model", (it) => {
    it.effect("/ResourceTypes lists Role at /Roles with Okta's role schema; /Schemas serves that schema", () =>
      Effect.gen(function*() {
        const types = yield* call("GET", "ResourceTypes")
        assert.strictEqual(types.status, 200)
        const role = resourcesOf(types).find((r) => r["id"] === "Role")
        assert.isDefined(role)
        assert.strictEqual(role!["endpoint"], "/Roles")
        assert.strictEqual(role!["schema"], oktaRole)
        // User stays first: clients (the SCIM reference tests among them) read Resources[0] as Users
        assert.strictEqual(resourcesOf(types)[0]!["endpoint"], "/Users")
        const schema = yield* call("GET", `Schemas/${oktaRole}`)
        assert.strictEqual(schema.status, 200, schema.text)
        assert.deepStrictEqual(
          (schema.body["attributes"] as ReadonlyArray<Resource>).map((a) => a["name"]),
          ["displayName", "value", "type", "description", "supported"]
        )
      }))

    it.effect("GET /Roles lists the platform roles, then the project roles, as a SCIM ListResponse", () =>
      Effect.gen(function*() {
        const reply = yield* call("GET", "Roles")
        assert.strictEqual(reply.status, 200, reply.text)
        assert.strictEqual(reply.headers["content-type"], scimJson)
        assert.deepStrictEqual(reply.body["schemas"], [Schemas.ListResponseUrn])
        assert.strictEqual(reply.body["totalResults"], 6)
        assert.deepStrictEqual(idsOf(reply), [
          "platform:MEMBER",
          "platform:OPERATOR",
          "platform:ADMIN",
          "project:Admin",
          "project:Editor",
          "project:Viewer"
        ])
        const admin = resourcesOf(reply)[2]!
        assert.deepStrictEqual(admin["schemas"], [oktaRole])
        assert.strictEqual(admin["displayName"], "Platform Admin")
        assert.strictEqual(admin["value"], "ADMIN")
        assert.strictEqual(admin["type"], "platform")
        assert.match(
          String((admin["meta"] as Resource)["location"]),
          /^http:\/\/[^/]+\/api\/v1\/scim\/v2\/Roles\/platform:ADMIN$/
        )
      }))

    it.effect("filters on type, value and displayName; pages with startIndex and count", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(idsOf(yield* filtered("type eq \"platform\"")), [
          "platform:MEMBER",
          "platform:OPERATOR",
          "platform:ADMIN"
        ])
        assert.deepStrictEqual(idsOf(yield* filtered("value eq \"admin\"")), ["platform:ADMIN", "project:Admin"])
        assert.deepStrictEqual(idsOf(yield* filtered("displayName co \"viewer\"")), ["project:Viewer"])
        const page = yield* call("GET", "Roles?startIndex=2&count=2&attributes=value")
        assert.strictEqual(page.body["totalResults"], 6)
        assert.strictEqual(page.body["startIndex"], 2)
        assert.deepStrictEqual(resourcesOf(page), [
          { schemas: [oktaRole], id: "platform:OPERATOR", value: "OPERATOR" },
          { schemas: [oktaRole], id: "platform:ADMIN", value: "ADMIN" }
        ])
        assertScimError(yield* filtered("value eq"), 400, "invalidFilter")
        assertScimError(yield* filtered("tier eq \"PRO\""), 400, "invalidFilter")
      }))

    it.effect("GET /Roles/{id} answers one role (the colon may be escaped); unknown ids 404", () =>
      Effect.gen(function*() {
        const one = yield* call("GET", "Roles/project:Editor")
        assert.strictEqual(one.status, 200, one.text)
        assert.strictEqual(one.body["value"], "Editor")
        assert.strictEqual(one.body["type"], "project")
        const escaped = yield* call("GET", "Roles/platform%3AMEMBER")
        assert.strictEqual(escaped.body["id"], "platform:MEMBER")
        assertScimError(yield* call("GET", "Roles/platform:OWNER"), 404)
      }))

    it.effect("every write answers 405 with Allow: GET, HEAD and says the roles are read-only", () =>
      Effect.gen(function*() {
        const writes = [
          call("POST", "Roles", { body: { schemas: [oktaRole], displayName: "Boss" } }),
          call("PUT", "Roles/platform:ADMIN", { body: { schemas: [oktaRole], displayName: "Boss" } }),
          call("PATCH", "Roles/platform:ADMIN", {
            body: { schemas: [Schemas.PatchOpUrn], Operations: [{ op: "replace", path: "displayName", value: "Boss" }] }
          }),
          call("DELETE", "Roles/platform:ADMIN")
        ]
        for (const write of writes) {
          const reply = yield* write
          assertScimError(reply, 405)
          assert.strictEqual(reply.headers["allow"], "GET, HEAD")
          assert.include(String(reply.body["detail"]), "read-only")
        }
        // and nothing changed
        assert.strictEqual((yield* call("GET", "Roles")).body["totalResults"], 6)
      }))

    it.effect("needs a valid API key like every endpoint", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("GET", "Roles", { auth: false }), 401)
        assertScimError(yield* call("GET", "Roles/platform:ADMIN", { auth: false }), 401)
      }))
  })

  it.layer(server({}, { model: acme }))("a host's model", (it) => {
    it.effect("/Roles lists the host's roles", () =>
      Effect.gen(function*() {
        const reply = yield* call("GET", "Roles")
        assert.deepStrictEqual(resourcesOf(reply).map((r) => [r["id"], r["displayName"]]), [
          ["platform:FREE", "FREE"],
          ["platform:PRO", "Pro plan"],
          ["project:Owner", "Owner"],
          ["project:Member", "Member"]
        ])
      }))

    it.effect("/ResourceTypes and /Schemas follow the model", () =>
      Effect.gen(function*() {
        const userType = yield* call("GET", "ResourceTypes/User")
        assert.deepStrictEqual(userType.body["schemaExtensions"], [
          { schema: Schemas.EnterpriseUserUrn, required: false },
          { schema: acmeUrn, required: false }
        ])
        const ids = resourcesOf(yield* call("GET", "Schemas")).map((s) => s["id"])
        assert.include(ids, acmeUrn)
        assert.notInclude(ids, Schemas.CustomUserAttributesUrn)
        const ext = yield* call("GET", `Schemas/${acmeUrn}`)
        assert.deepStrictEqual((ext.body["attributes"] as ReadonlyArray<Resource>).map((a) => a["name"]), [
          "tier",
          "costCenter",
          "seats"
        ])
        assertScimError(yield* call("GET", `Schemas/${Schemas.CustomUserAttributesUrn}`), 404)
      }))

    it.effect("a user round-trips with the host's extension: POST, filter, PATCH", () =>
      Effect.gen(function*() {
        const created = yield* call("POST", "Users", {
          body: user("ada@acme.test", {
            schemas: [Schemas.UserUrn, acmeUrn],
            [acmeUrn]: { tier: "pro", costCenter: "CC-7", seats: 3 }
          })
        })
        assert.strictEqual(created.status, 201, created.text)
        assert.deepStrictEqual(created.body[acmeUrn], { tier: "PRO", costCenter: "CC-7", seats: 3 })
        const id = String(created.body["id"])
        const found = yield* call("GET", `Users?filter=${encodeURIComponent(`${acmeUrn}:costCenter eq "CC-7"`)}`)
        assert.deepStrictEqual(resourcesOf(found).map((r) => r["id"]), [id])
        const patched = yield* call("PATCH", `Users/${id}`, {
          body: {
            schemas: [Schemas.PatchOpUrn],
            Operations: [{ op: "replace", path: `${acmeUrn}:tier`, value: "free" }, {
              op: "remove",
              path: `${acmeUrn}:costCenter`
            }]
          }
        })
        assert.strictEqual(patched.status, 200, patched.text)
        assert.deepStrictEqual(patched.body[acmeUrn], { tier: "FREE", seats: 3 })
        const refused = yield* call("POST", "Users", {
          body: user("bob@acme.test", { schemas: [Schemas.UserUrn, acmeUrn], [acmeUrn]: { tier: "GOLD" } })
        })
        assertScimError(refused, 400, "invalidValue")
      }))
  })

  it.layer(server({}, { model: DomainModel.make({ exposeRoles: false }) }))("a model that hides its roles", (it) => {
    it.effect("/Roles is 404 and /ResourceTypes lists User and Group only", () =>
      Effect.gen(function*() {
        assertScimError(yield* call("GET", "Roles"), 404)
        assertScimError(yield* call("GET", "Roles/platform:ADMIN"), 404)
        assert.deepStrictEqual(idsOf(yield* call("GET", "ResourceTypes")), ["User", "Group"])
      }))
  })
})

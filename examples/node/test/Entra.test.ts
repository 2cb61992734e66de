/**
 * Microsoft Entra ID's provisioning traffic against the real server process, request by request as
 * Microsoft documents it ("Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft
 * Entra ID", section "SCIM protocol requests and responses", learn.microsoft.com
 * /entra/identity/app-provisioning/use-scim-to-provision-users-and-groups). Bodies are copied from
 * the page; only resource ids are the ones this server assigned.
 */
import { assert, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { arr, at, type Reply, type Running, running, str } from "./support/Harness.js"

class Server extends Context.Service<Server, Running>()("Entra/Server") {}

const UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
const GroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
const EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
const ListSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
const ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"
const PatchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

/** Microsoft's "Create User" request body. */
const createUserBody = (userName: string, email: string, externalId: string) => ({
  schemas: [UserSchema, EnterpriseSchema],
  externalId,
  userName,
  active: true,
  emails: [{ primary: true, type: "work", value: email }],
  meta: { resourceType: "User" },
  name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
  roles: []
})

const q = (filter: string) => encodeURIComponent(filter)

const assertScimJson = (reply: Reply) => {
  assert.match(reply.headers.get("content-type") ?? "", /^application\/scim\+json/)
}

/** A resource response: SCIM content type, `ETag` equal to `meta.version`, absolute `meta.location`. */
const assertResource = (reply: Reply, status: number, baseUrl: string, resourceType: "User" | "Group") => {
  assert.strictEqual(reply.status, status, reply.text)
  assertScimJson(reply)
  const id = str(reply.body, "id")
  assert.strictEqual(at(reply.body, "meta.resourceType"), resourceType)
  assert.strictEqual(at(reply.body, "meta.location"), `${baseUrl}/${resourceType}s/${id}`)
  assert.isString(at(reply.body, "meta.created"))
  assert.isString(at(reply.body, "meta.lastModified"))
  const etag = reply.headers.get("etag")
  assert.isNotNull(etag)
  assert.strictEqual(at(reply.body, "meta.version"), etag)
  return id
}

const assertNotFound = (reply: Reply) => {
  assert.strictEqual(reply.status, 404, reply.text)
  assertScimJson(reply)
  assert.deepStrictEqual(at(reply.body, "schemas"), [ErrorSchema])
  assert.strictEqual(at(reply.body, "status"), "404")
}

const assertList = (reply: Reply, totalResults: number) => {
  assert.strictEqual(reply.status, 200, reply.text)
  assertScimJson(reply)
  assert.deepStrictEqual(at(reply.body, "schemas"), [ListSchema])
  assert.strictEqual(at(reply.body, "totalResults"), totalResults)
  assert.strictEqual(at(reply.body, "startIndex"), 1)
  assert.strictEqual(at(reply.body, "itemsPerPage"), totalResults)
  assert.lengthOf(arr(reply.body, "Resources"), totalResults)
}

layer(Layer.effect(Server, running()), { excludeTestServices: true, timeout: "120 seconds" })(
  "Entra ID provisioning",
  (it) => {
    it.effect("Test Connection: queries for a random user and a random group find nothing", () =>
      Effect.gen(function*() {
        const { scim } = yield* Server
        const random = globalThis.crypto.randomUUID()
        assertList(yield* scim.get(`/Users?filter=${q(`userName eq "${random}"`)}`), 0)
        assertList(yield* scim.get(`/Groups?excludedAttributes=members&filter=${q(`displayName eq "${random}"`)}`), 0)
      }))

    it.effect("user lifecycle: create, get, query, update multi- and single-valued, disable, delete", () =>
      Effect.gen(function*() {
        const { scim, server } = yield* Server
        const userName = "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"
        const email = "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"
        const externalId = "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"

        // Create User → 201 Created
        const created = yield* scim.post("/Users", createUserBody(userName, email, externalId))
        const id = assertResource(created, 201, server.baseUrl, "User")
        assert.strictEqual(created.headers.get("location"), `${server.baseUrl}/Users/${id}`)
        assert.include(arr(created.body, "schemas"), UserSchema)
        assert.strictEqual(at(created.body, "userName"), userName)
        assert.strictEqual(at(created.body, "externalId"), externalId)
        assert.strictEqual(at(created.body, "active"), true)
        assert.deepStrictEqual(at(created.body, "name"), {
          formatted: "givenName familyName",
          familyName: "familyName",
          givenName: "givenName"
        })
        assert.deepStrictEqual(at(created.body, "emails"), [{ primary: true, type: "work", value: email }])

        // Get User → 200 (found), 404 with a SCIM error (not found)
        const got = yield* scim.get(`/Users/${id}`)
        assertResource(got, 200, server.baseUrl, "User")
        assert.strictEqual(at(got.body, "userName"), userName)
        assert.deepStrictEqual(at(got.body, "emails"), at(created.body, "emails"))
        assertNotFound(yield* scim.get("/Users/5171a35d82074e068ce2"))

        // Get User by query; by query with zero results
        const byName = yield* scim.get(`/Users?filter=${q(`userName eq "${userName}"`)}`)
        assertList(byName, 1)
        assert.strictEqual(at(byName.body, "Resources.0.id"), id)
        assert.strictEqual(at(byName.body, "Resources.0.userName"), userName)
        assertList(yield* scim.get(`/Users?filter=${q("userName eq \"non-existent user\"")}`), 0)
        // userName is case-insensitive (RFC 7643 caseExact false): Entra matches whatever case it holds
        assertList(yield* scim.get(`/Users?filter=${q(`userName eq "${userName.toUpperCase()}"`)}`), 1)
        // the other matching attribute Entra may use
        const byEmail = yield* scim.get(`/Users?filter=${q(`emails[type eq "work"].value eq "${email}"`)}`)
        assertList(byEmail, 1)
        assert.strictEqual(at(byEmail.body, "Resources.0.id"), id)

        // Update User [Multi-valued properties] → 200 with the user
        const multi = yield* scim.patch(`/Users/${id}`, {
          schemas: [PatchSchema],
          Operations: [
            { op: "Replace", path: "emails[type eq \"work\"].value", value: "updatedEmail@microsoft.com" },
            { op: "Replace", path: "name.familyName", value: "updatedFamilyName" }
          ]
        })
        assertResource(multi, 200, server.baseUrl, "User")
        assert.deepStrictEqual(at(multi.body, "emails"), [{
          primary: true,
          type: "work",
          value: "updatedEmail@microsoft.com"
        }])
        assert.strictEqual(at(multi.body, "name.familyName"), "updatedFamilyName")
        assert.strictEqual(at(multi.body, "name.givenName"), "givenName")
        assert.notStrictEqual(at(multi.body, "meta.version"), at(created.body, "meta.version"))

        // Update User [Single-valued properties] → 200
        const newUserName = "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
        const single = yield* scim.patch(`/Users/${id}`, {
          schemas: [PatchSchema],
          Operations: [{ op: "Replace", path: "userName", value: newUserName }]
        })
        assertResource(single, 200, server.baseUrl, "User")
        assert.strictEqual(at(single.body, "userName"), newUserName)
        assertList(yield* scim.get(`/Users?filter=${q(`userName eq "${userName}"`)}`), 0)
        assertList(yield* scim.get(`/Users?filter=${q(`userName eq "${newUserName}"`)}`), 1)

        // Disable User → 200, active false; the user is still returned (soft delete)
        const disabled = yield* scim.patch(`/Users/${id}`, {
          Operations: [{ op: "Replace", path: "active", value: false }],
          schemas: [PatchSchema]
        })
        assertResource(disabled, 200, server.baseUrl, "User")
        assert.strictEqual(at(disabled.body, "active"), false)
        const stillThere = yield* scim.get(`/Users/${id}`)
        assert.strictEqual(stillThere.status, 200)
        assert.strictEqual(at(stillThere.body, "active"), false)
        const inactive = yield* scim.get(`/Users?filter=${q(`userName eq "${newUserName}"`)}`)
        assertList(inactive, 1)
        assert.strictEqual(at(inactive.body, "Resources.0.active"), false)

        // Delete User → 204 No Content, then gone
        const deleted = yield* scim.delete(`/Users/${id}`)
        assert.strictEqual(deleted.status, 204, deleted.text)
        assert.strictEqual(deleted.text, "")
        assertNotFound(yield* scim.get(`/Users/${id}`))
        assertList(yield* scim.get(`/Users?filter=${q(`userName eq "${newUserName}"`)}`), 0)
      }))

    it.effect("group lifecycle: create, get without members, query by displayName, rename, add and remove members, delete", () =>
      Effect.gen(function*() {
        const { scim, server } = yield* Server
        const member = yield* scim.post(
          "/Users",
          createUserBody(
            "member_f648f8d5@testuser.com",
            "member_f648f8d5@testuser.com",
            "6c75de36-30fa-4d2d-a196-6bdcdb6b6539"
          )
        )
        const memberId = assertResource(member, 201, server.baseUrl, "User")

        // Create Group → 201 (Groups are created with an empty members list)
        const created = yield* scim.post("/Groups", {
          schemas: [GroupSchema, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
          externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
          displayName: "displayName",
          meta: { resourceType: "Group" }
        })
        const id = assertResource(created, 201, server.baseUrl, "Group")
        assert.strictEqual(created.headers.get("location"), `${server.baseUrl}/Groups/${id}`)
        assert.include(arr(created.body, "schemas"), GroupSchema)
        assert.strictEqual(at(created.body, "displayName"), "displayName")
        assert.strictEqual(at(created.body, "externalId"), "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159")
        assert.lengthOf(arr(created.body, "members"), 0)

        // Get Group ?excludedAttributes=members
        const got = yield* scim.get(`/Groups/${id}?excludedAttributes=members`)
        assertResource(got, 200, server.baseUrl, "Group")
        assert.strictEqual(at(got.body, "displayName"), "displayName")
        assert.isUndefined(at(got.body, "members"))

        // Get Group by displayName
        const byName = yield* scim.get(
          `/Groups?excludedAttributes=members&filter=${q("displayName eq \"displayName\"")}`
        )
        assertList(byName, 1)
        assert.strictEqual(at(byName.body, "Resources.0.id"), id)
        assert.strictEqual(at(byName.body, "Resources.0.displayName"), "displayName")
        assert.isUndefined(at(byName.body, "Resources.0.members"))

        // Update Group [Non-member attributes] → 204
        const newName = "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"
        const renamed = yield* scim.patch(`/Groups/${id}`, {
          schemas: [PatchSchema],
          Operations: [{ op: "Replace", path: "displayName", value: newName }]
        })
        assert.strictEqual(renamed.status, 204, renamed.text)
        assert.strictEqual(renamed.text, "")
        assert.strictEqual(at((yield* scim.get(`/Groups/${id}`)).body, "displayName"), newName)
        assertList(
          yield* scim.get(`/Groups?excludedAttributes=members&filter=${q("displayName eq \"displayName\"")}`),
          0
        )

        // Update Group [Add Members] → 204
        const added = yield* scim.patch(`/Groups/${id}`, {
          schemas: [PatchSchema],
          Operations: [{ op: "Add", path: "members", value: [{ $ref: null, value: memberId }] }]
        })
        assert.strictEqual(added.status, 204, added.text)
        const withMember = yield* scim.get(`/Groups/${id}`)
        assert.deepStrictEqual(arr(withMember.body, "members").map((m) => at(m, "value")), [memberId])
        // Entra asks whether a reference attribute holds a value: a members filter
        assertList(
          yield* scim.get(
            `/Groups?excludedAttributes=members&filter=${q(`id eq "${id}" and members eq "${memberId}"`)}`
          ),
          1
        )
        // adding again changes nothing (Entra retries)
        const again = yield* scim.patch(`/Groups/${id}`, {
          schemas: [PatchSchema],
          Operations: [{ op: "Add", path: "members", value: [{ $ref: null, value: memberId }] }]
        })
        assert.strictEqual(again.status, 204, again.text)
        assert.lengthOf(arr((yield* scim.get(`/Groups/${id}`)).body, "members"), 1)

        // Update Group [Remove Members] → 204
        const removed = yield* scim.patch(`/Groups/${id}`, {
          schemas: [PatchSchema],
          Operations: [{ op: "Remove", path: "members", value: [{ $ref: null, value: memberId }] }]
        })
        assert.strictEqual(removed.status, 204, removed.text)
        assert.lengthOf(arr((yield* scim.get(`/Groups/${id}`)).body, "members"), 0)
        assertList(
          yield* scim.get(
            `/Groups?excludedAttributes=members&filter=${q(`id eq "${id}" and members eq "${memberId}"`)}`
          ),
          0
        )

        // Delete Group → 204
        const deleted = yield* scim.delete(`/Groups/${id}`)
        assert.strictEqual(deleted.status, 204, deleted.text)
        assertNotFound(yield* scim.get(`/Groups/${id}`))
        // the member user is untouched
        assert.strictEqual((yield* scim.get(`/Users/${memberId}`)).status, 200)
      }))

    it.effect("discovery: /Schemas is a ListResponse with the User, Group and Enterprise User schemas", () =>
      Effect.gen(function*() {
        const { scim } = yield* Server
        const reply = yield* scim.get("/Schemas")
        assert.strictEqual(reply.status, 200, reply.text)
        assertScimJson(reply)
        assert.deepStrictEqual(at(reply.body, "schemas"), [ListSchema])
        const ids = arr(reply.body, "Resources").map((schema) => at(schema, "id"))
        assert.includeMembers(ids, [UserSchema, GroupSchema, EnterpriseSchema])
      }))

    it.effect("a missing or wrong Secret Token gets 401 with WWW-Authenticate: Bearer and a SCIM error", () =>
      Effect.gen(function*() {
        const { scim } = yield* Server
        for (const token of [null, "sk-not-a-real-key-0000000000000000000000"]) {
          const reply = yield* scim.get("/Users?filter=userName%20eq%20%22x%22", { token })
          assert.strictEqual(reply.status, 401, reply.text)
          assert.match(reply.headers.get("www-authenticate") ?? "", /^Bearer/i)
          assertScimJson(reply)
          assert.deepStrictEqual(at(reply.body, "schemas"), [ErrorSchema])
          assert.strictEqual(at(reply.body, "status"), "401")
        }
      }))
  }
)

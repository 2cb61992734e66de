/**
 * Okta's provisioning traffic against the real server process, as Okta's "SCIM 2.0 Protocol
 * Reference" (developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20) documents it: the
 * userName query before create, create, GET, PUT of the full user, deactivation through PATCH (OIN
 * integrations) and through PUT (integrations made with the App Integration Wizard), and Group Push
 * (query by displayName, create, PATCH add/remove members, rename, full member push, delete).
 * Headers are Okta's (`User-Agent: Okta SCIM Client 1.0.0`, `application/scim+json; charset=utf-8`).
 */
import { assert, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { arr, at, type Client, type Reply, type RequestOptions, type Running, running, str } from "./support/Harness.js"

class Server extends Context.Service<Server, Running>()("Okta/Server") {}

const UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
const GroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
const ListSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
const ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"
const PatchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

const okta: RequestOptions = {
  headers: {
    "user-agent": "Okta SCIM Client 1.0.0",
    accept: "application/scim+json",
    "content-type": "application/scim+json; charset=utf-8"
  }
}

/** Okta's requests: its headers on every call. */
const as = (scim: Client) => ({
  get: (path: string) => scim.get(path, okta),
  post: (path: string, body: unknown) => scim.post(path, body, okta),
  put: (path: string, body: unknown) => scim.put(path, body, okta),
  patch: (path: string, body: unknown) => scim.patch(path, body, okta),
  delete: (path: string) => scim.delete(path, okta)
})

const q = (filter: string) => encodeURIComponent(filter)

/** Okta needs integers for the paging numbers. */
const assertList = (reply: Reply, totalResults: number, itemsPerPage = totalResults) => {
  assert.strictEqual(reply.status, 200, reply.text)
  assert.match(reply.headers.get("content-type") ?? "", /^application\/scim\+json/)
  assert.deepStrictEqual(at(reply.body, "schemas"), [ListSchema])
  assert.strictEqual(at(reply.body, "totalResults"), totalResults)
  assert.strictEqual(at(reply.body, "startIndex"), 1)
  assert.strictEqual(at(reply.body, "itemsPerPage"), itemsPerPage)
  assert.lengthOf(arr(reply.body, "Resources"), itemsPerPage)
}

const memberIds = (reply: Reply): ReadonlyArray<unknown> => arr(reply.body, "members").map((m) => at(m, "value")).sort()

/** Okta's POST /Users body for `test.user@okta.local` (with its placeholder password). */
const oktaUser = (userName: string, externalId: string) => ({
  schemas: [UserSchema],
  userName,
  name: { givenName: "Test", familyName: "User" },
  emails: [{ primary: true, value: userName, type: "work" }],
  displayName: "Test User",
  locale: "en-US",
  externalId,
  groups: [],
  password: "1mz050nq",
  active: true
})

layer(Layer.effect(Server, running()), { excludeTestServices: true, timeout: "120 seconds" })(
  "Okta provisioning",
  (it) => {
    it.effect("connection test and imports page with startIndex/count", () =>
      Effect.gen(function*() {
        const { scim } = yield* Server
        const client = as(scim)
        // an empty tenant apart from the platform owner the server created
        const users = yield* client.get("/Users?startIndex=1&count=2")
        assert.strictEqual(users.status, 200, users.text)
        assert.isNumber(at(users.body, "totalResults"))
        assertList(yield* client.get("/Groups?startIndex=1&count=100"), 0)
      }))

    it.effect("user: query, create, duplicate 409, GET, PUT, deactivate by PATCH and by PUT, reactivate", () =>
      Effect.gen(function*() {
        const { scim, server } = yield* Server
        const client = as(scim)
        const userName = "test.user@okta.local"

        // Determine if the User already exists
        assertList(yield* client.get(`/Users?filter=${q(`userName eq "${userName}"`)}&startIndex=1&count=100`), 0)

        // Create the User → 201 with the user (never the password)
        const created = yield* client.post("/Users", oktaUser(userName, "00ujl29u0le5T6Aj10h7"))
        assert.strictEqual(created.status, 201, created.text)
        const id = str(created.body, "id")
        assert.strictEqual(created.headers.get("location"), `${server.baseUrl}/Users/${id}`)
        assert.strictEqual(at(created.body, "userName"), userName)
        assert.strictEqual(at(created.body, "displayName"), "Test User")
        assert.strictEqual(at(created.body, "locale"), "en-US")
        assert.strictEqual(at(created.body, "externalId"), "00ujl29u0le5T6Aj10h7")
        assert.strictEqual(at(created.body, "active"), true)
        assert.deepStrictEqual(at(created.body, "name"), { givenName: "Test", familyName: "User" })
        assert.isUndefined(at(created.body, "password"))
        assert.strictEqual(at(created.body, "meta.resourceType"), "User")

        // The query now finds it: Okta stores the id
        const found = yield* client.get(`/Users?filter=${q(`userName eq "${userName}"`)}&startIndex=1&count=100`)
        assertList(found, 1)
        assert.strictEqual(at(found.body, "Resources.0.id"), id)

        // Creating it again is a conflict with a SCIM error body
        const duplicate = yield* client.post("/Users", oktaUser(userName, "00ujl29u0le5T6Aj10h7"))
        assert.strictEqual(duplicate.status, 409, duplicate.text)
        assert.deepStrictEqual(at(duplicate.body, "schemas"), [ErrorSchema])
        assert.strictEqual(at(duplicate.body, "status"), "409")
        assert.strictEqual(at(duplicate.body, "scimType"), "uniqueness")
        assert.isString(at(duplicate.body, "detail"))

        // Retrieve a specific User
        const got = yield* client.get(`/Users/${id}`)
        assert.strictEqual(got.status, 200, got.text)
        assert.strictEqual(at(got.body, "id"), id)
        assert.strictEqual(at(got.body, "userName"), userName)

        // Update a specific User (PUT): Okta sends the whole user back with the change
        const put = yield* client.put(`/Users/${id}`, {
          schemas: [UserSchema],
          id,
          userName,
          name: { givenName: "Another", middleName: "Excited", familyName: "User" },
          emails: [{ primary: true, value: userName, type: "work", display: userName }],
          active: true,
          groups: [],
          meta: { resourceType: "User" }
        })
        assert.strictEqual(put.status, 200, put.text)
        assert.deepStrictEqual(at(put.body, "name"), {
          givenName: "Another",
          middleName: "Excited",
          familyName: "User"
        })
        assert.deepStrictEqual(at(put.body, "emails"), [{
          primary: true,
          value: userName,
          type: "work",
          display: userName
        }])
        assert.strictEqual(at(put.body, "active"), true)
        // PUT replaces: what Okta no longer sends is gone
        assert.isUndefined(at(put.body, "displayName"))
        assert.isUndefined(at(put.body, "locale"))
        assert.strictEqual(at(put.body, "meta.created"), at(created.body, "meta.created"))

        // Deactivate (OIN integrations): PATCH replace with a value object, no path
        const deactivated = yield* client.patch(`/Users/${id}`, {
          schemas: [PatchSchema],
          Operations: [{ op: "replace", value: { active: false } }]
        })
        assert.strictEqual(deactivated.status, 200, deactivated.text)
        assert.strictEqual(at(deactivated.body, "active"), false)
        assert.strictEqual(at(deactivated.body, "name.middleName"), "Excited")
        assert.strictEqual(at((yield* client.get(`/Users/${id}`)).body, "active"), false)

        // Reactivate (PATCH active true), then deactivate the AIW way: PUT with active false
        const reactivated = yield* client.patch(`/Users/${id}`, {
          schemas: [PatchSchema],
          Operations: [{ op: "replace", value: { active: true } }]
        })
        assert.strictEqual(reactivated.status, 200, reactivated.text)
        assert.strictEqual(at(reactivated.body, "active"), true)
        const putInactive = yield* client.put(`/Users/${id}`, {
          schemas: [UserSchema],
          id,
          userName,
          name: { givenName: "Another", middleName: "Excited", familyName: "User" },
          emails: [{ primary: true, value: userName, type: "work", display: userName }],
          active: false,
          groups: [],
          meta: { resourceType: "User" }
        })
        assert.strictEqual(putInactive.status, 200, putInactive.text)
        assert.strictEqual(at(putInactive.body, "active"), false)
        // Okta never deletes users: the deactivated user is still found by its userName
        const stillThere = yield* client.get(`/Users?filter=${q(`userName eq "${userName}"`)}&startIndex=1&count=100`)
        assertList(stillThere, 1)
        assert.strictEqual(at(stillThere.body, "Resources.0.active"), false)
      }))

    it.effect("Group Push: query, create, add and remove members, rename, push all members, PUT, delete", () =>
      Effect.gen(function*() {
        const { scim, server } = yield* Server
        const client = as(scim)
        const alice = str((yield* client.post("/Users", oktaUser("alice@okta.local", "00ualice"))).body, "id")
        const bob = str((yield* client.post("/Users", oktaUser("bob@okta.local", "00ubob"))).body, "id")
        const displayName = "Test SCIMv2"

        // Okta checks whether the group exists
        assertList(
          yield* client.get(`/Groups?filter=${q(`displayName eq "${displayName}"`)}&startIndex=1&count=100`),
          0
        )

        // Create Groups → 201
        const created = yield* client.post("/Groups", { schemas: [GroupSchema], displayName, members: [] })
        assert.strictEqual(created.status, 201, created.text)
        const id = str(created.body, "id")
        assert.strictEqual(created.headers.get("location"), `${server.baseUrl}/Groups/${id}`)
        assert.strictEqual(at(created.body, "displayName"), displayName)
        assert.lengthOf(arr(created.body, "members"), 0)
        const byName = yield* client.get(
          `/Groups?filter=${q(`displayName eq "${displayName}"`)}&startIndex=1&count=100`
        )
        assertList(byName, 1)
        assert.strictEqual(at(byName.body, "Resources.0.id"), id)

        // Update specific Group membership: add alice
        const addAlice = yield* client.patch(`/Groups/${id}`, {
          schemas: [PatchSchema],
          Operations: [{ op: "add", path: "members", value: [{ value: alice, display: "alice@okta.local" }] }]
        })
        assert.oneOf(addAlice.status, [200, 204], addAlice.text)
        assert.deepStrictEqual(memberIds(yield* client.get(`/Groups/${id}`)), [alice])

        // Okta's documented membership PATCH: remove one member by filter, add another
        const swap = yield* client.patch(`/Groups/${id}`, {
          schemas: [PatchSchema],
          Operations: [
            { op: "remove", path: `members[value eq "${alice}"]` },
            { op: "add", path: "members", value: [{ value: bob, display: "bob@okta.local" }] }
          ]
        })
        assert.oneOf(swap.status, [200, 204], swap.text)
        const afterSwap = yield* client.get(`/Groups/${id}`)
        assert.deepStrictEqual(memberIds(afterSwap), [bob])
        // display is the server's view of the member (its displayName), not an echo of the request
        assert.isString(at(afterSwap.body, "members.0.display"))

        // Retrieve specific Groups: GET by id with members
        assert.strictEqual(at(afterSwap.body, "displayName"), displayName)

        // Update a specific Group name: PATCH replace with a value object holding id and displayName
        const renamed = yield* client.patch(`/Groups/${id}`, {
          schemas: [PatchSchema],
          Operations: [{ op: "replace", value: { id, displayName: "Test SCIMv20" } }]
        })
        assert.oneOf(renamed.status, [200, 204], renamed.text)
        const afterRename = yield* client.get(`/Groups/${id}`)
        assert.strictEqual(at(afterRename.body, "displayName"), "Test SCIMv20")
        assert.deepStrictEqual(memberIds(afterRename), [bob])

        // Full push of the membership: replace members
        const pushAll = yield* client.patch(`/Groups/${id}`, {
          schemas: [PatchSchema],
          Operations: [{
            op: "replace",
            path: "members",
            value: [{ value: alice, display: "alice@okta.local" }, { value: bob, display: "bob@okta.local" }]
          }]
        })
        assert.oneOf(pushAll.status, [200, 204], pushAll.text)
        assert.deepStrictEqual(memberIds(yield* client.get(`/Groups/${id}`)), [alice, bob].sort())

        // App Integration Wizard integrations: PUT the group with its members → 200 with the group
        const put = yield* client.put(`/Groups/${id}`, {
          schemas: [GroupSchema],
          displayName: "Test SCIMv2",
          members: [{ value: alice, display: "alice@okta.local" }]
        })
        assert.strictEqual(put.status, 200, put.text)
        assert.strictEqual(at(put.body, "displayName"), "Test SCIMv2")
        assert.deepStrictEqual(memberIds(put), [alice])

        // Delete a specific Group → 204, then 404
        const deleted = yield* client.delete(`/Groups/${id}`)
        assert.strictEqual(deleted.status, 204, deleted.text)
        const gone = yield* client.get(`/Groups/${id}`)
        assert.strictEqual(gone.status, 404, gone.text)
        assert.deepStrictEqual(at(gone.body, "schemas"), [ErrorSchema])
        // the users stay
        assert.strictEqual((yield* client.get(`/Users/${alice}`)).status, 200)
      }))

    it.effect("imports page through all users with startIndex and count=100", () =>
      Effect.gen(function*() {
        const { scim } = yield* Server
        const client = as(scim)
        const first = yield* client.get("/Users?startIndex=1&count=100")
        assert.strictEqual(first.status, 200, first.text)
        const total = at(first.body, "totalResults")
        assert.isNumber(total)
        assert.strictEqual(arr(first.body, "Resources").length, total)
        const page = yield* client.get("/Users?startIndex=2&count=1")
        assert.strictEqual(page.status, 200, page.text)
        assert.strictEqual(at(page.body, "startIndex"), 2)
        assert.strictEqual(at(page.body, "itemsPerPage"), 1)
        assert.strictEqual(at(page.body, "Resources.0.id"), at(first.body, "Resources.1.id"))
      }))
  }
)

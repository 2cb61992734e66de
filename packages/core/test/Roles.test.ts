import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import * as DomainModel from "../src/domain/DomainModel.js"
import type { JsonObject } from "../src/domain/Model.js"
import type { ListRequest } from "../src/query/ListRequest.js"
import * as Roles from "../src/schema/Roles.js"
import { ListResponseUrn, RoleUrn } from "../src/schema/Schemas.js"
import { defaults } from "../src/ScimOptions.js"

const base = "https://scim.example.com/scim/v2/"
const model = DomainModel.defaults

const list = (request: ListRequest, m: DomainModel.DomainModel = model): JsonObject => {
  const result = Roles.list(m, request, defaults, base)
  if (Result.isFailure(result)) return assert.fail(String(result.failure))
  return result.success
}
const resources = (body: JsonObject): ReadonlyArray<JsonObject> => body.Resources as ReadonlyArray<JsonObject>
const ids = (request: ListRequest, m?: DomainModel.DomainModel): ReadonlyArray<unknown> =>
  resources(list(request, m)).map((r) => r.id)

describe("Roles.list", () => {
  it("lists the platform roles, then the project roles, as a ListResponse of Okta Role resources", () => {
    const body = list({})
    assert.deepStrictEqual(body.schemas, [ListResponseUrn])
    assert.strictEqual(body.totalResults, 6)
    assert.strictEqual(body.startIndex, 1)
    assert.strictEqual(body.itemsPerPage, 6)
    assert.deepStrictEqual(ids({}), [
      "platform:MEMBER",
      "platform:OPERATOR",
      "platform:ADMIN",
      "project:Admin",
      "project:Editor",
      "project:Viewer"
    ])
    assert.deepStrictEqual(resources(body)[2], {
      schemas: [RoleUrn],
      id: "platform:ADMIN",
      displayName: "Platform Admin",
      value: "ADMIN",
      type: "platform",
      description: "Administers the platform.",
      supported: true,
      meta: { resourceType: "Role", location: "https://scim.example.com/scim/v2/Roles/platform:ADMIN" }
    })
  })

  it("filters on displayName, value and type (RFC 7644 §3.4.2.2), values case-insensitively", () => {
    assert.deepStrictEqual(ids({ filter: "type eq \"project\"" }), [
      "project:Admin",
      "project:Editor",
      "project:Viewer"
    ])
    assert.deepStrictEqual(ids({ filter: "value eq \"admin\"" }), ["platform:ADMIN", "project:Admin"])
    assert.deepStrictEqual(ids({ filter: "value eq \"admin\" and type eq \"platform\"" }), ["platform:ADMIN"])
    assert.deepStrictEqual(ids({ filter: "displayName co \"editor\"" }), ["project:Editor"])
    assert.deepStrictEqual(ids({ filter: "displayName sw \"Platform\" and not (value eq \"MEMBER\")" }), [
      "platform:OPERATOR",
      "platform:ADMIN"
    ])
    assert.deepStrictEqual(ids({ filter: "id eq \"project:Viewer\"" }), ["project:Viewer"])
    assert.strictEqual(list({ filter: "value eq \"OWNER\"" }).totalResults, 0)
  })

  it("sorts, pages by index and projects", () => {
    assert.deepStrictEqual(ids({ sortBy: "displayName", sortOrder: "descending", count: 2 }), [
      "project:Viewer",
      "project:Editor"
    ])
    const page = list({ startIndex: "5", count: 5 })
    assert.strictEqual(page.totalResults, 6)
    assert.strictEqual(page.startIndex, 5)
    assert.deepStrictEqual(resources(page).map((r) => r.id), ["project:Editor", "project:Viewer"])
    const projected = resources(list({ attributes: "value", count: 1 }))[0]!
    assert.deepStrictEqual(projected, { schemas: [RoleUrn], id: "platform:MEMBER", value: "MEMBER" })
  })

  it("refuses a malformed filter, an unknown attribute, a cursor and a non-integer count", () => {
    const failure = (request: ListRequest) => {
      const result = Roles.list(model, request, defaults, base)
      return Result.isFailure(result) ? result.failure._tag : "accepted"
    }
    assert.strictEqual(failure({ filter: "value eq" }), "InvalidFilter")
    assert.strictEqual(failure({ filter: "tier eq \"PRO\"" }), "InvalidFilter")
    assert.strictEqual(failure({ sortBy: "tier" }), "InvalidPath")
    assert.strictEqual(failure({ cursor: "" }), "InvalidValue")
    assert.strictEqual(failure({ count: "many" }), "InvalidValue")
  })

  it("lists a host's roles, with a description saying how to assign them when the model gives none", () => {
    const acme = DomainModel.make({
      userExtension: {
        urn: "urn:acme:scim:1.0:User",
        role: { attribute: "tier", values: ["FREE", { value: "PRO", displayName: "Pro plan" }] }
      },
      projectRoles: { values: ["Owner", "Member"] }
    })
    const body = list({}, acme)
    assert.deepStrictEqual(resources(body).map((r) => [r.id, r.displayName, r.type]), [
      ["platform:FREE", "FREE", "platform"],
      ["platform:PRO", "Pro plan", "platform"],
      ["project:Owner", "Owner", "project"],
      ["project:Member", "Member", "project"]
    ])
    assert.strictEqual(
      resources(body)[1]!.description,
      "The user's role PRO: set urn:acme:scim:1.0:User:tier to \"PRO\"."
    )
  })

  it("escapes a role id in its location, keeping the colon", () => {
    const spaced = DomainModel.make({ projectRoles: { values: ["Read only"] } })
    const role = resources(list({ filter: "type eq \"project\"" }, spaced))[0]!
    assert.deepStrictEqual(role.meta, {
      resourceType: "Role",
      location: "https://scim.example.com/scim/v2/Roles/project:Read%20only"
    })
  })
})

describe("Roles.get", () => {
  it("answers one role by id, exactly or case-insensitively, projected", () => {
    const admin = Roles.get(model, "platform:ADMIN", base)
    assert.isTrue(Result.isSuccess(admin) && admin.success.value === "ADMIN")
    const editor = Roles.get(model, "PROJECT:EDITOR", base, { excludedAttributes: "description,meta" })
    assert.isTrue(Result.isSuccess(editor))
    if (Result.isSuccess(editor)) {
      assert.strictEqual(editor.success.id, "project:Editor")
      assert.notProperty(editor.success, "description")
      assert.notProperty(editor.success, "meta")
    }
  })

  it("an unknown id is ResourceNotFound naming the Role", () => {
    const missing = Roles.get(model, "platform:OWNER", base)
    assert.isTrue(Result.isFailure(missing))
    if (Result.isFailure(missing)) {
      assert.strictEqual(missing.failure._tag, "ResourceNotFound")
      assert.include(missing.failure.message, "Role")
    }
  })
})
